/**
 * The replication lag bench on real containers: the CI smoke configuration through the command
 * line, and a delay injected into the replication link that the bench must report as lag.
 */
import { execa } from 'execa';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import type { Bed, NodeShell } from '../../harness/bed/bed.js';
import { benchAccounts, startBenchBed } from '../../harness/bench/lag/bench-bed.js';
import { DEFAULT_TIMING, LINK_PROFILES, type Cell } from '../../harness/bench/lag/config.js';
import type { BenchRecord } from '../../harness/bench/lag/output.js';
import { runCell } from '../../harness/bench/lag/run-cell.js';
import { fillStores } from '../../harness/bench/lag/store.js';

const BIN = 'harness/cli/bin.js';

/** Names of containers whose name starts with the bench's run prefix `mailha-lag-`. */
async function benchContainers(): Promise<string[]> {
  const { stdout } = await execa('docker', ['ps', '--all', '--filter', 'name=mailha-lag-', '--format', '{{.Names}}']);
  return stdout.split('\n').filter(Boolean);
}

describe('mailha bench lag', () => {
  test('smoke configuration measures lag', async () => {
    const out = await mkdtemp(join(tmpdir(), 'mailha-lag-'));
    const before = await benchContainers();

    const result = await execa('node', [BIN, 'bench', 'lag', '--smoke', '--out', out, '--progress', 'plain'], { reject: false, all: true });

    expect(result.exitCode, result.all).toBe(0);
    const [stampDir] = await readdir(join(out, 'bench-lag'));
    const dir = join(out, 'bench-lag', stampDir);
    const record = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as BenchRecord;
    expect(record.cells).toHaveLength(1);
    const [cell] = record.cells;
    expect(cell.error).toBeUndefined();
    expect(cell.probes.acknowledged).toBeGreaterThan(0);
    expect(cell.probes.seen).toBe(cell.probes.acknowledged);
    expect(cell.sync.passes).toBeGreaterThan(0);
    expect(cell.lagMs.p50).toBeGreaterThan(0);
    expect(cell.lagMs.max).toBeGreaterThanOrEqual(cell.lagMs.p99!);
    // rsync runs at an interval, so no probe can beat the link's bound.
    expect(cell.lagMs.p50).toBeGreaterThan(cell.lowerBoundMs);
    expect(cell.wireBytes).toBeGreaterThan(0);
    expect(cell.pollMs.p50).toBeLessThan(10);
    for (const file of ['results.csv', 'probes.csv', 'summary.md', 'lag-by-store-size.svg', 'lag-over-time.svg']) {
      expect((await readFile(join(dir, file), 'utf8')).length, file).toBeGreaterThan(100);
    }
    expect(await benchContainers()).toEqual(before);
  });

  test('injected link delay shows as lag', async () => {
    const log = pino({ level: 'silent' });
    const accounts = benchAccounts(7);
    const logDir = await mkdtemp(join(tmpdir(), 'mailha-lag-nodes-'));
    const timing = { ...DEFAULT_TIMING, probeSeconds: 4, drainSeconds: 60, rsyncIntervalSeconds: 1 };
    // 1.5 s each way on the replication link: every rsync round trip gains 3 s.
    const injected = { name: 'injected-delay', latencyMs: 1500, rateKBps: null };
    const cell = (link: Cell['link']): Cell => ({ storeSize: 200, ratePerSecond: 5, link, strategy: 'rsync-interval' });
    let bed: (Bed & NodeShell) | undefined;
    try {
      bed = await startBenchBed(`mailha-lag-test-${process.pid}`, accounts, log, logDir);
      await fillStores(bed, accounts, 200, 7);
      const context = { bed, accounts, timing, log, seed: 7 };

      const baseline = await runCell(cell(LINK_PROFILES.lan), { ...context, tag: 'baseline' });
      const delayed = await runCell(cell(injected), { ...context, tag: 'delayed' });

      expect(baseline.error).toBeUndefined();
      expect(delayed.error).toBeUndefined();
      expect(delayed.probes.seen).toBe(delayed.probes.acknowledged);
      expect(delayed.lowerBoundMs).toBeGreaterThanOrEqual(3000);
      expect(delayed.lagMs.p50).toBeGreaterThan(3000);
      expect(delayed.lagMs.p50!).toBeGreaterThan(baseline.lagMs.p50! + 2000);
      expect(delayed.sync.durationMs.p50!).toBeGreaterThan(baseline.sync.durationMs.p50! + 3000);
    } finally {
      await bed?.close();
    }
  });
});
