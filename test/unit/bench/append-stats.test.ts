import { describe, expect, it } from 'vitest';
import { toxicSlowedWrites } from '../../../harness/bench/append/bench.js';
import { parseConfigs } from '../../../harness/bench/append/configs.js';
import { nearestRank, summarize, type AppendSample } from '../../../harness/bench/append/stats.js';
import { parseDdSeconds } from '../../../harness/bench/append/storage-probe.js';

function sample(index: number, startMs: number, latencyMs: number, overrides: Partial<AppendSample> = {}): AppendSample {
  return { config: 'drbd', client: 1, index, warmup: false, bytes: 1000, startMs, latencyMs, source: 'easy-ham-1/1', ...overrides };
}

describe('nearestRank', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('returns the value at rank ceil(q n)', () => {
    expect(nearestRank(hundred, 0.5)).toBe(50);
    expect(nearestRank(hundred, 0.95)).toBe(95);
    expect(nearestRank(hundred, 0.99)).toBe(99);
    expect(nearestRank(hundred, 1)).toBe(100);
  });

  it('takes the max for high quantiles of few values', () => {
    expect(nearestRank([3, 7, 9], 0.95)).toBe(9);
    expect(nearestRank([3, 7, 9], 0.5)).toBe(7);
  });

  it('rejects empty input and bad quantiles', () => {
    expect(() => nearestRank([], 0.5)).toThrow(/no values/);
    expect(() => nearestRank([1], 0)).toThrow(/quantile/);
    expect(() => nearestRank([1], 1.5)).toThrow(/quantile/);
  });
});

describe('summarize', () => {
  it('leaves warm-up samples out', () => {
    const summary = summarize([sample(0, -50, 900, { warmup: true }), sample(1, 0, 10), sample(2, 10, 20)]);
    expect(summary.count).toBe(2);
    expect(summary.maxMs).toBe(20);
    expect(summary.bytes).toBe(2000);
  });

  it('computes quantiles, max and mean', () => {
    const samples = [40, 10, 30, 20].map((latency, i) => sample(i, i * 100, latency));
    const summary = summarize(samples);
    expect(summary.p50Ms).toBe(20);
    expect(summary.p95Ms).toBe(40);
    expect(summary.p99Ms).toBe(40);
    expect(summary.maxMs).toBe(40);
    expect(summary.meanMs).toBe(25);
  });

  it('divides throughput by the first send to the last OK', () => {
    // Two clients in parallel: 0..100 and 0..100, then 100..200 and 100..300; 4 messages in 0.3 s.
    const samples = [sample(0, 0, 100, { client: 1 }), sample(1, 0, 100, { client: 2 }), sample(2, 100, 100, { client: 1 }), sample(3, 100, 200, { client: 2 })];
    const summary = summarize(samples);
    expect(summary.wallMs).toBe(300);
    expect(summary.messagesPerSecond).toBeCloseTo(4 / 0.3, 6);
    expect(summary.megabytesPerSecond).toBeCloseTo(4000 / 1e6 / 0.3, 9);
  });

  it('rejects a run with only warm-up samples', () => {
    expect(() => summarize([sample(0, 0, 5, { warmup: true })])).toThrow(/no measured APPEND/);
  });
});

describe('parseConfigs', () => {
  it('parses the three forms in order', () => {
    expect(parseConfigs('shared-volume, drbd,drbd+10ms')).toEqual([
      { name: 'shared-volume', storage: 'shared-volume', storageLatencyMs: 0 },
      { name: 'drbd', storage: 'drbd', storageLatencyMs: 0 },
      { name: 'drbd+10ms', storage: 'drbd', storageLatencyMs: 10 },
    ]);
  });

  it.each([
    ['drbd+x', /invalid configuration "drbd\+x"/],
    ['nfs', /invalid configuration "nfs"/],
    ['drbd+0ms', /1 to 100 ms/],
    ['drbd+500ms', /1 to 100 ms/],
    ['drbd,drbd', /listed twice/],
    [' , ', /no configuration/],
  ])('rejects %j', (list, message) => {
    expect(() => parseConfigs(list)).toThrow(message);
  });
});

describe('parseDdSeconds', () => {
  it('reads the seconds of GNU dd\'s summary', () => {
    const output = '20+0 records in\n20+0 records out\n81920 bytes (82 kB, 80 KiB) copied, 0.0412345 s, 2.0 MB/s\n';
    expect(parseDdSeconds(output)).toBeCloseTo(0.0412345, 9);
  });

  it('reads seconds in exponent form', () => {
    expect(parseDdSeconds('81920 bytes (82 kB, 80 KiB) copied, 9.5e-05 s, 862 MB/s')).toBeCloseTo(0.000095, 9);
  });

  it('rejects output without a summary', () => {
    expect(() => parseDdSeconds('dd: failed to open: Read-only file system')).toThrow(/Read-only file system/);
  });
});

describe('toxicSlowedWrites', () => {
  const drbd10 = { name: 'drbd+10ms', storage: 'drbd' as const, storageLatencyMs: 10 };

  it('is true after a round trip of slowdown', () => {
    expect(toxicSlowedWrites(drbd10, { withoutToxicMs: 0.7, withToxicMs: 31.8 })).toBe(true);
  });

  it('is false for a smaller slowdown', () => {
    expect(toxicSlowedWrites(drbd10, { withoutToxicMs: 0.7, withToxicMs: 15 })).toBe(false);
  });

  it('is undefined without toxics', () => {
    expect(toxicSlowedWrites({ name: 'drbd', storage: 'drbd', storageLatencyMs: 0 }, { withoutToxicMs: 0.7 })).toBeUndefined();
  });
});
