/** Latency quantiles over time: p50 and p99 per 1 s bucket, for successful client operations. */
import type { TopLevelSpec } from 'vega-lite';
import { latencyBuckets, type PlotData } from './data.js';
import { PLOT_CONFIG, PLOT_WIDTH, timeAxis, type Plot } from './render.js';

/** Floor of the log-scaled latency axis in milliseconds: log scales cannot show 0. */
const MIN_LATENCY_MS = 0.1;

function latencySpec(data: PlotData): TopLevelSpec | null {
  const buckets = latencyBuckets(data.operations);
  if (buckets.length === 0) return null;
  const values: { second: number; quantile: string; ms: number | null }[] = [];
  let previous: number | null = null;
  for (const bucket of buckets) {
    // A null row for the first empty second breaks the line, so a gap shows as a gap.
    if (previous !== null && bucket.second > previous + 1) {
      values.push({ second: previous + 1, quantile: 'p50', ms: null }, { second: previous + 1, quantile: 'p99', ms: null });
    }
    values.push(
      { second: bucket.second, quantile: 'p50', ms: Math.max(MIN_LATENCY_MS, bucket.p50Ms) },
      { second: bucket.second, quantile: 'p99', ms: Math.max(MIN_LATENCY_MS, bucket.p99Ms) },
    );
    previous = bucket.second;
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: PLOT_WIDTH,
    height: 180,
    config: PLOT_CONFIG,
    data: { values },
    mark: { type: 'line', point: { size: 14 }, interpolate: 'step-after', strokeWidth: 1.5 },
    encoding: {
      x: timeAxis('second', data.runEndMs),
      y: { field: 'ms', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
      color: { field: 'quantile', type: 'nominal', title: 'quantile', scale: { domain: ['p50', 'p99'], range: ['#1c7ed6', '#f76707'] } },
    },
  };
}

export const latencyPlot: Plot = {
  id: 'latency',
  title: 'Latency quantiles',
  caption:
    'Completion minus invoke time of successful client operations (the bed\'s seed appends excluded), grouped into 1 s buckets by completion time. Each step is one bucket\'s p50 or p99 (nearest rank). A bucket with no successful operation has no point, so gaps mark seconds in which nothing succeeded.',
  spec: latencySpec,
  emptyNote: 'No data: no client operation succeeded.',
};
