/**
 * A Toxiproxy-compatible HTTP API server, a stand-in for Shopify's Toxiproxy 2.12.
 *
 * It uses node:http without a web framework. The API has a handful of routes, and each status
 * code, header and error body must match the real server's byte for byte. A framework's own
 * error and content-type handling would get in the way.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { ApiError, badRequestBody, missingField, proxyAlreadyExists, proxyNotFound, toApiError, toxicNotFound } from './errors.js';
import { JsonDecodeError, decodeFirstValue, expectObject, goJsonStringify, readBool, readString } from './go-json.js';
import { Proxy, type ProxySettings } from './proxy.js';
import { applyToxicUpdate, decodeNewToxic } from './toxic.js';

/** The version the real server reports and whose behaviour this server follows. */
export const TOXIPROXY_VERSION = '2.12.0';

export interface ToxiproxyServerOptions {
  /** Address of the HTTP API, such as "127.0.0.1". */
  host: string;
  /** Port of the HTTP API; 0 picks a free one. */
  port: number;
  /** Logger for the API and proxies. Defaults to a silent logger. */
  log?: Logger;
}

export interface ToxiproxyServer {
  /** Base URL of the HTTP API with the bound port, such as "http://127.0.0.1:8474". */
  readonly url: string;
  /** Stops every proxy, closes their connections and the HTTP API. */
  close(): Promise<void>;
}

/** Starts the API on `host:port` and resolves once it listens. */
export async function startToxiproxyServer(options: ToxiproxyServerOptions): Promise<ToxiproxyServer> {
  const log = options.log ?? pino({ level: 'silent' });
  const api = new ToxiproxyApi(log);
  const http = createServer((request, response) => api.handle(request, response));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host: options.host, port: options.port }, () => resolve());
  });
  const { address, port } = http.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  log.info({ url }, 'Started Toxiproxy HTTP server');
  return {
    url,
    close: async () => {
      api.stopAll();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      log.info({ url }, 'Stopped Toxiproxy HTTP server');
    },
  };
}

type Handler = (context: { body: string; proxy: string; toxic: string; method: string }) => Promise<Reply>;

/** A reply: status, and a JSON value (sent as application/json) or none. */
interface Reply {
  status: number;
  json?: unknown;
}

interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

class ToxiproxyApi {
  private readonly proxies = new Map<string, Proxy>();
  private readonly routes: Route[];
  /** Requests run one at a time, as the real server's collection locks serialize them. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly log: Logger) {
    const update = (context: Parameters<Handler>[0]) => this.updateProxy(context.proxy, context.body);
    const updateToxic = (context: Parameters<Handler>[0]) => this.updateToxic(context.proxy, context.toxic, context.body);
    this.routes = [
      { pattern: /^\/reset$/, methods: { POST: () => this.reset() } },
      { pattern: /^\/proxies$/, methods: { GET: async () => this.listProxies(), POST: ({ body }) => this.createProxy(body) } },
      { pattern: /^\/populate$/, methods: { POST: ({ body }) => this.populate(body) } },
      {
        pattern: /^\/proxies\/([^/]+)$/,
        methods: { GET: async ({ proxy }) => this.showProxy(proxy), POST: update, PATCH: update, DELETE: async ({ proxy }) => this.deleteProxy(proxy) },
      },
      {
        pattern: /^\/proxies\/([^/]+)\/toxics$/,
        methods: { GET: async ({ proxy }) => this.listToxics(proxy), POST: async ({ proxy, body }) => this.createToxic(proxy, body) },
      },
      {
        pattern: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
        methods: { GET: async ({ proxy, toxic }) => this.showToxic(proxy, toxic), POST: updateToxic, PATCH: updateToxic, DELETE: async ({ proxy, toxic }) => this.deleteToxic(proxy, toxic) },
      },
      { pattern: /^\/version$/, methods: { GET: async () => ({ status: 200 }) } },
    ];
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      this.queue = this.queue
        .then(() => this.dispatch(request, response, body))
        .catch((error: unknown) => this.log.error({ err: error, method: request.method, url: request.url }, 'Request handler failed'));
    });
  }

  stopAll(): void {
    for (const proxy of this.proxies.values()) proxy.stop();
  }

  private async dispatch(request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    const method = request.method ?? 'GET';
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      path = '';
    }
    const route = this.routes.find((candidate) => candidate.pattern.test(path));
    if (!route) {
      sendText(response, 404, '404 page not found\n');
      return;
    }
    const handler = route.methods[method];
    if (!handler) {
      response.writeHead(405).end();
      return;
    }
    if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      sendText(response, 403, 'User agent not allowed\n');
      return;
    }

    const [, proxy = '', toxic = ''] = route.pattern.exec(path)!;
    try {
      const reply = await handler({ body, proxy, toxic, method });
      if (path === '/version') {
        send(response, 200, 'application/json;charset=utf-8', `{"version": "${TOXIPROXY_VERSION}"}\n`);
      } else if (reply.json === undefined) {
        response.writeHead(reply.status).end();
      } else {
        send(response, reply.status, 'application/json', goJsonStringify(reply.json));
      }
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.status >= 500) this.log.warn({ err: error, method, path }, 'Request failed');
      // Go's http.Error sends the JSON error with a text/plain type and a trailing newline.
      sendText(response, apiError.status, `${goJsonStringify({ error: apiError.message, status: apiError.status })}\n`);
    }
  }

  private getProxy(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw proxyNotFound();
    return proxy;
  }

  private listProxies(): Reply {
    const json: Record<string, Proxy> = {};
    // Go's json.Marshal writes map keys sorted by byte order.
    for (const name of [...this.proxies.keys()].sort(compareBytes)) json[name] = this.proxies.get(name)!;
    return { status: 200, json };
  }

  private async createProxy(body: string): Promise<Reply> {
    const input = decodeProxyFields(body, 'toxiproxy.Proxy');
    if (!input.name) throw missingField('name');
    if (!input.upstream) throw missingField('upstream');
    if (this.proxies.has(input.name)) throw proxyAlreadyExists();

    const proxy = new Proxy(input.name, input.listen ?? '', input.upstream, this.log.child({ proxy: input.name }));
    if (input.enabled ?? true) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return { status: 201, json: proxy };
  }

  private showProxy(name: string): Reply {
    return { status: 200, json: this.getProxy(name) };
  }

  private async updateProxy(name: string, body: string): Promise<Reply> {
    const proxy = this.getProxy(name);
    const input = decodeProxyFields(body, 'toxiproxy.Proxy');
    const settings: ProxySettings = {
      listen: input.listen ?? proxy.listen,
      upstream: input.upstream ?? proxy.upstream,
      enabled: input.enabled ?? proxy.enabled,
    };
    await proxy.update(settings);
    return { status: 200, json: proxy };
  }

  private deleteProxy(name: string): Reply {
    const proxy = this.getProxy(name);
    proxy.stop();
    this.proxies.delete(name);
    return { status: 204 };
  }

  /**
   * Creates or replaces the listed proxies. Every entry is validated before any change. An
   * entry equal to an existing proxy (same resolved listen address and upstream) keeps that
   * proxy and its toxics, and a different one replaces it. Proxies not listed stay.
   */
  private async populate(body: string): Promise<Reply> {
    const created: Proxy[] = [];
    // The real server replies to populate errors with JSON that lists the proxies created so far.
    const failure = (error: unknown): Reply => {
      const apiError = toApiError(error);
      this.log.warn({ err: error }, 'Populate failed');
      return { status: apiError.status, json: { error: apiError.message, status: apiError.status, proxies: created.length > 0 ? created : null } };
    };

    let entries: Array<{ name: string; listen: string; upstream: string; enabled: boolean }>;
    try {
      entries = decodePopulateBody(body);
    } catch (error) {
      return failure(error);
    }

    for (const entry of entries) {
      const existing = this.proxies.get(entry.name);
      try {
        if (existing && !(await existing.differs(entry))) {
          created.push(existing);
          continue;
        }
        existing?.stop();
        const proxy = new Proxy(entry.name, entry.listen, entry.upstream, this.log.child({ proxy: entry.name }));
        if (entry.enabled) await proxy.start();
        this.proxies.set(proxy.name, proxy);
        created.push(proxy);
      } catch (error) {
        return failure(error);
      }
    }
    // Go marshals an empty result slice as null.
    return { status: 201, json: { proxies: created.length > 0 ? created : null } };
  }

  private async reset(): Promise<Reply> {
    for (const proxy of this.proxies.values()) {
      await proxy.start();
      proxy.removeAllToxics();
    }
    return { status: 204 };
  }

  private listToxics(proxyName: string): Reply {
    return { status: 200, json: this.getProxy(proxyName).listToxics() };
  }

  private createToxic(proxyName: string, body: string): Reply {
    const proxy = this.getProxy(proxyName);
    const toxic = decodeNewToxic(body, (name) => proxy.findToxic(name) !== undefined);
    proxy.addToxic(toxic);
    return { status: 200, json: toxic };
  }

  private showToxic(proxyName: string, toxicName: string): Reply {
    const toxic = this.getProxy(proxyName).findToxic(toxicName);
    if (!toxic) throw toxicNotFound();
    return { status: 200, json: toxic };
  }

  private async updateToxic(proxyName: string, toxicName: string, body: string): Promise<Reply> {
    const proxy = this.getProxy(proxyName);
    const toxic = proxy.findToxic(toxicName);
    if (!toxic) throw toxicNotFound();
    applyToxicUpdate(toxic, body);
    proxy.updateToxic(toxic);
    return { status: 200, json: toxic };
  }

  private deleteToxic(proxyName: string, toxicName: string): Reply {
    this.getProxy(proxyName).removeToxic(toxicName);
    return { status: 204 };
  }
}

interface ProxyFields {
  name?: string;
  listen?: string;
  upstream?: string;
  enabled?: boolean;
}

function readProxyFields(object: Record<string, unknown>): ProxyFields {
  return {
    name: readString(object, 'name', 'Proxy.name'),
    listen: readString(object, 'listen', 'Proxy.listen'),
    upstream: readString(object, 'upstream', 'Proxy.upstream'),
    enabled: readBool(object, 'enabled', 'Proxy.enabled'),
  };
}

function decodeProxyFields(body: string, goType: string): ProxyFields {
  try {
    return readProxyFields(expectObject(decodeFirstValue(body), goType));
  } catch (error) {
    if (error instanceof JsonDecodeError) throw badRequestBody(error.message);
    throw error;
  }
}

/** Decodes and validates a populate body; entries are numbered from 1 in error messages. */
function decodePopulateBody(body: string): Array<{ name: string; listen: string; upstream: string; enabled: boolean }> {
  let items: unknown[];
  let fields: ProxyFields[];
  try {
    const value = decodeFirstValue(body);
    if (value !== null && !Array.isArray(value)) {
      throw new JsonDecodeError(`json: cannot unmarshal ${typeof value === 'object' ? 'object' : typeof value} into Go value of type []struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }`);
    }
    items = value ?? [];
    fields = items.map((item) => readProxyFields(expectObject(item, 'struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }')));
  } catch (error) {
    if (error instanceof JsonDecodeError) throw badRequestBody(error.message);
    throw error;
  }
  return fields.map((entry, index) => {
    if (!entry.name) throw missingField(`name at proxy ${index + 1}`);
    if (!entry.upstream) throw missingField(`upstream at proxy ${index + 1}`);
    return { name: entry.name, listen: entry.listen ?? '', upstream: entry.upstream, enabled: entry.enabled ?? true };
  });
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) }).end(body);
}

function sendText(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) }).end(body);
}
