import { describe, expect, test } from 'vitest';
import { FULL_SWEEP, LINK_PROFILES, sweepCells, sweepSchema } from '../../../harness/bench/lag/config.js';
import { estimateMs, formatDuration } from '../../../harness/bench/lag/sweep.js';
import { DEFAULT_TIMING } from '../../../harness/bench/lag/config.js';

describe('sweep cells', () => {
  test('full sweep crosses every parameter', () => {
    const cells = sweepCells(FULL_SWEEP);
    expect(cells).toHaveLength(81);
    expect(new Set(cells.map((cell) => `${cell.storeSize}/${cell.ratePerSecond}/${cell.link.name}/${cell.strategy}`)).size).toBe(81);
  });

  test('grouped by store size, then strategy', () => {
    const cells = sweepCells({ storeSizes: [10, 20], rates: [1, 2], links: ['lan'], strategies: ['rsync-interval', 'imap-copy'] });
    expect(cells.map((cell) => `${cell.storeSize} ${cell.strategy} ${cell.ratePerSecond}`)).toEqual([
      '10 rsync-interval 1',
      '10 rsync-interval 2',
      '10 imap-copy 1',
      '10 imap-copy 2',
      '20 rsync-interval 1',
      '20 rsync-interval 2',
      '20 imap-copy 1',
      '20 imap-copy 2',
    ]);
  });

  test('link profiles match the WAN figures', () => {
    // 10 Mbit/s is 1250 KB/s; a 40 ms round trip is 20 ms each way.
    expect(LINK_PROFILES['wan-10mbit-40ms']).toMatchObject({ latencyMs: 20, rateKBps: 1250 });
    expect(LINK_PROFILES['wan-1mbit-150ms']).toMatchObject({ latencyMs: 75, rateKBps: 125 });
    expect(LINK_PROFILES.lan).toMatchObject({ latencyMs: 0, rateKBps: null });
  });

  test('unknown link is rejected', () => {
    const result = sweepSchema.safeParse({ ...FULL_SWEEP, links: ['lan', 'dsl'] });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].path).toEqual(['links', 1]);
    expect(result.error!.issues[0].message).toContain('unknown link "dsl"');
  });

  test('store smaller than the accounts is rejected', () => {
    const result = sweepSchema.safeParse({ ...FULL_SWEEP, storeSizes: [5] });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0].message).toContain('at least 10');
  });
});

describe('time estimate', () => {
  test('uses finished cells once there are some', () => {
    const cells = sweepCells({ storeSizes: [1000], rates: [1, 10], links: ['lan'], strategies: ['rsync-interval'] });
    const before = estimateMs(cells, DEFAULT_TIMING);
    const after = estimateMs(cells, DEFAULT_TIMING, [{ durationMs: 100_000 } as never]);
    expect(after).toBeGreaterThan(before);
    expect(after - before).toBeGreaterThan(2 * (100_000 - DEFAULT_TIMING.probeSeconds * 1000 - 10_000));
  });

  test('formats minutes and seconds', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(600_000)).toBe('10 min');
  });
});
