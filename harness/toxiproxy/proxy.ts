/** A proxy: its listener, its toxics and the connections it carries. */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { canonicalAddress, formatAddress, resolveHost, splitHostPort } from './address.js';
import { ApiError, listenError, toxicNotFound } from './errors.js';
import { Link, type LinkOwner } from './link.js';
import type { Direction, Toxic } from './toxic.js';

/** The fields a client may set on a proxy. */
export interface ProxySettings {
  listen: string;
  upstream: string;
  enabled: boolean;
}

export class Proxy {
  enabled = false;
  private readonly toxics: Record<Direction, Toxic[]> = { upstream: [], downstream: [] };
  private readonly connections = new Set<Connection>();
  private server: Server | undefined;

  constructor(
    readonly name: string,
    /** The address as requested until the proxy starts, then the bound address ("127.0.0.1:40123"). */
    public listen: string,
    public upstream: string,
    readonly log: Logger,
  ) {}

  /** Returns the proxy's JSON, with fields in the real server's order. */
  toJSON(): object {
    return { name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, toxics: this.listToxics() };
  }

  /**
   * Opens the listener. Returns false when the proxy was already enabled; throws a 500
   * ApiError worded as Go's net package words it when the address cannot be bound.
   */
  async start(): Promise<boolean> {
    if (this.enabled) return false;
    let host: string | undefined;
    let port: number;
    try {
      ({ host, port } = await splitAndResolve(this.listen));
    } catch (error) {
      throw new ApiError(`listen tcp ${this.listen}: ${(error as Error).message}`, 500);
    }

    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(listenError(formatAddress(host, port), error)));
      server.listen({ host, port }, () => resolve());
    });
    server.on('error', (error) => this.log.error({ err: error }, 'Listener failed'));
    const bound = server.address();
    if (bound === null || typeof bound === 'string') throw new ApiError(`listen tcp ${this.listen}: no TCP address`, 500);
    this.listen = formatAddress(bound.address, bound.port);
    this.server = server;
    this.enabled = true;
    this.log.info({ listen: this.listen, upstream: this.upstream }, 'Started proxy');
    return true;
  }

  /** Closes the listener and every client and upstream socket. */
  stop(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.server?.close();
    this.server = undefined;
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
    this.log.info('Terminated proxy');
  }

  /**
   * Applies a proxy update as the real server does: a changed listen or upstream stops the
   * proxy (dropping its connections) before the enabled flag is applied.
   */
  async update(settings: ProxySettings): Promise<void> {
    if (await this.differs(settings)) {
      this.stop();
      this.listen = settings.listen;
      this.upstream = settings.upstream;
    }
    if (settings.enabled !== this.enabled) {
      if (settings.enabled) await this.start();
      else this.stop();
    }
  }

  /** Returns whether `settings` name another listen address (after resolving it) or upstream. */
  async differs(settings: Pick<ProxySettings, 'listen' | 'upstream'>): Promise<boolean> {
    let listen: string;
    try {
      listen = await canonicalAddress(settings.listen);
    } catch (error) {
      throw new ApiError((error as Error).message, 500);
    }
    return this.listen !== listen || this.upstream !== settings.upstream;
  }

  /** Toxics in the API's order: upstream ones first, each direction in the order added. */
  listToxics(): Toxic[] {
    return [...this.toxics.upstream, ...this.toxics.downstream];
  }

  findToxic(name: string): Toxic | undefined {
    return this.listToxics().find((toxic) => toxic.name === name);
  }

  toxicsFor(direction: Direction): readonly Toxic[] {
    return this.toxics[direction];
  }

  /** Appends the toxic to its direction's chain, also on every open connection. */
  addToxic(toxic: Toxic): void {
    this.toxics[toxic.direction].push(toxic);
    for (const connection of this.connections) connection.linkFor(toxic.direction)?.addToxic(toxic);
  }

  /** Passes a toxic's changed settings to every open connection. */
  updateToxic(toxic: Toxic): void {
    for (const connection of this.connections) connection.linkFor(toxic.direction)?.updateToxic(toxic);
  }

  removeToxic(name: string): void {
    const toxic = this.findToxic(name);
    if (!toxic) throw toxicNotFound();
    const list = this.toxics[toxic.direction];
    list.splice(list.indexOf(toxic), 1);
    for (const connection of this.connections) connection.linkFor(toxic.direction)?.removeToxic(toxic);
  }

  removeAllToxics(): void {
    for (const toxic of this.listToxics()) this.removeToxic(toxic.name);
  }

  forget(connection: Connection): void {
    this.connections.delete(connection);
  }

  private accept(client: Socket): void {
    const connection = new Connection(this, client);
    this.connections.add(connection);
    connection.open();
  }
}

async function splitAndResolve(address: string): Promise<{ host: string | undefined; port: number }> {
  const { host, port } = splitHostPort(address);
  return { host: await resolveHost(host), port };
}

/**
 * A client connection and its upstream connection, joined by two links. As in the real
 * server, the upstream is dialled only when the client connects, and a failed dial closes
 * the client.
 */
class Connection implements LinkOwner {
  private upstream: Socket | undefined;
  private upstreamLink: Link | undefined;
  private downstreamLink: Link | undefined;
  private readonly log: Logger;

  constructor(
    private readonly proxy: Proxy,
    private readonly client: Socket,
  ) {
    this.log = proxy.log.child({ client: `${client.remoteAddress}:${client.remotePort}` });
  }

  open(): void {
    this.log.debug('Accepted client');
    this.client.setNoDelay(true);
    this.client.on('error', (error) => this.log.debug({ err: error }, 'Client socket error'));

    let target;
    try {
      target = splitHostPort(this.proxy.upstream);
    } catch (error) {
      this.log.error({ err: error, upstream: this.proxy.upstream }, 'Unable to open connection to upstream');
      this.destroy();
      return;
    }
    const upstream = createConnection({ host: target.host || 'localhost', port: target.port, allowHalfOpen: true });
    this.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('error', (error) => {
      if (!this.upstreamLink) this.log.error({ err: error, upstream: this.proxy.upstream }, 'Unable to open connection to upstream');
      else this.log.debug({ err: error }, 'Upstream socket error');
    });
    upstream.once('connect', () => this.join(upstream));

    let open = 2;
    const onClose = (socket: Socket) => {
      if (--open === 0) this.proxy.forget(this);
      if (!this.upstreamLink) {
        this.destroy();
        return;
      }
      // A socket that closed can neither be read nor written: both links that use it end.
      for (const link of [this.upstreamLink, this.downstreamLink]) {
        if (link && (link.source === socket || link.dest === socket)) link.endSource();
      }
    };
    this.client.once('close', () => onClose(this.client));
    upstream.once('close', () => onClose(upstream));
  }

  linkFor(direction: Direction): Link | undefined {
    return direction === 'upstream' ? this.upstreamLink : this.downstreamLink;
  }

  /**
   * Closes the link's destination and stops the other link from reading it.
   * Inferred from the real server: it closes the whole destination socket when a direction
   * ends, so the other direction's read fails. A client's half-close therefore ends the
   * connection, and data the server sends after it is lost.
   */
  linkFinished(link: Link): void {
    if (!link.dest.destroyed) link.dest.end();
    const other = link === this.upstreamLink ? this.downstreamLink : this.upstreamLink;
    other?.endSource();
    if (this.upstreamLink?.finished && this.downstreamLink?.finished) {
      destroyWhenFlushed(this.client);
      if (this.upstream) destroyWhenFlushed(this.upstream);
    }
  }

  reset(): void {
    this.log.debug('Resetting connection');
    resetSocket(this.client);
    if (this.upstream) resetSocket(this.upstream);
  }

  destroy(): void {
    this.client.destroy();
    this.upstream?.destroy();
  }

  private join(upstream: Socket): void {
    if (this.client.destroyed) {
      upstream.destroy();
      return;
    }
    this.upstreamLink = new Link('upstream', this.client, upstream, this, this.proxy.toxicsFor('upstream'));
    this.downstreamLink = new Link('downstream', upstream, this.client, this, this.proxy.toxicsFor('downstream'));
    this.upstreamLink.start();
    this.downstreamLink.start();
    this.client.resume();
  }
}

function destroyWhenFlushed(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableFinished) socket.destroy();
  else socket.once('finish', () => socket.destroy());
}

function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
