/**
 * Each fault kind on a real bed, measured from outside: every test fails if its fault has no
 * effect. One bed serves the whole file; faults are healed between tests.
 */
import { connect } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resolver } from 'node:dns/promises';
import { execa } from 'execa';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { DockerBed } from '../../harness/bed/docker/docker-bed.js';
import { FaultEngine } from '../../harness/faults/engine.js';
import { HistoryRecorder } from '../../harness/history/recorder.js';
import { ensureImages } from '../../harness/images/index.js';
import { parseScenario } from '../../harness/scenario/load.js';
import type { LinkFaultStep, NodeName } from '../../harness/scenario/schema.js';
import { SeededRandom } from '../../harness/workload/random.js';
import { seedAccounts } from '../../harness/workload/seed.js';

interface Greeting {
  text: string;
  error?: string;
  ms: number;
}

/** Connects, and returns what arrived before the server closed, `ms` passed, or an error. */
function greet(host: string, port: number, timeoutMs = 3000): Promise<Greeting> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let text = '';
    const finish = (error?: string) => {
      socket.destroy();
      clearTimeout(timer);
      resolve({ text, error, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n')) finish();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    socket.on('close', () => finish(text ? undefined : 'closed'));
  });
}

const scenario = parseScenario(
  { name: 'fault-effects', question: 'Does every fault kind change what the bed does?', topology: { accounts: 1, seedMessagesPerFolder: 5 }, workload: { clients: 1 }, steps: [{ action: 'run', seconds: 1 }] },
  'faults.test.ts',
);
const log = pino({ level: 'silent' });
let bed: DockerBed;
let history: HistoryRecorder;
let faults: FaultEngine;

function link(step: Partial<LinkFaultStep> & Pick<LinkFaultStep, 'link' | 'toxic'>): LinkFaultStep {
  return { action: 'link-fault', direction: 'both', toxicity: 1, attributes: {}, ...step } as LinkFaultStep;
}

async function imapGreeting(node: NodeName, timeoutMs = 3000): Promise<Greeting> {
  const route = bed.route('client-1', node);
  return greet(route.host, route.port, timeoutMs);
}

beforeAll(async () => {
  const images = await ensureImages({ names: ['courier', 'bind', 'toxiproxy'], builder: 'auto' });
  const dir = await mkdtemp(join(tmpdir(), 'mailha-faults-'));
  bed = await DockerBed.start({
    scenario,
    runId: `mailha-test-faults-${process.pid}`,
    accounts: [{ login: 'user1', password: 'secret-1' }],
    images: { courier: images.courier, bind: images.bind, toxiproxy: images.toxiproxy },
    realToxiproxy: false,
    log,
    logDir: join(dir, 'nodes'),
  });
  history = new HistoryRecorder();
  faults = new FaultEngine(bed, history, 1, log);
  await seedAccounts({ address: bed.address('primary-1'), node: 'primary-1', accounts: [{ login: 'user1', password: 'secret-1' }], messagesPerFolder: 5, history, random: new SeededRandom(1), runId: 'faults', messageIdDomain: 'mailha.test' });
});

afterEach(async () => {
  await faults.healAll();
});

afterAll(async () => {
  await bed?.close();
});

describe('node faults', () => {
  test('baseline greeting through proxy', async () => {
    const greeting = await imapGreeting('primary-1');
    expect(greeting.text).toMatch(/^\* OK/);
  });

  test('kill stops the greeting', async () => {
    await faults.nodeFault('kill', 'primary-1');
    expect((await imapGreeting('primary-1')).text).toBe('');
    await faults.nodeRecover('start', 'primary-1');
    expect((await imapGreeting('primary-1')).text).toMatch(/^\* OK/);
  });

  test('stop stops the greeting', async () => {
    await faults.nodeFault('stop', 'backup');
    expect((await imapGreeting('backup')).text).toBe('');
    await faults.nodeRecover('start', 'backup');
    expect((await imapGreeting('backup')).text).toMatch(/^\* OK/);
  });

  test('pause freezes the greeting', async () => {
    await faults.nodeFault('pause', 'primary-2');
    const frozen = await imapGreeting('primary-2', 2000);
    expect(frozen.text).toBe('');
    expect(frozen.error).toBe('timeout');
    await faults.nodeRecover('resume', 'primary-2');
    expect((await imapGreeting('primary-2')).text).toMatch(/^\* OK/);
  });

  test('restart is recorded and recovers', async () => {
    const startedAt = async () => (await execa('docker', ['inspect', '--format', '{{.State.StartedAt}}', `${bed.runId}-primary-2`])).stdout;
    const before = await startedAt();
    await faults.restart('primary-2');
    expect(await startedAt()).not.toBe(before);
    const events = history.entries.filter((entry) => entry.type === 'event' && entry.name === 'restart');
    expect(events.map((event) => (event as { phase: string }).phase)).toEqual(['start', 'end']);
    expect((await imapGreeting('primary-2')).text).toMatch(/^\* OK/);
  });

  test('timed fault heals itself', async () => {
    await faults.nodeFault('pause', 'primary-1', 1);
    expect((await imapGreeting('primary-1', 500)).text).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await imapGreeting('primary-1')).text).toMatch(/^\* OK/);
  });

  test('stopped DNS answers nothing', async () => {
    const resolver = new Resolver({ timeout: 500, tries: 1 });
    resolver.setServers([bed.dnsServer]);
    expect(await resolver.resolve4(bed.imapHostname)).toHaveLength(2);
    await faults.nodeFault('stop', 'dns');
    await expect(resolver.resolve4(bed.imapHostname)).rejects.toThrow();
    await faults.nodeRecover('start', 'dns');
    expect(await resolver.resolve4(bed.imapHostname)).toHaveLength(2);
  });
});

describe('link faults', () => {
  test('latency delays the greeting', async () => {
    const baseline = await imapGreeting('backup');
    await faults.linkFault(link({ id: 'slow', link: 'client-1->backup', toxic: 'latency', direction: 'downstream', attributes: { latency: 400 } }), 0);
    const slowed = await imapGreeting('backup');
    expect(slowed.text).toMatch(/^\* OK/);
    expect(slowed.ms).toBeGreaterThanOrEqual(baseline.ms + 350);
  });

  test('partition silences the link', async () => {
    await faults.linkFault(link({ id: 'cut', link: 'clients->site-a', toxic: 'partition' }), 0);
    const cut = await imapGreeting('primary-2', 1500);
    expect(cut.text).toBe('');
    await faults.healLinks('cut');
    expect((await imapGreeting('primary-2')).text).toMatch(/^\* OK/);
  });

  test('timeout toxic closes the link', async () => {
    await faults.linkFault(link({ id: 'drop', link: 'client-1->primary-1', toxic: 'timeout', attributes: { timeout: 300 } }), 0);
    const dropped = await imapGreeting('primary-1', 2000);
    expect(dropped.text).toBe('');
    expect(dropped.error).toBe('closed');
  });

  test('reset_peer resets the connection', async () => {
    await faults.linkFault(link({ id: 'rst', link: 'client-1->primary-1', toxic: 'reset_peer', direction: 'downstream', attributes: { timeout: 0 } }), 0);
    const reset = await imapGreeting('primary-1', 2000);
    expect(reset.text).toBe('');
    expect(reset.error).toBe('ECONNRESET');
  });

  test('limit_data cuts the greeting short', async () => {
    await faults.linkFault(link({ id: 'limit', link: 'client-1->primary-1', toxic: 'limit_data', direction: 'downstream', attributes: { bytes: 5 } }), 0);
    const short = await imapGreeting('primary-1', 2000);
    expect(short.text.length).toBeLessThanOrEqual(5);
    expect(short.text.includes('\r\n')).toBe(false);
  });

  test('slicer delivers in slices', async () => {
    await faults.linkFault(link({ id: 'slice', link: 'client-1->backup', toxic: 'slicer', direction: 'downstream', attributes: { average_size: 2, delay: 50_000 } }), 0);
    const sliced = await imapGreeting('backup', 8000);
    expect(sliced.text).toMatch(/^\* OK/);
    // A greeting of ~100 bytes in 2-byte slices 50 ms apart takes well over a second.
    expect(sliced.ms).toBeGreaterThan(1000);
  });

  test('slow_close holds the close back', async () => {
    const closeAfterLogout = async () => {
      const route = bed.route('client-1', 'primary-2');
      const socket = connect({ host: route.host, port: route.port });
      await new Promise((resolve) => socket.once('data', resolve));
      const sent = Date.now();
      socket.write('a1 LOGOUT\r\n');
      socket.resume();
      await new Promise((resolve) => socket.once('close', resolve));
      return Date.now() - sent;
    };
    const baseline = await closeAfterLogout();
    await faults.linkFault(link({ id: 'linger', link: 'client-1->primary-2', toxic: 'slow_close', direction: 'downstream', attributes: { delay: 1500 } }), 0);

    const delayed = await closeAfterLogout();

    expect(delayed).toBeGreaterThanOrEqual(baseline + 1200);
  });

  test('bandwidth slows replication', async () => {
    await faults.linkFault(link({ id: 'thin', link: 'replication', toxic: 'bandwidth', direction: 'both', attributes: { rate: 20 } }), 0);
    const outcome = await bed.sync();
    expect(outcome.ok).toBe(true);
    const bytes = outcome.stats.bytes ?? 0;
    expect(bytes).toBeGreaterThan(20_000);
    // At 20 KB/s the transfer cannot be faster than bytes / 20000 seconds; allow 20 % slack.
    expect(outcome.durationMs).toBeGreaterThanOrEqual((bytes / 20_000) * 1000 * 0.8);
  });

  test('partition makes a sync fail', async () => {
    await faults.linkFault(link({ id: 'wan-cut', link: 'replication', toxic: 'partition' }), 0);
    const sync = bed.sync();
    const early = await Promise.race([sync.then(() => 'finished'), new Promise((resolve) => setTimeout(() => resolve('pending'), 3000))]);
    expect(early).toBe('pending');
    await faults.healLinks('wan-cut');
    expect((await sync).ok).toBe(false);
  });
});

describe('site faults and healing', () => {
  test('site-down darkens the site', async () => {
    await faults.siteDown('site-a');
    expect((await imapGreeting('primary-1', 1500)).text).toBe('');
    expect((await imapGreeting('primary-2', 1500)).text).toBe('');
    expect((await imapGreeting('backup')).text).toMatch(/^\* OK/);
    await faults.siteUp('site-a');
    expect((await imapGreeting('primary-1')).text).toMatch(/^\* OK/);
  });

  test('healing check sees leftovers', async () => {
    await bed.links.addToxic('client-1_backup', { name: 'forgotten', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 10 } });
    await bed.pause(['primary-2']);

    const leftovers = await faults.leftovers();

    expect(leftovers.some((line) => line.includes('forgotten'))).toBe(true);
    expect(leftovers.some((line) => line.includes('primary-2 is paused'))).toBe(true);
    await bed.resume(['primary-2']);
    await bed.links.reset();
    expect(await faults.leftovers()).toEqual([]);
  });
});
