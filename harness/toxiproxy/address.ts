/** "host:port" handling with the results of Go's net.SplitHostPort and net.ResolveTCPAddr. */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** Splits "host:port", "[ipv6]:port" or ":port". Throws an Error worded as Go's for a malformed address. */
export function splitHostPort(address: string): HostPort {
  // Go's net.Listen and ResolveTCPAddr take "" as every interface, port 0.
  if (address === '') return { host: '', port: 0 };
  let host: string;
  let portText: string;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close < 0) throw new Error(`address ${address}: missing ']' in address`);
    if (address[close + 1] !== ':') throw new Error(`address ${address}: missing port in address`);
    host = address.slice(1, close);
    portText = address.slice(close + 2);
  } else {
    const colon = address.lastIndexOf(':');
    if (colon < 0) throw new Error(`address ${address}: missing port in address`);
    host = address.slice(0, colon);
    if (host.includes(':')) throw new Error(`address ${address}: too many colons in address`);
    portText = address.slice(colon + 1);
  }
  const port = portText === '' ? 0 : Number(portText);
  if (!/^\d*$/.test(portText) || port > 65535) throw new Error(`address ${address}: invalid port`);
  return { host, port };
}

/**
 * Resolves a listen host to one IP address, preferring IPv4 as Go's net.Listen does for a
 * name. Returns undefined for an empty host, which means every interface.
 */
export async function resolveHost(host: string): Promise<string | undefined> {
  if (host === '') return undefined;
  if (isIP(host)) return host;
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch {
    return (await lookup(host)).address;
  }
}

/** Formats an address as Go's net.TCPAddr.String(): "ip:port", "[ipv6]:port", or ":port" without an IP. */
export function formatAddress(ip: string | undefined, port: number): string {
  if (!ip) return `:${port}`;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Returns the address the way the real server compares listen addresses (ResolveTCPAddr, then String). */
export async function canonicalAddress(address: string): Promise<string> {
  const { host, port } = splitHostPort(address);
  return formatAddress(await resolveHost(host), port);
}
