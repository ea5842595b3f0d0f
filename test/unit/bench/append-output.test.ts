import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTPUT_FILES, renderSamplesCsv, renderSummaryTable, writeOutputs } from '../../../harness/bench/append/output.js';
import { latencyDistributionSpec } from '../../../harness/bench/append/plot.js';
import type { BenchSummary } from '../../../harness/bench/append/results.js';
import { summarize, type AppendSample } from '../../../harness/bench/append/stats.js';

const SAMPLES: AppendSample[] = [
  { config: 'drbd', client: 1, index: 0, warmup: true, bytes: 2048, startMs: -12.5, latencyMs: 12.5, source: 'easy-ham-1/3' },
  { config: 'drbd', client: 1, index: 1, warmup: false, bytes: 4096, startMs: 0, latencyMs: 8.25, source: 'spam-2/7' },
  { config: 'drbd', client: 2, index: 2, warmup: false, bytes: 1024, startMs: 1.5, latencyMs: 9.75, source: 'hard-ham-1/"odd",name' },
  { config: 'drbd+10ms', client: 1, index: 1, warmup: false, bytes: 4096, startMs: 0, latencyMs: 48.125, source: 'spam-2/7' },
];

function benchSummary(): BenchSummary {
  return {
    command: 'npx mailha bench append --configs drbd,drbd+10ms,drbd+20ms',
    startedAt: '2026-12-05T00:00:00.000Z',
    finishedAt: '2026-12-05T00:05:00.000Z',
    machine: { cpus: 2, cpuModel: 'AMD EPYC', memoryGiB: 23, kernel: '6.1.0', node: '20.20.2', docker: '20.10.24', loadAtStart: [1, 2, 3], loadAtEnd: [1.5, 2, 3] },
    messages: 2,
    concurrency: 2,
    warmupPerClient: 1,
    seed: 1,
    configs: [
      {
        config: { name: 'drbd', storage: 'drbd', storageLatencyMs: 0 },
        runId: 'mailha-bench-append-a',
        bootToUpToDateMs: 21_400,
        storageProbe: { withoutToxicMs: 1.25 },
        summary: summarize(SAMPLES.filter((s) => s.config === 'drbd')),
      },
      {
        config: { name: 'drbd+10ms', storage: 'drbd', storageLatencyMs: 10 },
        runId: 'mailha-bench-append-b',
        bootToUpToDateMs: 19_000,
        storageProbe: { withoutToxicMs: 1.5, withToxicMs: 21.5 },
        summary: summarize(SAMPLES.filter((s) => s.config === 'drbd+10ms')),
      },
      { config: { name: 'drbd+20ms', storage: 'drbd', storageLatencyMs: 20 }, error: 'Failed to start node primary-1 | timed out' },
    ],
  };
}

describe('samples CSV', () => {
  const lines = renderSamplesCsv(SAMPLES).trimEnd().split('\n');

  it('has a header and one row per APPEND', () => {
    expect(lines[0]).toBe('config,client,index,warmup,bytes,start_ms,latency_ms,source');
    expect(lines).toHaveLength(SAMPLES.length + 1);
  });

  it('writes times with three decimals', () => {
    expect(lines[1]).toBe('drbd,1,0,true,2048,-12.500,12.500,easy-ham-1/3');
  });

  it('quotes fields with commas and quotes', () => {
    expect(lines[3]).toBe('drbd,2,2,false,1024,1.500,9.750,"hard-ham-1/""odd"",name"');
  });
});

describe('summary table', () => {
  const table = renderSummaryTable(benchSummary());
  const rows = table.trimEnd().split('\n');

  it('has one row per configuration', () => {
    expect(rows).toHaveLength(2 + 3);
  });

  it('shows quantiles, throughput, probe and boot time', () => {
    // Two measured APPENDs of drbd: 8.25 and 9.75 ms, from 0 to 11.25 ms.
    expect(rows[2]).toBe('| drbd | 2 | 8.3 | 9.8 | 9.8 | 9.8 | 177.8 | 0.46 | 1.3 | 21.4 |');
  });

  it('shows the probe without and with the toxic', () => {
    expect(rows[3]).toContain('| 1.5 → 21.5 | 19.0 |');
  });

  it('shows a failed configuration with its error escaped', () => {
    expect(rows[4]).toContain('| drbd+20ms | failed: Failed to start node primary-1 \\| timed out |');
  });
});

describe('latency plot spec', () => {
  const spec = latencyDistributionSpec(SAMPLES, ['drbd', 'drbd+10ms']) as unknown as {
    data: { values: Array<{ config: string; latencyMs: number }> };
    encoding: { color: { scale: { domain: string[] } }; x: { scale: { type: string } } };
  };

  it('leaves warm-up samples out', () => {
    expect(spec.data.values).toHaveLength(3);
    expect(spec.data.values.map((value) => value.latencyMs)).not.toContain(12.5);
  });

  it('keeps the configuration order', () => {
    expect(spec.encoding.color.scale.domain).toEqual(['drbd', 'drbd+10ms']);
  });

  it('uses a log latency axis', () => {
    expect(spec.encoding.x.scale.type).toBe('log');
  });
});

describe('writeOutputs', () => {
  it('writes every file, the SVG with one curve per configuration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailha-bench-output-'));
    const summary = benchSummary();
    await writeOutputs(dir, summary, SAMPLES);

    expect((await readdir(dir)).sort()).toEqual(Object.values(OUTPUT_FILES).sort());
    expect(JSON.parse(await readFile(join(dir, OUTPUT_FILES.summary), 'utf8'))).toEqual(summary);
    const markdown = await readFile(join(dir, OUTPUT_FILES.table), 'utf8');
    expect(markdown).toContain('Command: `npx mailha bench append --configs drbd,drbd+10ms,drbd+20ms`');
    expect(markdown).toContain('2 CPUs (AMD EPYC), 23.0 GiB of memory, Linux 6.1.0');
    const svg = await readFile(join(dir, OUTPUT_FILES.plot), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('drbd+10ms');
  });

  it('writes no SVG when nothing was measured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailha-bench-output-'));
    await writeOutputs(dir, benchSummary(), SAMPLES.filter((s) => s.warmup));
    expect(await readdir(dir)).not.toContain(OUTPUT_FILES.plot);
  });
});
