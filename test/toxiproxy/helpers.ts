/**
 * Shared set-up for the Toxiproxy contract tests. They run against the server at
 * TOXIPROXY_URL when it is set (for example a real Toxiproxy 2.12 on this machine), else
 * against mailha's server started on 127.0.0.1 with a free port. All traffic stays on
 * loopback: proxies listen on 127.0.0.1 and upstreams are servers started here.
 */
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { startToxiproxyServer, type ToxiproxyServer } from '../../harness/toxiproxy/server.js';

export interface ApiTarget {
  url: string;
  close(): Promise<void>;
}

/** Returns the server under test; `close` stops it only when this process started it. */
export async function openTarget(): Promise<ApiTarget> {
  const external = process.env.TOXIPROXY_URL;
  if (external) return { url: external.replace(/\/$/, ''), close: async () => {} };
  const server: ToxiproxyServer = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  return server;
}

/** Returns a proxy name no other test uses, so tests can share one server. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Sends a request with fetch and returns status, content type and raw body. */
export async function request(url: string, method: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(url, { method, body, headers });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/** A TCP server on 127.0.0.1 that hands each accepted socket to the test. */
export interface Upstream {
  address: string;
  /** Resolves with the next accepted server-side socket. */
  accept(): Promise<Socket>;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const waiting: Array<(socket: Socket) => void> = [];
  const accepted: Socket[] = [];
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    const next = waiting.shift();
    if (next) next(socket);
    else accepted.push(socket);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    accept: () => {
      const ready = accepted.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Connects to `address` ("host:port") and resolves once connected. */
export function connectTo(address: string): Promise<Socket> {
  const colon = address.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)), allowHalfOpen: true });
    socket.setNoDelay(true);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A client socket through a proxy, and the upstream's socket for the same connection. */
export interface Pair {
  client: Socket;
  server: Socket;
}

export async function openPair(listen: string, upstream: Upstream): Promise<Pair> {
  const client = await connectTo(listen);
  const server = await upstream.accept();
  server.setNoDelay(true);
  return { client, server };
}

/** What a socket received until it closed or the time ran out. */
export interface Received {
  data: Buffer;
  /** Each `data` event's size, in order. */
  chunkSizes: number[];
  /** Milliseconds from the start of `collect` to each chunk. */
  chunkTimes: number[];
  ended: boolean;
  /** The error code the socket closed with, such as "ECONNRESET". */
  errorCode?: string;
  /** Milliseconds from the start of `collect` until the socket ended or closed. */
  closedAfter?: number;
}

/**
 * Collects what `socket` receives until it ends or closes, `bytes` have arrived (when
 * given), or `timeoutMs` passes.
 */
export function collect(socket: Socket, timeoutMs: number, bytes?: number): Promise<Received> {
  const start = performance.now();
  const chunks: Buffer[] = [];
  const received: Received = { data: Buffer.alloc(0), chunkSizes: [], chunkTimes: [], ended: false };
  let total = 0;
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      received.data = Buffer.concat(chunks);
      resolve(received);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      received.chunkSizes.push(chunk.length);
      received.chunkTimes.push(performance.now() - start);
      if (bytes !== undefined && total >= bytes) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', onData);
    socket.once('end', () => {
      received.ended = true;
      received.closedAfter ??= performance.now() - start;
      finish();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      received.errorCode = error.code;
    });
    socket.once('close', () => {
      received.closedAfter ??= performance.now() - start;
      finish();
    });
  });
}

/** Bytes 0..255 repeated, so a reordered or altered byte shows up in a comparison. */
export function pattern(length: number): Buffer {
  const buffer = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buffer[i] = i % 251;
  return buffer;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
