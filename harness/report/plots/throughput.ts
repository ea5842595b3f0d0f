/** Operations per second by outcome, stacked. */
import type { TopLevelSpec } from 'vega-lite';
import { rateBuckets, type PlotData } from './data.js';
import { OUTCOME_COLORS, PLOT_CONFIG, PLOT_WIDTH, timeAxis, type Plot } from './render.js';

function throughputSpec(data: PlotData): TopLevelSpec | null {
  const buckets = rateBuckets(data.operations);
  if (buckets.length === 0) return null;
  const values = buckets.map((bucket) => ({ ...bucket, end: bucket.second + 1 }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: PLOT_WIDTH,
    height: 160,
    config: PLOT_CONFIG,
    data: { values },
    mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      x: timeAxis('second', data.runEndMs),
      x2: { field: 'end' },
      y: { field: 'count', type: 'quantitative', title: 'operations per second', stack: 'zero' },
      color: {
        field: 'outcome',
        type: 'nominal',
        title: 'outcome',
        scale: { domain: ['ok', 'fail', 'info'], range: [OUTCOME_COLORS.ok, OUTCOME_COLORS.fail, OUTCOME_COLORS.info] },
      },
      order: { field: 'outcome', sort: 'descending' },
    },
  };
}

export const throughputPlot: Plot = {
  id: 'throughput',
  title: 'Operations per second',
  caption:
    'Completed client operations per 1 s bucket of completion time, stacked by outcome: ok, fail (the server or client reported an error) and info (the outcome is unknown, for example after a timeout). The bed\'s seed appends are excluded.',
  spec: throughputSpec,
  emptyNote: 'No data: no client operation completed.',
};
