import { describe, expect, it } from 'vitest';
import { lagSeries, replicationLag } from '../../../harness/checkers/replication-lag.js';
import type { HistoryEntry } from '../../../harness/history/types.js';
import type { Scenario } from '../../../harness/scenario/schema.js';
import { HistoryBuilder, scenarioWith, STEP_MS } from '../history-builder.js';

function check(history: HistoryEntry[], scenario: Scenario = scenarioWith()) {
  return replicationLag.check({ scenario, history, snapshots: [] });
}

/** Records a sync whose end comes `durationMs` after its start, and returns both times. */
function timedSync(h: HistoryBuilder, durationMs: number, ok = true): { start: number; end: number } {
  const start = h.syncStart().time;
  h.advance(durationMs - STEP_MS);
  const end = h.syncEnd(ok).time;
  return { start, end };
}

/** Records completed syncs of 1 s, 2 s and 0.5 s, 5 s apart, with a failed sync before the last one. */
function threeSyncs() {
  const h = new HistoryBuilder();
  const first = timedSync(h, 1_000);
  h.advance(5_000);
  const second = timedSync(h, 2_000);
  h.advance(5_000);
  timedSync(h, 300, false);
  h.advance(5_000);
  const third = timedSync(h, 500);
  return { h, first, second, third };
}

describe('lagSeries', () => {
  it('measures from previous completed start', () => {
    const series = lagSeries([
      { start: 0, end: 100, ok: true },
      { start: 1_000, end: 1_300, ok: true },
      { start: 2_000, end: 2_100, ok: false },
      { start: 3_000, end: 3_500, ok: true },
    ]);

    expect(series).toEqual([
      { time: 1_300, lagMs: 1_300 },
      { time: 3_500, lagMs: 2_500 },
    ]);
  });

  it('skips leading failed sync', () => {
    const series = lagSeries([
      { start: 0, end: 50, ok: false },
      { start: 100, end: 200, ok: true },
      { start: 300, end: 450, ok: true },
    ]);

    expect(series).toEqual([{ time: 450, lagMs: 350 }]);
  });

  it('is empty for one completed sync', () => {
    const series = lagSeries([
      { start: 0, end: 100, ok: true },
      { start: 200, end: 300, ok: false },
    ]);

    expect(series).toEqual([]);
  });
});

describe('replication-lag', () => {
  it('reports durations and lag', () => {
    const { h, first, second, third } = threeSyncs();
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.syncs).toBe(4);
    expect(result.evidence.failedSyncs).toBe(1);
    expect(result.evidence.durationMs).toEqual({ min: 500, median: 1_000, max: 2_000 });
    expect(result.evidence.series).toEqual([
      { time: second.end, lagMs: second.end - first.start },
      { time: third.end, lagMs: third.end - second.start },
    ]);
    expect(result.evidence.maxLagMs).toBe(third.end - second.start);
    expect(result.evidence.limitMs).toBeNull();
  });

  it('accepts lag at the limit', () => {
    const { h, second, third } = threeSyncs();
    const maxLagSeconds = (third.end - second.start) / 1_000;
    const result = check(h.build(), scenarioWith({ maxReplicationLagSeconds: maxLagSeconds }));

    expect(result.verdict).toBe('valid');
    expect(result.evidence.limitMs).toBe(third.end - second.start);
  });

  it('rejects lag past the limit', () => {
    const { h } = threeSyncs();
    const result = check(h.build(), scenarioWith({ maxReplicationLagSeconds: 10 }));

    expect(result.verdict).toBe('invalid');
    expect(result.summary).toContain('The scenario allows 10 s.');
  });

  it('is unknown with one completed sync', () => {
    const h = new HistoryBuilder();
    timedSync(h, 1_000);
    timedSync(h, 1_000, false);
    h.syncStart();
    const result = check(h.build());

    expect(result.verdict).toBe('unknown');
  });

  it('is unknown without syncs', () => {
    const result = check(new HistoryBuilder().build());

    expect(result.verdict).toBe('unknown');
  });
});
