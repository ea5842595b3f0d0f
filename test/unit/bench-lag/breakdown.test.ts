import { describe, expect, test } from 'vitest';
import { lagBreakdown } from '../../../harness/bench/lag/breakdown.js';
import type { Probe } from '../../../harness/bench/lag/probes.js';
import type { SyncPass } from '../../../harness/bench/lag/strategies/strategy.js';

function probe(index: number, ackAt: number | null, seenAt: number | null): Probe {
  return { index, account: 'user1', messageId: `<p${index}>`, bytes: 100, sentAt: 0, ackAt, seenAt, seenPollStartAt: seenAt, lagMs: ackAt !== null && seenAt !== null ? seenAt - ackAt : null };
}

function pass(startAt: number, endAt: number, ok = true): SyncPass {
  return { startAt, endAt, ok, stats: {} };
}

describe('lag breakdown', () => {
  test('wait and pass of matched probes', () => {
    const result = lagBreakdown([probe(0, 100, 2_100), probe(1, 900, 2_100)], [pass(1_000, 2_000)]);
    expect(result.matched).toBe(2);
    // Waits are 900 and 100 ms; nearest-rank median of two is the lower.
    expect(result.waitMs).toBe(100);
    expect(result.passMs).toBe(1_100);
  });

  test('pass running at the ack is skipped', () => {
    // The probe arrived during the first pass, so the second pass delivered it.
    const result = lagBreakdown([probe(0, 500, 4_200)], [pass(0, 1_000), pass(3_000, 4_000)]);
    expect(result.waitMs).toBe(2_500);
    expect(result.passMs).toBe(1_200);
  });

  test('failed passes and unseen probes ignored', () => {
    const result = lagBreakdown([probe(0, 100, null), probe(1, 100, 5_000)], [pass(200, 1_000, false), pass(2_000, 3_000)]);
    expect(result.matched).toBe(1);
    expect(result.waitMs).toBe(1_900);
  });

  test('pass ending after the sighting counts', () => {
    // rsync's apply makes the probe visible before the bed's sync returns.
    const result = lagBreakdown([probe(0, 100, 1_500)], [pass(1_000, 2_000)]);
    expect(result.waitMs).toBe(900);
    expect(result.passMs).toBe(500);
  });

  test('no pass before the sighting', () => {
    const result = lagBreakdown([probe(0, 100, 500)], [pass(1_000, 2_000)]);
    expect(result).toEqual({ waitMs: null, passMs: null, matched: 0 });
  });
});
