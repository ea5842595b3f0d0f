/** Vega-Lite plot of the APPEND latency distribution: one cumulative curve per configuration. */
import type { TopLevelSpec } from 'vega-lite';
import { PLOT_CONFIG } from '../../report/plots/render.js';
import type { AppendSample } from './stats.js';

/** Floor of the log-scaled latency axis in milliseconds, as log scales cannot show 0. */
const MIN_LATENCY_MS = 0.1;

/**
 * Returns the spec of an empirical cumulative distribution of the measured APPEND latencies, with
 * the configurations in the given order. Warm-up APPENDs are left out.
 */
export function latencyDistributionSpec(samples: readonly AppendSample[], configOrder: readonly string[]): TopLevelSpec {
  const values = samples
    .filter((sample) => !sample.warmup)
    .map((sample) => ({ config: sample.config, latencyMs: Math.max(MIN_LATENCY_MS, Math.round(sample.latencyMs * 1000) / 1000) }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'APPEND latency, send to tagged OK',
    width: 560,
    height: 260,
    config: PLOT_CONFIG,
    data: { values },
    transform: [
      { window: [{ op: 'cume_dist', as: 'fraction' }], sort: [{ field: 'latencyMs', order: 'ascending' }], groupby: ['config'] },
    ],
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'latencyMs', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of APPENDs at or below', scale: { domain: [0, 1] } },
      color: { field: 'config', type: 'nominal', title: 'configuration', scale: { domain: [...configOrder] } },
    },
  };
}
