/** Latency quantiles and throughput of one configuration's APPENDs. */

/** One timed APPEND: from writing the command to reading its tagged OK, on the host's monotonic clock. */
export interface AppendSample {
  config: string;
  /** Number of the workload client (connection) that sent it, from 1. */
  client: number;
  /** Position in the configuration's sequence of messages, from 0. */
  index: number;
  /** Warm-up APPENDs are recorded but left out of the summary. */
  warmup: boolean;
  /** Size of the message literal in bytes. */
  bytes: number;
  /** Milliseconds from the configuration's first measured send, negative for warm-up APPENDs. */
  startMs: number;
  latencyMs: number;
  /** Corpus entry the message came from, `group/id`. */
  source: string;
}

/** Summary of the measured (non-warm-up) APPENDs of one configuration. */
export interface LatencySummary {
  count: number;
  bytes: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** From the first measured send to the last tagged OK. */
  wallMs: number;
  messagesPerSecond: number;
  /** Megabytes (10^6 bytes) of message literals per second. */
  megabytesPerSecond: number;
}

/**
 * Returns the nearest-rank quantile q (0 < q <= 1) of values sorted in ascending order: the
 * smallest value with at least q of all values at or below it.
 */
export function nearestRank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('cannot take a quantile of no values');
  if (!(q > 0 && q <= 1)) throw new Error(`quantile must be in (0, 1], got ${q}`);
  return sorted[Math.ceil(q * sorted.length) - 1];
}

/**
 * Summarizes the measured samples. Throughput divides by the span from the earliest measured
 * send to the latest tagged OK, so C concurrent clients count once, not C times.
 *
 * @throws Error when no measured sample is given.
 */
export function summarize(samples: readonly AppendSample[]): LatencySummary {
  const measured = samples.filter((sample) => !sample.warmup);
  if (measured.length === 0) throw new Error('no measured APPEND to summarize');
  const latencies = measured.map((sample) => sample.latencyMs).sort((a, b) => a - b);
  const bytes = measured.reduce((sum, sample) => sum + sample.bytes, 0);
  const first = Math.min(...measured.map((sample) => sample.startMs));
  const last = Math.max(...measured.map((sample) => sample.startMs + sample.latencyMs));
  const wallMs = last - first;
  const seconds = wallMs / 1000;
  return {
    count: measured.length,
    bytes,
    p50Ms: nearestRank(latencies, 0.5),
    p95Ms: nearestRank(latencies, 0.95),
    p99Ms: nearestRank(latencies, 0.99),
    maxMs: latencies[latencies.length - 1],
    meanMs: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
    wallMs,
    messagesPerSecond: seconds > 0 ? measured.length / seconds : 0,
    megabytesPerSecond: seconds > 0 ? bytes / 1e6 / seconds : 0,
  };
}
