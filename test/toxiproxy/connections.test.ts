import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Toxiproxy, type ICreateToxicBody, type Proxy } from 'toxiproxy-node-client';
import { collect, connectTo, openPair, openTarget, pattern, startUpstream, uniqueName, type ApiTarget, type Upstream } from './helpers.js';

let target: ApiTarget;
let client: Toxiproxy;
let upstream: Upstream;
const proxies: Proxy[] = [];

beforeAll(async () => {
  target = await openTarget();
  client = new Toxiproxy(target.url);
  upstream = await startUpstream();
});

afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.remove().catch(() => {});
});

afterAll(async () => {
  await upstream.close();
  await target.close();
});

async function createProxy(prefix: string, to = upstream.address): Promise<Proxy> {
  const proxy = await client.createProxy({ name: uniqueName(prefix), listen: '127.0.0.1:0', upstream: to });
  proxies.push(proxy);
  return proxy;
}

function connectError(address: string): Promise<string | undefined> {
  return connectTo(address).then(
    (socket) => {
      socket.destroy();
      return undefined;
    },
    (error: NodeJS.ErrnoException) => error.code,
  );
}

describe('proxied connection', () => {
  test('passes data both ways unchanged', async () => {
    const proxy = await createProxy('passthrough');
    const { client: socket, server } = await openPair(proxy.listen, upstream);
    const payload = pattern(1_000_000);

    const atServer = collect(server, 5000, payload.length);
    socket.write(payload);
    expect((await atServer).data.equals(payload)).toBe(true);

    const atClient = collect(socket, 5000, payload.length);
    server.write(payload);
    expect((await atClient).data.equals(payload)).toBe(true);
    socket.destroy();
  });

  test('upstream close closes the client', async () => {
    const proxy = await createProxy('upstream-close');
    const { client: socket, server } = await openPair(proxy.listen, upstream);
    const atClient = collect(socket, 3000);
    server.end('bye');
    const received = await atClient;
    expect(received.data.toString()).toBe('bye');
    expect(received.ended).toBe(true);
  });

  test('unreachable upstream closes the client', async () => {
    const proxy = await createProxy('no-upstream', '127.0.0.1:9');
    const socket = await connectTo(proxy.listen);
    const received = await collect(socket, 3000);
    expect(received.closedAfter).toBeDefined();
    expect(received.data.length).toBe(0);
  });
});

describe('enable and disable', () => {
  test('disable closes connections and refuses new ones', async () => {
    const proxy = await createProxy('disable');
    const { client: socket } = await openPair(proxy.listen, upstream);
    const atClient = collect(socket, 3000);

    await proxy.update({ enabled: false, listen: proxy.listen, upstream: upstream.address });
    expect((await atClient).closedAfter).toBeDefined();
    expect(await connectError(proxy.listen)).toBe('ECONNREFUSED');

    const enabled = await proxy.update({ enabled: true, listen: proxy.listen, upstream: upstream.address });
    expect(enabled.listen).toBe(proxy.listen);
    const { client: again, server } = await openPair(proxy.listen, upstream);
    const atServer = collect(server, 3000, 5);
    again.write('hello');
    expect((await atServer).data.toString()).toBe('hello');
    again.destroy();
  });

  test('delete closes connections and the listener', async () => {
    const proxy = await client.createProxy({ name: uniqueName('delete'), listen: '127.0.0.1:0', upstream: upstream.address });
    const { client: socket, server } = await openPair(proxy.listen, upstream);
    const atClient = collect(socket, 3000);
    const atServer = collect(server, 3000);
    await proxy.remove();
    expect((await atClient).closedAfter).toBeDefined();
    expect((await atServer).closedAfter).toBeDefined();
    expect(await connectError(proxy.listen)).toBe('ECONNREFUSED');
  });

  test('changing the upstream drops connections', async () => {
    const proxy = await createProxy('restart');
    const { client: socket } = await openPair(proxy.listen, upstream);
    const atClient = collect(socket, 3000);
    const otherSpelling = upstream.address.replace('127.0.0.1', 'localhost');
    const updated = await proxy.update({ enabled: true, listen: proxy.listen, upstream: otherSpelling });
    expect(updated.enabled).toBe(true);
    expect((await atClient).closedAfter).toBeDefined();
  });

  test('reset re-enables a disabled proxy', async () => {
    const proxy = await createProxy('reset-enable');
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: upstream.address });
    expect(await connectError(proxy.listen)).toBe('ECONNREFUSED');
    await client.reset();
    const { client: socket, server } = await openPair(proxy.listen, upstream);
    const atServer = collect(server, 3000, 2);
    socket.write('ok');
    expect((await atServer).data.toString()).toBe('ok');
    socket.destroy();
  });

  test('reset closes connections held by a timeout toxic', async () => {
    const proxy = await createProxy('reset-timeout');
    await proxy.addToxic({ type: 'timeout', attributes: { timeout: 0 } } as unknown as ICreateToxicBody<unknown>);
    const { client: socket } = await openPair(proxy.listen, upstream);
    const atClient = collect(socket, 3000);
    await client.reset();
    expect((await atClient).closedAfter).toBeDefined();
  });
});
