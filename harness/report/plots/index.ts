/** The report's charts, in the order the HTML report shows them. */
import { latencyPlot } from './latency.js';
import type { Plot } from './render.js';
import { replicationPlot } from './replication.js';
import { storagePlot } from './storage.js';
import { throughputPlot } from './throughput.js';
import { timelinePlot } from './timeline.js';

export const REPORT_PLOTS: readonly Plot[] = [timelinePlot, storagePlot, latencyPlot, throughputPlot, replicationPlot];

export { derivePlotData, type PlotData } from './data.js';
export { renderPlot, renderSpec, type Plot, type RenderedPlot } from './render.js';
