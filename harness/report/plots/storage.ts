/**
 * DRBD's connection, role and disk states on each primary over time: three lanes per node, on
 * the same time axis and y-axis width as the timeline above it, so the two line up.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { PlotData, StorageAspect, StorageSpan } from './data.js';
import { PLOT_CONFIG, PLOT_WIDTH, timeAxis, type Plot } from './render.js';

const LANE_HEIGHT = 22;
const FAULT_FILL = '#ffe066';
/** Estimated width of one character of the 9 px value labels, in pixels. */
const CHARACTER_WIDTH = 5.5;

/** Lane name suffixes, in DRBD's own abbreviations as `/proc/drbd` prints them. */
const ASPECT_LABELS: Record<StorageAspect, string> = { connection: 'cs', role: 'ro', disk: 'ds' };

/** Class of a lane value against the design's steady state; it sets the span's colour. */
export type StorageHealth = 'as designed' | 'syncing' | 'degraded' | 'off';

const HEALTH_COLORS: Record<StorageHealth, string> = {
  'as designed': '#2f9e44',
  syncing: '#1c7ed6',
  degraded: '#f08c00',
  off: '#868e96',
};

const STEADY: Record<StorageAspect, string> = { connection: 'Connected', role: 'Primary/Primary', disk: 'UpToDate/UpToDate' };

/** Classifies a lane value: the dual-primary steady state, a resync, powered off, or anything else. */
export function storageHealth(span: Pick<StorageSpan, 'aspect' | 'value'>): StorageHealth {
  if (span.value === STEADY[span.aspect]) return 'as designed';
  if (span.value === 'Off' || span.value === 'Unconfigured') return 'off';
  if (/^(Sync|PausedSync|WFBitMap|WFSyncUUID)|Inconsistent/.test(span.value)) return 'syncing';
  return 'degraded';
}

/**
 * Returns the lane name of a node's aspect, e.g. `p1 ds` for primary-1's disk states. Lane names
 * stay within 10 characters, because without a canvas vega-scenegraph estimates each character
 * as 0.8 × the font size and cuts labels wider than the shared 96 px y axis.
 */
export function storageLane(node: string, aspect: StorageAspect): string {
  return `${node.replace(/^primary-/, 'p')} ${ASPECT_LABELS[aspect]}`;
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function storageSpec(data: PlotData): TopLevelSpec | null {
  if (data.storage.length === 0) return null;
  const nodes = [...new Set(data.storage.map((span) => span.node))].sort();
  const lanes = nodes.flatMap((node) => (Object.keys(ASPECT_LABELS) as StorageAspect[]).map((aspect) => storageLane(node, aspect)));
  const x = (field: string) => timeAxis(field, data.runEndMs);
  const y = { field: 'lane', type: 'nominal' as const, title: 'DRBD state', sort: lanes, scale: { domain: lanes } };
  const pixelsPerSecond = PLOT_WIDTH / Math.max(1, Math.ceil(data.runEndMs / 1000));

  const spans = data.storage.map((span) => ({
    lane: storageLane(span.node, span.aspect),
    value: span.value,
    health: storageHealth(span),
    start: seconds(span.startMs),
    end: seconds(span.endMs),
  }));
  // A value is written inside its span only where it fits.
  const labels = spans.filter((span) => (span.end - span.start) * pixelsPerSecond > span.value.length * CHARACTER_WIDTH + 4);
  const faults = data.faults.map((fault) => ({ start: seconds(fault.startMs), end: seconds(fault.endMs) }));
  const healths = Object.keys(HEALTH_COLORS) as StorageHealth[];

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: PLOT_WIDTH,
    height: lanes.length * LANE_HEIGHT,
    config: PLOT_CONFIG,
    layer: [
      {
        data: { values: faults },
        mark: { type: 'rect', fill: FAULT_FILL, opacity: 0.35 },
        encoding: { x: x('start'), x2: { field: 'end' } },
      },
      {
        data: { values: spans },
        mark: { type: 'rect', opacity: 0.75, stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: x('start'),
          x2: { field: 'end' },
          y,
          color: { field: 'health', type: 'nominal', title: 'state', scale: { domain: healths, range: healths.map((health) => HEALTH_COLORS[health]) } },
          tooltip: [{ field: 'lane' }, { field: 'value' }, { field: 'start', title: 'from (s)' }, { field: 'end', title: 'to (s)' }],
        },
      },
      {
        data: { values: labels },
        mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 9, dx: 3, color: 'white' },
        encoding: { x: x('start'), y, text: { field: 'value', type: 'nominal' } },
      },
    ],
  };
}

export const storagePlot: Plot = {
  id: 'storage',
  title: 'DRBD states',
  caption:
    'Three lanes per primary (p1 is primary-1, p2 primary-2), in /proc/drbd\'s terms: cs is the connection state, ro the roles and ds the disk states, each as local/peer. Green is the design\'s steady state (Connected, Primary/Primary, UpToDate/UpToDate), blue a resync, orange any other state, and grey a node that is powered off. The states were read every 0.5 s, so a state that lasted less than that may be missing. Yellow spans are fault windows, as in the timeline.',
  spec: storageSpec,
  emptyNote: 'No data: this run had no DRBD storage (topology.storage is shared-volume).',
};
