/**
 * A client-side DNS stub that honours record TTLs. Node's `dns.Resolver` keeps no cache and asks
 * the server on every call, which would make every client follow a DNS change at once; real
 * clients and their operating systems cache answers for the TTL, so each workload client gets
 * one of these to model its own cache.
 */
import { Resolver } from 'node:dns/promises';

export interface Resolution {
  addresses: string[];
  ttlSeconds: number;
  /** True when the answer came from this client's cache rather than a query. */
  cached: boolean;
}

export class CachingResolver {
  private readonly resolver = new Resolver({ timeout: 1000, tries: 2 });
  private cache?: { name: string; addresses: string[]; ttlSeconds: number; expiresAt: number };

  /** `server` is `IP` or `IP:PORT` of the DNS server the client uses. */
  constructor(readonly server: string) {
    this.resolver.setServers([server]);
  }

  /** Resolves A records, answering from the cache until the TTL of the last answer ends. */
  async resolve(name: string, now = Date.now()): Promise<Resolution> {
    const entry = this.cache;
    if (entry && entry.name === name && entry.expiresAt > now) {
      return { addresses: entry.addresses, ttlSeconds: Math.ceil((entry.expiresAt - now) / 1000), cached: true };
    }
    const records = await this.resolver.resolve4(name, { ttl: true });
    const ttlSeconds = Math.min(...records.map((record) => record.ttl));
    const addresses = records.map((record) => record.address);
    this.cache = { name, addresses, ttlSeconds, expiresAt: now + ttlSeconds * 1000 };
    return { addresses, ttlSeconds, cached: false };
  }
}
