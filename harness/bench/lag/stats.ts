/** Quantiles of the bench's samples. */

/**
 * Returns the `q` quantile (0 to 1) by nearest rank, or null for no samples. Infinity stands
 * for a sample known only to exceed every finite one (a probe the backup never showed), so a
 * quantile that lands on it is Infinity.
 */
export function quantile(samples: readonly number[], q: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

export interface Quantiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function quantiles(samples: readonly number[]): Quantiles {
  return { p50: quantile(samples, 0.5), p95: quantile(samples, 0.95), p99: quantile(samples, 0.99), max: quantile(samples, 1) };
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
