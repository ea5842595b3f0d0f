/** Replication lag over time: how long each sync took, and how stale the backup was at worst. */
import type { Checker, CheckInput, CheckResult } from './types.js';
import { failoverTimeline } from './timeline.js';

const NAME = 'replication-lag';

/** Lag at an instant: time since the start of the newest sync that had completed by then. */
export function lagSeries(syncs: ReadonlyArray<{ start: number; end: number; ok: boolean }>): Array<{ time: number; lagMs: number }> {
  const completed = syncs.filter((sync) => sync.ok);
  const series: Array<{ time: number; lagMs: number }> = [];
  for (let i = 1; i < completed.length; i += 1) {
    // Just before a sync completes, the backup reflects the previous sync's start.
    series.push({ time: completed[i].end, lagMs: Math.round(completed[i].end - completed[i - 1].start) });
  }
  return series;
}

export const replicationLag: Checker = {
  name: NAME,
  description: 'Reports each sync\'s duration and the backup\'s lag over time; invalid only past expect.maxReplicationLagSeconds.',

  check({ scenario, history }: CheckInput): CheckResult {
    const { syncs } = failoverTimeline(history);
    const ok = syncs.filter((sync) => sync.ok);
    if (ok.length < 2) return { name: NAME, verdict: 'unknown', summary: `Cannot measure lag: ${ok.length} sync(s) completed, at least 2 are needed.`, evidence: { syncs } };
    const durations = ok.map((sync) => Math.round(sync.end - sync.start)).sort((a, b) => a - b);
    const series = lagSeries(syncs);
    const maxLagMs = Math.max(...series.map((point) => point.lagMs));
    const limitMs = scenario.expect.maxReplicationLagSeconds !== undefined ? scenario.expect.maxReplicationLagSeconds * 1000 : undefined;
    const evidence = {
      syncs: syncs.length,
      failedSyncs: syncs.length - ok.length,
      durationMs: { min: durations[0], median: durations[Math.floor((durations.length - 1) / 2)], max: durations.at(-1) },
      maxLagMs,
      series,
      limitMs: limitMs ?? null,
    };
    const summary = `${ok.length} syncs completed (${syncs.length - ok.length} failed), taking ${(evidence.durationMs.median / 1000).toFixed(1)} s at the median and ${(evidence.durationMs.max! / 1000).toFixed(1)} s at most; the backup lagged up to ${(maxLagMs / 1000).toFixed(1)} s.`;
    if (limitMs !== undefined && maxLagMs > limitMs) return { name: NAME, verdict: 'invalid', summary: `${summary} The scenario allows ${limitMs / 1000} s.`, evidence };
    return { name: NAME, verdict: 'valid', summary, evidence };
  },
};
