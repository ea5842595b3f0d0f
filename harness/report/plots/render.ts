/**
 * Compiles Vega-Lite specs and renders them to SVG in Node, with no browser, canvas or
 * network access: the specs carry their data inline and the headless view never loads anything.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { PlotData } from './data.js';

/** One chart of the HTML report. */
export interface Plot {
  /** Stable id, used as the HTML element id (`plot-<id>`). */
  id: string;
  title: string;
  /** How to read the chart, shown under it. */
  caption: string;
  /** Returns the chart's Vega-Lite spec, or null when the run has no data for it. */
  spec(data: PlotData): TopLevelSpec | null;
  /** Shown in place of the chart when `spec` returns null. */
  emptyNote: string;
}

/** A rendered plot: `svg` when it had data, otherwise `note`. */
export interface RenderedPlot {
  plot: Plot;
  svg: string | null;
  note: string | null;
}

/** Width of every time axis in pixels, so the charts line up when stacked. */
export const PLOT_WIDTH = 860;

/** Outcome colours, shared by every chart. */
export const OUTCOME_COLORS = { ok: '#2f9e44', fail: '#e03131', info: '#f08c00' } as const;

/** Shared look: system fonts only (nothing to download) and a white background. */
export const PLOT_CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  background: 'white',
  view: { stroke: '#ced4da' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e9ecef' },
  // The same y axis width in every chart, so that stacked charts share their x positions.
  axisY: { minExtent: 96, maxExtent: 96, labelLimit: 96 },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'top' },
} as const;

/** Returns the x encoding of a time axis in seconds, from 0 to the end of the run. */
export function timeAxis(field: string, runEndMs: number, title = 'time since run start (s)') {
  return {
    field,
    type: 'quantitative' as const,
    title,
    scale: { domain: [0, Math.max(1, Math.ceil(runEndMs / 1000))], nice: false, zero: true },
  };
}

/** Renders a spec to an SVG string with Vega's headless view. */
export async function renderSpec(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders one plot, or returns its "no data" note when the run has nothing to draw. */
export async function renderPlot(plot: Plot, data: PlotData): Promise<RenderedPlot> {
  const spec = plot.spec(data);
  if (!spec) return { plot, svg: null, note: plot.emptyNote };
  return { plot, svg: await renderSpec(spec), note: null };
}
