/**
 * Benchmark of mailha's Toxiproxy-compatible server on loopback. Measures, with no toxics,
 * throughput and small round-trip latency directly and through a proxy, then how close the
 * latency and bandwidth toxics come to the requested values. Prints a Markdown table.
 *
 * Run: npx tsx harness/bench/toxiproxy.ts     (about 25 s; every phase is bounded in time)
 *
 * The server runs in its own process (harness/toxiproxy/main.ts), as in the bed; the load
 * generator, echo server and sink share this process.
 */
import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';

const THROUGHPUT_SECONDS = 3;
const ROUND_TRIPS = 5000;
const MESSAGE_BYTES = 64;

interface Row {
  measure: string;
  direct: string;
  proxied: string;
  note: string;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

function open(address: string): Promise<Socket> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) }, () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** Starts the server in a child process and returns its URL and a stop function. */
async function startServerProcess(): Promise<{ url: string; stop: () => void }> {
  const main = fileURLToPath(new URL('../toxiproxy/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`toxiproxy server exited with code ${code} before listening`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/** Sends for THROUGHPUT_SECONDS and returns the rate the sink received, in Gbit/s. */
async function measureThroughput(address: string, sinkBytes: () => number): Promise<number> {
  const socket = await open(address);
  const block = Buffer.alloc(64 * 1024, 7);
  const startBytes = sinkBytes();
  const start = performance.now();
  const deadline = start + THROUGHPUT_SECONDS * 1000;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (performance.now() < deadline) {
        if (!socket.write(block)) {
          socket.once('drain', pump);
          return;
        }
      }
      resolve();
    };
    pump();
  });
  const bytes = sinkBytes() - startBytes;
  const seconds = (performance.now() - start) / 1000;
  socket.destroy();
  return (bytes * 8) / seconds / 1e9;
}

/** Returns round-trip times in ms of ROUND_TRIPS sequential echoes of a small message. */
async function measureRoundTrips(address: string, count = ROUND_TRIPS, bytes = MESSAGE_BYTES): Promise<number[]> {
  const socket = await open(address);
  const message = Buffer.alloc(bytes, 1);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await new Promise<void>((resolve) => {
      let received = 0;
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        if (received >= bytes) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
      socket.write(message);
    });
    times.push(performance.now() - start);
  }
  socket.destroy();
  return times;
}

/** Returns the time in ms until `bytes` sent by the upstream arrive at a client through `address`. */
async function measureDownload(address: string, bytes: number, upstreamSend: (size: number) => void): Promise<number> {
  const socket = await open(address);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= bytes) resolve();
    });
    upstreamSend(bytes);
  });
  const elapsed = performance.now() - start;
  socket.destroy();
  return elapsed;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

const format = (value: number, digits = 3) => value.toFixed(digits);

async function main(): Promise<void> {
  let sunk = 0;
  const sink = createServer((socket) => socket.on('data', (chunk: Buffer) => (sunk += chunk.length)));
  const echo = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => socket.write(chunk));
  });
  // A server that sends `size` bytes to each client on request, for the bandwidth toxic.
  let sendToClient: (size: number) => void = () => {};
  const source = createServer((socket) => {
    sendToClient = (size) => socket.write(Buffer.alloc(size, 3));
  });
  const sinkAddress = await listen(sink);
  const echoAddress = await listen(echo);
  const sourceAddress = await listen(source);
  const server = await startServerProcess();
  const api = new Toxiproxy(server.url);
  const rows: Row[] = [];

  try {
    const sinkProxy = await api.createProxy({ name: 'bench-sink', listen: '127.0.0.1:0', upstream: sinkAddress });
    const echoProxy = await api.createProxy({ name: 'bench-echo', listen: '127.0.0.1:0', upstream: echoAddress });
    const sourceProxy = await api.createProxy({ name: 'bench-source', listen: '127.0.0.1:0', upstream: sourceAddress });

    const directRate = await measureThroughput(sinkAddress, () => sunk);
    const proxiedRate = await measureThroughput(sinkProxy.listen, () => sunk);
    rows.push({ measure: 'throughput, no toxics (Gbit/s)', direct: format(directRate, 2), proxied: format(proxiedRate, 2), note: `${THROUGHPUT_SECONDS} s of 64 KiB writes, one connection` });

    await measureRoundTrips(echoAddress, 500);
    await measureRoundTrips(echoProxy.listen, 500);
    const direct = await measureRoundTrips(echoAddress);
    const proxied = await measureRoundTrips(echoProxy.listen);
    for (const [label, fraction] of [['p50', 0.5], ['p99', 0.99]] as const) {
      const directMs = percentile(direct, fraction);
      const proxiedMs = percentile(proxied, fraction);
      rows.push({
        measure: `round trip ${label} (ms)`,
        direct: format(directMs),
        proxied: format(proxiedMs),
        note: `added ${format(proxiedMs - directMs)} ms; ${ROUND_TRIPS} sequential ${MESSAGE_BYTES}-byte echoes`,
      });
    }

    for (const latency of [20, 100]) {
      const toxic = await echoProxy.addToxic({ type: 'latency', stream: 'downstream', attributes: { latency, jitter: 0 } } as unknown as ICreateToxicBody<unknown>);
      const times = await measureRoundTrips(echoProxy.listen, 20);
      const measured = percentile(times, 0.5) - percentile(proxied, 0.5);
      rows.push({ measure: `latency toxic ${latency} ms (ms)`, direct: String(latency), proxied: format(measured, 1), note: `median of 20 round trips minus the no-toxic median; error ${format(((measured - latency) / latency) * 100, 1)} %` });
      await toxic.remove();
    }

    for (const [rate, bytes] of [[100, 200_000], [1000, 2_000_000], [10_000, 10_000_000]] as const) {
      const toxic = await sourceProxy.addToxic({ type: 'bandwidth', stream: 'downstream', attributes: { rate } } as unknown as ICreateToxicBody<unknown>);
      const elapsed = await measureDownload(sourceProxy.listen, bytes, (size) => sendToClient(size));
      const measured = bytes / elapsed;
      rows.push({ measure: `bandwidth toxic ${rate} KB/s (KB/s)`, direct: String(rate), proxied: format(measured, 1), note: `${bytes / 1e6} MB downstream; error ${format(((measured - rate) / rate) * 100, 1)} %` });
      await toxic.remove();
    }
  } finally {
    server.stop();
    for (const net of [sink, echo, source]) net.close();
  }

  console.log('| measure | direct / asked | through proxy / measured | note |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.measure} | ${row.direct} | ${row.proxied} | ${row.note} |`);
  process.exit(0);
}

await main();
