import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Socket } from 'node:net';
import { Toxiproxy, type ICreateToxicBody, type Proxy, type Toxic } from 'toxiproxy-node-client';
import { collect, openPair, openTarget, pattern, sleep, startUpstream, uniqueName, type ApiTarget, type Upstream } from './helpers.js';

// Each behaviour test measures a toxic's effect and fails when the toxic passes data
// unchanged. Timing bounds have room above the asked value for a loaded 2-core CI machine.

let target: ApiTarget;
let client: Toxiproxy;
let upstream: Upstream;
const proxies: Proxy[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  target = await openTarget();
  client = new Toxiproxy(target.url);
  upstream = await startUpstream();
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const proxy of proxies.splice(0)) await proxy.remove().catch(() => {});
});

afterAll(async () => {
  await upstream.close();
  await target.close();
});

type Stream = 'upstream' | 'downstream';

/** Opens a connection through a new proxy with one toxic, and returns its sender and receiver for `stream`. */
async function openWithToxic(stream: Stream, type: string, attributes: Record<string, number>, toxicity = 1) {
  const proxy = await client.createProxy({ name: uniqueName(type), listen: '127.0.0.1:0', upstream: upstream.address });
  proxies.push(proxy);
  const toxic = await proxy.addToxic({ type, stream, toxicity, attributes } as unknown as ICreateToxicBody<unknown>);
  const pair = await openPair(proxy.listen, upstream);
  sockets.push(pair.client, pair.server);
  // Upstream is client to server; downstream is server to client.
  const [sender, receiver] = stream === 'upstream' ? [pair.client, pair.server] : [pair.server, pair.client];
  return { proxy, toxic: toxic as Toxic<unknown>, sender, receiver, ...pair };
}

describe.each<Stream>(['upstream', 'downstream'])('%s', (stream) => {
  test('latency delays data', async () => {
    const { sender, receiver } = await openWithToxic(stream, 'latency', { latency: 150, jitter: 0 });
    const received = collect(receiver, 3000, 5);
    sender.write('hello');
    const { data, chunkTimes } = await received;
    expect(data.toString()).toBe('hello');
    expect(chunkTimes[0]).toBeGreaterThanOrEqual(150);
    expect(chunkTimes[0]).toBeLessThan(150 + 300);
  });

  test('latency jitter stays in range', async () => {
    const { sender, receiver } = await openWithToxic(stream, 'latency', { latency: 100, jitter: 50 });
    for (let round = 0; round < 3; round++) {
      const received = collect(receiver, 3000, 1);
      sender.write('x');
      const { chunkTimes } = await received;
      expect(chunkTimes[0]).toBeGreaterThanOrEqual(50);
      expect(chunkTimes[0]).toBeLessThan(150 + 300);
    }
  });

  test('bandwidth paces to the rate within 5 %', async () => {
    const rateKBps = 500;
    const bytes = 500_000;
    const { sender, receiver } = await openWithToxic(stream, 'bandwidth', { rate: rateKBps });
    const received = collect(receiver, 5000, bytes);
    sender.write(pattern(bytes));
    const { data, chunkTimes } = await received;
    expect(data.equals(pattern(bytes))).toBe(true);
    const expectedMs = (bytes / (rateKBps * 1000)) * 1000;
    const elapsedMs = chunkTimes.at(-1)!;
    expect(elapsedMs).toBeGreaterThanOrEqual(expectedMs * 0.95);
    expect(elapsedMs).toBeLessThanOrEqual(expectedMs * 1.05);
  });

  test('slow_close delays the close', async () => {
    const { sender, receiver } = await openWithToxic(stream, 'slow_close', { delay: 300 });
    const received = collect(receiver, 3000);
    sender.end('last');
    const { data, closedAfter } = await received;
    expect(data.toString()).toBe('last');
    expect(closedAfter).toBeGreaterThanOrEqual(290);
    expect(closedAfter).toBeLessThan(300 + 1000);
  });

  test('timeout drops data then closes', async () => {
    const { sender, receiver } = await openWithToxic(stream, 'timeout', { timeout: 300 });
    const received = collect(receiver, 3000);
    sender.write('dropped');
    const { data, closedAfter } = await received;
    expect(data.length).toBe(0);
    expect(closedAfter).toBeGreaterThanOrEqual(250);
    expect(closedAfter).toBeLessThan(300 + 1000);
  });

  test('timeout 0 holds until removed', async () => {
    const { sender, receiver, toxic } = await openWithToxic(stream, 'timeout', { timeout: 0 });
    const whileHeld = collect(receiver, 500);
    sender.write('dropped');
    const duringHold = await whileHeld;
    expect(duringHold.data.length).toBe(0);
    expect(duringHold.closedAfter).toBeUndefined();

    const afterRemoval = collect(receiver, 2000);
    await toxic.remove();
    expect((await afterRemoval).closedAfter).toBeDefined();
  });

  test('reset_peer resets the connection', async () => {
    const { sender, client: clientSocket } = await openWithToxic(stream, 'reset_peer', { timeout: 200 });
    const atClient = collect(clientSocket, 3000);
    sender.write('trigger');
    const { data, errorCode, closedAfter } = await atClient;
    expect(data.length).toBe(0);
    expect(errorCode).toBe('ECONNRESET');
    expect(closedAfter).toBeGreaterThanOrEqual(190);
  });

  test('slicer splits chunks', async () => {
    const payload = pattern(100);
    const { sender, receiver } = await openWithToxic(stream, 'slicer', { average_size: 10, size_variation: 0, delay: 20_000 });
    const received = collect(receiver, 3000, payload.length);
    sender.write(payload);
    const { data, chunkSizes } = await received;
    expect(data.equals(payload)).toBe(true);
    expect(chunkSizes.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...chunkSizes)).toBeLessThanOrEqual(20);
  });

  test('limit_data closes after the limit', async () => {
    const { sender, receiver } = await openWithToxic(stream, 'limit_data', { bytes: 50 });
    const received = collect(receiver, 3000);
    sender.write(pattern(120));
    await sleep(50);
    sender.write(pattern(80));
    const { data, closedAfter } = await received;
    expect(data.equals(pattern(50))).toBe(true);
    expect(closedAfter).toBeDefined();
  });

  test('toxicity 0 passes data unchanged', async () => {
    const payload = pattern(2000);
    const { proxy, sender, receiver } = await openWithToxic(stream, 'limit_data', { bytes: 1 }, 0);
    await proxy.addToxic({ type: 'latency', stream, toxicity: 0, attributes: { latency: 1000 } } as unknown as ICreateToxicBody<unknown>);
    const received = collect(receiver, 3000, payload.length);
    sender.write(payload);
    const { data, chunkTimes, closedAfter } = await received;
    expect(data.equals(payload)).toBe(true);
    expect(chunkTimes.at(-1)).toBeLessThan(500);
    expect(closedAfter).toBeUndefined();
  });

  test('toxic added to an open connection acts', async () => {
    const proxy = await client.createProxy({ name: uniqueName('live'), listen: '127.0.0.1:0', upstream: upstream.address });
    proxies.push(proxy);
    const pair = await openPair(proxy.listen, upstream);
    sockets.push(pair.client, pair.server);
    const [sender, receiver] = stream === 'upstream' ? [pair.client, pair.server] : [pair.server, pair.client];
    await proxy.addToxic({ type: 'latency', stream, attributes: { latency: 200 } } as unknown as ICreateToxicBody<unknown>);
    const received = collect(receiver, 3000, 4);
    sender.write('late');
    const { chunkTimes } = await received;
    expect(chunkTimes[0]).toBeGreaterThanOrEqual(200);
  });
});
