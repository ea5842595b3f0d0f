/** Measures one cell: start a strategy, put the link's toxics on its path, probe, drain, stop. */
import type { Logger } from 'pino';
import type { Bed, NodeShell, ResourceUsage } from '../../bed/bed.js';
import type { Account } from '../../workload/client.js';
import { PROBE_ACCOUNTS, type Cell, type Timing } from './config.js';
import { BackupWatcher, clock, ProbeWriter, type Probe } from './probes.js';
import type { CellResult } from './result.js';
import { quantile, quantiles } from './stats.js';
import { createStrategy } from './strategies/index.js';
import type { SyncPass } from './strategies/strategy.js';

/** After a cell, the time its strategy gets to bring the backup level before the next cell starts. */
const CATCH_UP_MS = 180_000;

export interface CellContext {
  bed: Bed & NodeShell;
  accounts: readonly Account[];
  /** The bed's Courier administrator, for the IMAP copier's `admin` login. */
  admin: Account;
  timing: Timing;
  log: Logger;
  seed: number;
  /** Unique per cell within a bed, part of every probe's Message-ID. */
  tag: string;
  /** Aborting ends the drain and catch-up waits early; the cell still stops its strategy. */
  signal?: AbortSignal;
}

/** Adds the link's latency and bandwidth toxics to a proxy, in both directions. */
async function addLinkToxics(bed: Bed, proxy: string, cell: Cell): Promise<void> {
  for (const stream of ['upstream', 'downstream'] as const) {
    if (cell.link.latencyMs > 0) {
      await bed.links.addToxic(proxy, { name: `bench-latency-${stream}`, type: 'latency', stream, toxicity: 1, attributes: { latency: cell.link.latencyMs, jitter: 0 } });
    }
    if (cell.link.rateKBps !== null) {
      await bed.links.addToxic(proxy, { name: `bench-bandwidth-${stream}`, type: 'bandwidth', stream, toxicity: 1, attributes: { rate: cell.link.rateKBps } });
    }
  }
}

export async function runCell(cell: Cell, context: CellContext): Promise<CellResult> {
  const { bed, log } = context;
  const origin = performance.now();
  const now = clock(origin);
  const probeAccounts = context.accounts.slice(0, PROBE_ACCOUNTS);
  const strategy = createStrategy(cell.strategy, { bed, accounts: context.accounts, admin: context.admin, timing: context.timing, now, log });
  const primary = { host: bed.address('primary-1'), port: 143 };
  const backup = { host: bed.address('backup'), port: 143 };
  const writer = new ProbeWriter(primary, probeAccounts, context.tag, now, context.seed);
  const watcher = new BackupWatcher(backup, probeAccounts, now);
  let probes: Probe[] = [];
  let passes: SyncPass[] = [];
  let before: ResourceUsage | undefined;
  let after: ResourceUsage | undefined;
  let error: string | undefined;
  let probeEnd = 0;

  log.info({ cell }, 'Starting cell...');
  try {
    await strategy.start();
    await addLinkToxics(bed, strategy.proxy, cell);
    await watcher.start();
    await writer.open();
    before = await bed.usage();
    const probeStart = now();
    watcher.writing = true;
    await writer.run(cell.ratePerSecond, context.timing.probeSeconds, (probe) => watcher.expect(probe));
    watcher.writing = false;
    probeEnd = now() - probeStart;
    await watcher.drain(context.timing.drainSeconds * 1000, context.signal);
    after = await bed.usage();
    await strategy.collect?.();
    // A copy, because probes seen while the backup catches up below must stay unmeasured.
    probes = structuredClone(writer.probes);
    passes = strategy.passes();
  } catch (caught) {
    error = (caught as Error).message;
    log.error({ cell, err: caught }, 'Failed cell');
  } finally {
    await bed.links.reset().catch((caught) => log.warn({ err: caught }, 'Failed to remove the link toxics'));
    // Without toxics the strategy lets the backup catch up, so the next cell starts level.
    await watcher.drain(CATCH_UP_MS, context.signal).catch((caught) => log.warn({ err: caught }, 'The backup did not catch up after the cell'));
    if (watcher.missing > 0) log.warn({ cell, missing: watcher.missing }, 'The backup still lacks probes after the catch-up time');
    await watcher.stop().catch(() => {});
    await writer.close().catch(() => {});
    await strategy.stop().catch((caught) => log.warn({ err: caught }, 'Failed to stop the strategy'));
  }
  log.info({ cell, error }, 'Finished cell');
  return summarise(cell, probes, passes, watcher.pollMs, before, after, probeEnd, now(), error);
}

function summarise(
  cell: Cell,
  probes: Probe[],
  passes: SyncPass[],
  pollMs: number[],
  before: ResourceUsage | undefined,
  after: ResourceUsage | undefined,
  probePhaseMs: number,
  durationMs: number,
  error: string | undefined,
): CellResult {
  const acknowledged = probes.filter((probe) => probe.ackAt !== null);
  const seen = acknowledged.filter((probe) => probe.lagMs !== null);
  const lags = acknowledged.map((probe) => probe.lagMs ?? Infinity);
  const appendMs = quantile(acknowledged.map((probe) => probe.ackAt! - probe.sentAt), 0.5);
  const probeBytes = quantile(probes.map((probe) => probe.bytes), 0.5) ?? 0;
  const transferMs = cell.link.rateKBps === null ? 0 : probeBytes / cell.link.rateKBps;
  const median = (key: string) => quantile(passes.filter((pass) => key in pass.stats).map((pass) => pass.stats[key]), 0.5);
  const cpu = (node: 'primary-1' | 'backup') => (before && after ? ((after.cpuMicros[node] ?? 0) - (before.cpuMicros[node] ?? 0)) / 1e6 : 0);

  return {
    storeSize: cell.storeSize,
    ratePerSecond: cell.ratePerSecond,
    link: cell.link.name,
    strategy: cell.strategy,
    probes: {
      sent: probes.length,
      acknowledged: acknowledged.length,
      seen: seen.length,
      missing: acknowledged.length - seen.length,
      failed: probes.length - acknowledged.length,
    },
    achievedRate: probePhaseMs > 0 ? acknowledged.length / (probePhaseMs / 1000) : 0,
    lagMs: quantiles(lags),
    pollMs: { p50: quantile(pollMs, 0.5), p99: quantile(pollMs, 0.99) },
    appendMs,
    lowerBoundMs: 2 * cell.link.latencyMs + transferMs + (appendMs ?? 0),
    sync: {
      passes: passes.length,
      failed: passes.filter((pass) => !pass.ok).length,
      durationMs: quantiles(passes.map((pass) => pass.endAt - pass.startAt)),
      pushMs: median('pushMs'),
      applyMs: median('applyMs'),
      sentBytes: median('sent'),
    },
    wireBytes: before && after ? (after.proxyBytes - before.proxyBytes) / 2 : 0,
    cpuSeconds: { primary: cpu('primary-1'), backup: cpu('backup') },
    durationMs,
    ...(error ? { error } : {}),
    probeRecords: probes,
    passRecords: passes,
  };
}


