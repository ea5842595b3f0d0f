/** The record of one measured cell, as written to results.json and results.csv. */
import type { Probe } from './probes.js';
import type { Quantiles } from './stats.js';
import type { SyncPass } from './strategies/strategy.js';

export interface CellResult {
  storeSize: number;
  ratePerSecond: number;
  link: string;
  strategy: string;
  /** Probes appended, acknowledged, seen on the backup within the drain time, and failed APPENDs. */
  probes: { sent: number; acknowledged: number; seen: number; missing: number; failed: number };
  /** Acknowledged probes per second over the probe phase. */
  achievedRate: number;
  /** Lag in ms. A probe never seen counts as Infinity, which JSON writes as null, and `missing` counts it. */
  lagMs: Quantiles;
  /** Duration of one backup poll in ms, which bounds how late a sighting can be recorded. */
  pollMs: { p50: number | null; p99: number | null };
  /** APPEND round trip on the primary in ms (p50), the bench's measure of writing a message. */
  appendMs: number | null;
  /** Round trip of the link plus transferring and writing one probe: no strategy can beat it. */
  lowerBoundMs: number;
  sync: {
    passes: number;
    failed: number;
    durationMs: Quantiles;
    /** Medians of the push and apply parts of a pass, when the strategy reports them. */
    pushMs: number | null;
    applyMs: number | null;
    /** Median of the bytes rsync sent per pass (file list and data), when the strategy uses rsync's push. */
    sentBytes: number | null;
  };
  /** Replication bytes that crossed the link proxy during the cell (each way added). */
  wireBytes: number;
  /** CPU seconds of the primary and backup containers during the cell, including serving the probes. */
  cpuSeconds: { primary: number; backup: number };
  durationMs: number;
  error?: string;
  /** Every probe and pass, on the cell's clock (ms since the cell's origin). */
  probeRecords: Probe[];
  passRecords: SyncPass[];
}
