/**
 * The network links of the bed and the Toxiproxy proxies that carry them. Every path a failure
 * can hit goes through one proxy: each client's path to each IMAP node, the replication path
 * from site A to site B, and the storage link between the primaries.
 */
import type { NodeName } from '../../scenario/schema.js';

export const IMAP_NODES = ['primary-1', 'primary-2', 'backup'] as const;
export type ImapNode = (typeof IMAP_NODES)[number];

/** One Toxiproxy proxy: a directed TCP path from a client or node to a server port. */
export interface ProxySpec {
  /** Toxiproxy proxy name; URL-safe because the client library does not encode names. */
  name: string;
  listenPort: number;
  upstreamNode: NodeName;
  upstreamPort: number;
  /** Sites whose loss cuts this path (either end). */
  sites: string[];
}

export const REPLICATION_PROXY = 'replication';
export const STORAGE_PROXY = 'storage';
const SITE_OF: Record<ImapNode, string> = { 'primary-1': 'site-a', 'primary-2': 'site-a', backup: 'site-b' };

/** Proxy name of a client's path to a node, e.g. `client-2_backup`. */
export function clientProxyName(client: string, node: ImapNode): string {
  return `${client}_${node}`;
}

/** Every proxy of a bed with `clients` workload clients. Ports are fixed so addresses are predictable. */
export function proxySpecs(clients: number): ProxySpec[] {
  const specs: ProxySpec[] = [];
  for (let i = 1; i <= clients; i += 1) {
    IMAP_NODES.forEach((node, n) => {
      specs.push({ name: clientProxyName(`client-${i}`, node), listenPort: 20000 + i * 10 + n, upstreamNode: node, upstreamPort: 143, sites: [SITE_OF[node]] });
    });
  }
  specs.push({ name: REPLICATION_PROXY, listenPort: 8730, upstreamNode: 'backup', upstreamPort: 873, sites: ['site-a', 'site-b'] });
  specs.push({ name: STORAGE_PROXY, listenPort: 7789, upstreamNode: 'primary-2', upstreamPort: 7789, sites: ['site-a'] });
  return specs;
}

/**
 * Expands a scenario link name into proxy names: `replication`, `storage`, `clients->NODE`,
 * `client-N->NODE`, where NODE may also be a site (`clients->site-a` is both primaries).
 */
export function proxiesOfLink(link: string, clients: number): string[] {
  if (link === REPLICATION_PROXY || link === STORAGE_PROXY) return [link];
  const match = /^(clients|client-\d+)->(.+)$/.exec(link);
  if (!match) throw new Error(`unknown link "${link}"`);
  const who = match[1] === 'clients' ? Array.from({ length: clients }, (_, i) => `client-${i + 1}`) : [match[1]];
  const to = IMAP_NODES.filter((node) => node === match[2] || SITE_OF[node] === match[2]);
  return who.flatMap((client) => to.map((node) => clientProxyName(client, node)));
}

/** Proxies whose path touches a site, for a whole-site fault. */
export function proxiesOfSite(site: string, clients: number): string[] {
  return proxySpecs(clients).filter((spec) => spec.sites.includes(site)).map((spec) => spec.name);
}
