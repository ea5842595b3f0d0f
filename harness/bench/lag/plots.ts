/** The bench's charts as Vega-Lite specs: lag against store size per strategy, and lag over time. */
import type { TopLevelSpec } from 'vega-lite';
import { PLOT_CONFIG } from '../../report/plots/render.js';
import type { CellResult } from './result.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Plots p99 lag against store size, one line per strategy and one panel per link and rate. A cell with missing probes leaves a gap. */
export function lagByStoreSizeSpec(cells: readonly CellResult[]): TopLevelSpec {
  const values = cells
    .filter((cell) => cell.lagMs.p99 !== null && Number.isFinite(cell.lagMs.p99))
    .map((cell) => ({ store: cell.storeSize, p99: cell.lagMs.p99! / 1000, strategy: cell.strategy, link: cell.link, rate: `${cell.ratePerSecond}/s` }));
  return {
    $schema: SCHEMA,
    config: PLOT_CONFIG,
    title: 'p99 replication lag against store size',
    data: { values },
    facet: { row: { field: 'rate', type: 'nominal', title: 'change rate' }, column: { field: 'link', type: 'nominal', title: 'link' } },
    spec: {
      width: 220,
      height: 160,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'store', type: 'quantitative', scale: { type: 'log' }, title: 'messages in the store' },
        y: { field: 'p99', type: 'quantitative', scale: { type: 'log' }, title: 'p99 lag (s)' },
        color: { field: 'strategy', type: 'nominal' },
      },
    },
  };
}

/** Plots each probe's lag against the time its APPEND was acknowledged, one panel per store size and link. */
export function lagOverTimeSpec(cells: readonly CellResult[], ratePerSecond: number): TopLevelSpec {
  const values = cells
    .filter((cell) => cell.ratePerSecond === ratePerSecond)
    .flatMap((cell) =>
      cell.probeRecords
        .filter((probe) => probe.ackAt !== null && probe.lagMs !== null)
        .map((probe) => ({ t: probe.ackAt! / 1000, lag: probe.lagMs! / 1000, strategy: cell.strategy, store: cell.storeSize, link: cell.link })),
    );
  return {
    $schema: SCHEMA,
    config: PLOT_CONFIG,
    title: `Lag of each probe over a cell, at ${ratePerSecond} messages a second`,
    data: { values },
    facet: { row: { field: 'store', type: 'ordinal', title: 'messages in the store' }, column: { field: 'link', type: 'nominal', title: 'link' } },
    spec: {
      width: 220,
      height: 120,
      mark: { type: 'point', filled: true, size: 12 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'APPEND acknowledged at (s)' },
        y: { field: 'lag', type: 'quantitative', title: 'lag (s)' },
        color: { field: 'strategy', type: 'nominal' },
      },
    },
  };
}
