/** Splits each probe's lag into the wait for the pass that delivered it and that pass's own time. */
import type { Probe } from './probes.js';
import { quantile } from './stats.js';
import type { SyncPass } from './strategies/strategy.js';

export interface LagBreakdown {
  /** Median ms from the acknowledgement to the start of the first successful pass that began after it, before the sighting. */
  waitMs: number | null;
  /** Median ms from that pass's start to the sighting on the backup. */
  passMs: number | null;
  /** Probes that could be matched to a pass. */
  matched: number;
}

/**
 * Matches every seen probe to the first successful pass that started after its APPEND was
 * acknowledged and before the sighting. A pass can make a probe visible before it ends, so its
 * end is not compared. For rsync at an interval the wait is the
 * interval's share of the lag; for lsyncd it is lsyncd's push, because the passes are the
 * backup's applies; for the IMAP copier it is the poll interval.
 */
export function lagBreakdown(probes: readonly Probe[], passes: readonly SyncPass[]): LagBreakdown {
  const ordered = passes.filter((pass) => pass.ok).sort((a, b) => a.startAt - b.startAt);
  const waits: number[] = [];
  const inPass: number[] = [];
  for (const probe of probes) {
    if (probe.ackAt === null || probe.seenAt === null) continue;
    const pass = ordered.find((each) => each.startAt >= probe.ackAt! && each.startAt <= probe.seenAt!);
    if (!pass) continue;
    waits.push(pass.startAt - probe.ackAt);
    inPass.push(probe.seenAt - pass.startAt);
  }
  return { waitMs: quantile(waits, 0.5), passMs: quantile(inPass, 0.5), matched: waits.length };
}
