/** Network faults on the bed's links, driven through toxiproxy-node-client only. */
import { Toxiproxy, type Proxy, type Toxic } from 'toxiproxy-node-client';
import type { ToxicType } from '../../scenario/schema.js';
import type { ProxySpec } from './links.js';

/** One toxic to add to a proxy, in Toxiproxy's own terms. */
export interface ToxicRequest {
  name: string;
  type: Exclude<ToxicType, 'partition'>;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

export class ToxiproxyLinks {
  private readonly client: Toxiproxy;
  private readonly proxies = new Map<string, Proxy>();

  /** `url` is the Toxiproxy API, e.g. `http://10.213.5.5:8474`. */
  constructor(readonly url: string) {
    this.client = new Toxiproxy(url);
  }

  /** Creates every proxy, listening on all addresses of the proxy's host. */
  async createProxies(specs: readonly ProxySpec[], addressOf: (node: ProxySpec['upstreamNode']) => string): Promise<void> {
    for (const spec of specs) {
      const proxy = await this.client.createProxy({
        name: spec.name,
        listen: `0.0.0.0:${spec.listenPort}`,
        upstream: `${addressOf(spec.upstreamNode)}:${spec.upstreamPort}`,
      });
      this.proxies.set(spec.name, proxy);
    }
  }

  async addToxic(proxyName: string, request: ToxicRequest): Promise<void> {
    const proxy = this.proxy(proxyName);
    await proxy.addToxic({ name: request.name, type: request.type, stream: request.stream, toxicity: request.toxicity, attributes: request.attributes } as never);
  }

  /** Removes one toxic by name; a toxic already gone is not an error. */
  async removeToxic(proxyName: string, toxicName: string): Promise<void> {
    const proxy = await this.client.get(proxyName);
    if (!(await toxicsOf(proxy)).some((entry) => entry.name === toxicName)) return;
    const toxic: Toxic<unknown> = await proxy.getToxic(toxicName);
    await toxic.remove();
  }

  /** Removes every toxic and re-enables every proxy (Toxiproxy's reset). */
  async reset(): Promise<void> {
    await this.client.reset();
  }

  /** Describes what is not whole: each toxic still present and each disabled proxy. */
  async leftovers(): Promise<string[]> {
    const problems: string[] = [];
    const all = await this.client.getAll();
    for (const [name, proxy] of Object.entries(all)) {
      if (!proxy.enabled) problems.push(`proxy ${name} is disabled`);
      for (const toxic of await toxicsOf(proxy)) problems.push(`proxy ${name} still has toxic ${toxic.name} (${toxic.type}, ${toxic.stream})`);
    }
    for (const name of this.proxies.keys()) if (!(name in all)) problems.push(`proxy ${name} is missing`);
    return problems;
  }

  private proxy(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw new Error(`no proxy named ${name} at ${this.url}`);
    return proxy;
  }
}

/**
 * Lists a proxy's toxics. The client library's Proxy keeps no toxic list, so this sends
 * `GET /proxies/{name}/toxics` through the library's own HTTP client.
 */
async function toxicsOf(proxy: Proxy): Promise<Array<{ name: string; type: string; stream: string }>> {
  const response = await proxy.api.get(`${proxy.getPath()}/toxics`);
  return response.data as Array<{ name: string; type: string; stream: string }>;
}
