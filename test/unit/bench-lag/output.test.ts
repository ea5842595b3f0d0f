import { describe, expect, test } from 'vitest';
import { formatSeconds, resultsCsv, summaryTable } from '../../../harness/bench/lag/output.js';
import type { CellResult } from '../../../harness/bench/lag/result.js';

function cell(overrides: Partial<CellResult> = {}): CellResult {
  return {
    storeSize: 1000,
    ratePerSecond: 10,
    link: 'lan',
    strategy: 'rsync-interval',
    probes: { sent: 50, acknowledged: 50, seen: 49, missing: 1, failed: 0 },
    achievedRate: 10,
    lagMs: { p50: 2500, p95: 3600, p99: Infinity, max: Infinity },
    pollMs: { p50: 3, p99: 20 },
    appendMs: 7,
    lowerBoundMs: 7,
    sync: { passes: 3, failed: 1, durationMs: { p50: 1000, p95: 1100, p99: 1100, max: 1100 }, pushMs: 500, applyMs: 480, sentBytes: 40_000 },
    wireBytes: 300_000,
    cpuSeconds: { primary: 0.27, backup: 1.6 },
    durationMs: 13_000,
    probeRecords: [],
    passRecords: [],
    ...overrides,
  };
}

describe('bench output', () => {
  test('seconds, beyond drain and none', () => {
    expect(formatSeconds(2500)).toBe('2.50');
    expect(formatSeconds(Infinity)).toBe('> drain');
    expect(formatSeconds(null)).toBe('-');
  });

  test('summary row shows missing probes and sync parts', () => {
    const row = summaryTable([cell()]).trimEnd().split('\n')[2];
    expect(row).toContain('| 2.50 | 3.60 | > drain | > drain |');
    expect(row).toContain('1.00 (0.50 + 0.48), 1 failed');
    expect(row).toContain('| 49/50 |');
    expect(row).toContain('| 300 |');
  });

  test('null quantile of missing probes', () => {
    // results.json stores Infinity as null; a merged run must still show the missing probes.
    const row = summaryTable([cell({ lagMs: { p50: null, p95: null, p99: null, max: null } })]).trimEnd().split('\n')[2];
    expect(row).toContain('| > drain | > drain | > drain | > drain |');
    const [, csvRow] = resultsCsv([cell({ lagMs: { p50: 100, p95: null, p99: null, max: null } })]).trimEnd().split('\n');
    expect(csvRow).toContain(',100,inf,inf,inf,');
  });

  test('CSV writes inf and quotes errors', () => {
    const [header, row] = resultsCsv([cell({ error: 'APPEND failed, "NO" reply' })]).trimEnd().split('\n');
    const columns = header.split(',');
    expect(columns).toContain('lag_p99_ms');
    expect(row).toContain(',inf,');
    expect(row.endsWith('"APPEND failed, ""NO"" reply"')).toBe(true);
    expect(row.split(',').slice(0, 4)).toEqual(['1000', '10', 'lan', 'rsync-interval']);
  });
});
