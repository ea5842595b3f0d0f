/** `mailha bench append` on real beds: shared volume, DRBD, and DRBD with 10 ms on the storage link. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runAppendBench } from '../../harness/bench/append/bench.js';
import { parseConfigs } from '../../harness/bench/append/configs.js';
import { OUTPUT_FILES } from '../../harness/bench/append/output.js';
import type { BenchSummary, ConfigResult } from '../../harness/bench/append/results.js';
import { labelled } from './docker.js';

// The toxic's effect builds up over the first second or two of load (see the last test), so a
// run of 20 APPENDs, well under a second, may not show it.
const MESSAGES = 400;
const CONCURRENCY = 2;
const WARMUP = 2;
const ADDED_LATENCY_MS = 10;

describe('bench append on three beds', () => {
  let outDir: string;
  let summary: BenchSummary;
  const result = (name: string): ConfigResult => summary.configs.find((candidate) => candidate.config.name === name)!;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'mailha-bench-append-'));
    console.log(`bench append outputs in ${outDir}`);
    ({ summary } = await runAppendBench({
      configs: parseConfigs(`shared-volume,drbd,drbd+${ADDED_LATENCY_MS}ms`),
      messages: MESSAGES,
      concurrency: CONCURRENCY,
      warmupPerClient: WARMUP,
      seed: 1,
      outDir,
      command: 'vitest run --project bed test/bed/append-bench.test.ts',
      onProgress: (line) => console.log(line),
    }));
    console.log(await readFile(join(outDir, OUTPUT_FILES.table), 'utf8'));
  });

  afterAll(async () => {
    for (const outcome of summary?.configs ?? []) {
      if (!outcome.runId) continue;
      expect(await labelled(`mailha.run=${outcome.runId}`), `resources of ${outcome.config.name} (${outcome.runId}) left behind`).toEqual({ containers: [], networks: [], volumes: [] });
    }
  });

  test.each(['shared-volume', 'drbd', `drbd+${ADDED_LATENCY_MS}ms`])('%s measured every APPEND', (name) => {
    const outcome = result(name);
    expect(outcome.error).toBeUndefined();
    expect(outcome.runId).toMatch(/^mailha-bench-append-/);
    expect(outcome.summary?.count).toBe(MESSAGES);
    const s = outcome.summary!;
    expect(s.p50Ms).toBeGreaterThan(0);
    expect(s.p50Ms).toBeLessThanOrEqual(s.p95Ms);
    expect(s.p95Ms).toBeLessThanOrEqual(s.p99Ms);
    expect(s.p99Ms).toBeLessThanOrEqual(s.maxMs);
    expect(s.messagesPerSecond).toBeGreaterThan(0);
    expect(s.megabytesPerSecond).toBeGreaterThan(0);
  });

  test('raw CSV has every APPEND of every bed', async () => {
    const rows = (await readFile(join(outDir, OUTPUT_FILES.samples), 'utf8')).trimEnd().split('\n').slice(1).map((line) => line.split(','));
    expect(rows).toHaveLength(3 * (MESSAGES + CONCURRENCY * WARMUP));
    for (const name of ['shared-volume', 'drbd', `drbd+${ADDED_LATENCY_MS}ms`]) {
      expect(rows.filter((row) => row[0] === name && row[3] === 'false'), `measured rows of ${name}`).toHaveLength(MESSAGES);
    }
  });

  test('summary JSON and plot are written', async () => {
    expect(JSON.parse(await readFile(join(outDir, OUTPUT_FILES.summary), 'utf8'))).toEqual(summary);
    expect(await readFile(join(outDir, OUTPUT_FILES.plot), 'utf8')).toMatch(/^<svg/);
    expect(summary.machine.cpus).toBeGreaterThan(0);
    expect(summary.machine.docker).toMatch(/^\d+\.\d+/);
  });

  test('DRBD beds report boot to UpToDate', () => {
    expect(result('shared-volume').bootToUpToDateMs).toBeUndefined();
    for (const name of ['drbd', `drbd+${ADDED_LATENCY_MS}ms`]) {
      const outcome = result(name);
      expect(outcome.bootToUpToDateMs, name).toBeGreaterThan(0);
      expect(outcome.bootToUpToDateMs!, name).toBeLessThan(outcome.drbdTimings!.imapReady!);
    }
  });

  test('storage toxic slows synchronous writes', () => {
    // Each synchronous write waits for primary-2's acknowledgement, so at least one round trip
    // through both toxics.
    const probe = result(`drbd+${ADDED_LATENCY_MS}ms`).storageProbe!;
    expect(probe.withToxicMs! - probe.withoutToxicMs).toBeGreaterThanOrEqual(2 * ADDED_LATENCY_MS);
    expect(result(`drbd+${ADDED_LATENCY_MS}ms`).toxicOnPath).toBe(true);
  });

  test('storage toxic raises APPEND latency', () => {
    // A detection margin, not a speed target. Some APPENDs finish in less than one round trip
    // through the toxics, so Courier does not wait for a replicated write on every APPEND. Under
    // sustained load most do wait: in a trial of 1000 APPENDs the mean rose from 28 to 59 ms,
    // while in trials of 20 and 40 APPENDs it rose from 9 to 24 ms once and fell once.
    const plain = result('drbd').summary!;
    const slowed = result(`drbd+${ADDED_LATENCY_MS}ms`).summary!;
    expect(slowed.meanMs - plain.meanMs).toBeGreaterThanOrEqual(ADDED_LATENCY_MS);
    expect(slowed.p50Ms).toBeGreaterThan(plain.p50Ms);
  });
});
