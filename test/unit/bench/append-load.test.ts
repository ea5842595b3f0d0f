/** The APPEND load against a scripted IMAP server on loopback that delays each APPEND's tagged OK. */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { AppendLoadError, runAppendLoad } from '../../../harness/bench/append/append-load.js';

const DELAY_MS = 40;

interface ScriptedServer {
  port: number;
  /** Maximum number of APPENDs awaiting their tagged reply at the same time. */
  maxInFlight: number;
  appends: number;
}

let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

/**
 * Starts a server that accepts any login, replies to APPEND after `delayMs` with OK (or with NO for
 * the APPEND numbered `rejectAt`, counting from 1) and every other command at once with OK.
 */
async function startServer(delayMs: number, rejectAt?: number): Promise<ScriptedServer> {
  const state: ScriptedServer = { port: 0, maxInFlight: 0, appends: 0 };
  let inFlight = 0;
  const reply = (socket: Socket, tag: string, line: string) => {
    const command = line.split(' ')[1]?.toUpperCase();
    if (command === 'LOGOUT') {
      socket.end(`* BYE bye\r\n${tag} OK LOGOUT completed\r\n`);
      return;
    }
    if (command !== 'APPEND') {
      socket.write(`${tag} OK ${command} completed\r\n`);
      return;
    }
    state.appends += 1;
    const status = state.appends === rejectAt ? 'NO [OVERQUOTA] mailbox is full' : 'OK [APPENDUID 1 1] APPEND completed';
    inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      if (!socket.destroyed) socket.write(`${tag} ${status}\r\n`);
    }, delayMs);
  };

  server = createServer((socket) => {
    socket.on('error', () => {});
    socket.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] scripted server ready\r\n');
    let pending = '';
    let literal: { line: string; size: number } | undefined;
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      for (;;) {
        if (literal) {
          if (pending.length < literal.size + 2) return;
          pending = pending.slice(literal.size + 2);
          reply(socket, literal.line.split(' ')[0], literal.line);
          literal = undefined;
          continue;
        }
        const end = pending.indexOf('\r\n');
        if (end < 0) return;
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const size = /\{(\d+)\}$/.exec(line);
        if (size) {
          literal = { line, size: Number(size[1]) };
          socket.write('+ go ahead\r\n');
          continue;
        }
        reply(socket, line.split(' ')[0], line);
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  state.port = (server!.address() as AddressInfo).port;
  return state;
}

const ACCOUNTS = [
  { login: 'bench1', password: 'secret-1' },
  { login: 'bench2', password: 'secret-2' },
  { login: 'bench3', password: 'secret-3' },
];

describe('runAppendLoad', () => {
  test('times each APPEND to its tagged OK', async () => {
    const scripted = await startServer(DELAY_MS);
    const samples = await runAppendLoad({ config: 'scripted', host: '127.0.0.1', port: scripted.port, accounts: ACCOUNTS, messages: 9, warmupPerClient: 1, seed: 1 });

    expect(samples).toHaveLength(9 + 3);
    expect(scripted.appends).toBe(12);
    for (const sample of samples) expect(sample.latencyMs, `latency of message ${sample.index}`).toBeGreaterThanOrEqual(DELAY_MS - 1);
  });

  test('keeps one APPEND per client in flight', async () => {
    const scripted = await startServer(DELAY_MS);
    const samples = await runAppendLoad({ config: 'scripted', host: '127.0.0.1', port: scripted.port, accounts: ACCOUNTS, messages: 12, warmupPerClient: 0, seed: 1 });

    expect(scripted.maxInFlight).toBe(ACCOUNTS.length);
    expect(new Set(samples.map((sample) => sample.client))).toEqual(new Set([1, 2, 3]));
    expect(samples.map((sample) => sample.index).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
  });

  test('puts warm-up before the measured start', async () => {
    const scripted = await startServer(5);
    const samples = await runAppendLoad({ config: 'scripted', host: '127.0.0.1', port: scripted.port, accounts: ACCOUNTS.slice(0, 2), messages: 4, warmupPerClient: 2, seed: 1 });
    const warmup = samples.filter((sample) => sample.warmup);
    const measured = samples.filter((sample) => !sample.warmup);

    expect(warmup).toHaveLength(4);
    expect(measured).toHaveLength(4);
    for (const sample of warmup) expect(sample.startMs + sample.latencyMs, `warm-up message ${sample.index} ends`).toBeLessThanOrEqual(0);
    for (const sample of measured) expect(sample.startMs, `measured message ${sample.index} starts`).toBeGreaterThanOrEqual(0);
  });

  test('sends corpus messages of their real size', async () => {
    const scripted = await startServer(1);
    const samples = await runAppendLoad({ config: 'scripted', host: '127.0.0.1', port: scripted.port, accounts: ACCOUNTS.slice(0, 1), messages: 5, warmupPerClient: 0, seed: 7 });

    for (const sample of samples) {
      expect(sample.bytes).toBeGreaterThan(100);
      expect(sample.source).toMatch(/^[a-z0-9-]+\/\d+$/);
    }
  });

  test('rejected APPEND raises AppendLoadError', async () => {
    const scripted = await startServer(5, 3);
    const run = runAppendLoad({ config: 'scripted', host: '127.0.0.1', port: scripted.port, accounts: ACCOUNTS.slice(0, 1), messages: 6, warmupPerClient: 0, seed: 1 });

    await expect(run).rejects.toBeInstanceOf(AppendLoadError);
    await expect(run).rejects.toThrow(/APPEND of message 2 .* by client 1 in configuration scripted failed: .*mailbox is full/);
    expect(scripted.appends).toBe(3);
  });
});
