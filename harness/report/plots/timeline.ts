/**
 * The timeline: one lane per client and one per node. Each completed operation is a tick at its
 * completion time, on its client's lane and, when known, on the lane of the node that served it. Fault windows
 * are shaded, DNS updates are vertical rules, and syncs are bars on a lane of their own.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { PlotData } from './data.js';
import { LABEL_ROW_HEIGHT, placeLabels } from './labels.js';
import { OUTCOME_COLORS, PLOT_CONFIG, PLOT_WIDTH, timeAxis, type Plot } from './render.js';

/** Lane of the sync bars, below the node lanes. */
export const SYNC_LANE = 'syncs';

const LANE_HEIGHT = 22;
const FAULT_FILL = '#ffe066';
const FAULT_LABEL_COLOR = '#946800';
const DNS_COLOR = '#7048e8';
const SYNC_OK_COLOR = '#1c7ed6';
const FAILED_COLOR = OUTCOME_COLORS.fail;
const NODE_LANE_FILL = '#f1f3f5';
/** Draw order of outcomes: failures last, so they stay visible over dense ok ticks. */
const OUTCOME_ORDER = { ok: 0, info: 1, fail: 2 } as const;

interface Label {
  text: string;
  t: number;
  color: string;
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function timelineSpec(data: PlotData): TopLevelSpec | null {
  if (data.operations.length === 0 && data.faults.length === 0 && data.syncs.length === 0 && data.dnsUpdates.length === 0) {
    return null;
  }
  const lanes = [...data.clientLanes, ...data.nodeLanes, SYNC_LANE];
  const x = (field: string) => timeAxis(field, data.runEndMs);
  const y = { field: 'lane', type: 'nominal' as const, title: 'lane', sort: lanes, scale: { domain: lanes } };

  const ticks = data.operations
    .flatMap((operation) => {
      const rows = [{ lane: operation.process, t: seconds(operation.completedMs), outcome: operation.outcome }];
      if (operation.node) rows.push({ lane: operation.node, t: seconds(operation.completedMs), outcome: operation.outcome });
      return rows;
    })
    .sort((a, b) => OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome]);

  const faults = data.faults.map((fault) => ({
    label: fault.open ? `${fault.label} (no end)` : fault.label,
    start: seconds(fault.startMs),
    end: seconds(fault.endMs),
  }));
  const dns = data.dnsUpdates.map((update) => ({
    t: seconds(update.timeMs),
    ok: update.ok,
  }));
  const syncs = data.syncs.map((sync) => ({ lane: SYNC_LANE, start: seconds(sync.startMs), end: seconds(sync.endMs), ok: sync.ok }));

  const labels: Label[] = [
    ...faults.map((fault) => ({ text: fault.label, t: fault.start, color: FAULT_LABEL_COLOR })),
    ...data.dnsUpdates.map((update) => ({
      text: `DNS → ${update.nodes.join(', ') || '?'}${update.ok ? '' : ' (failed)'}`,
      t: seconds(update.timeMs),
      color: update.ok ? DNS_COLOR : FAILED_COLOR,
    })),
  ];
  const scaleX = PLOT_WIDTH / Math.max(1, Math.ceil(data.runEndMs / 1000));
  const placed = placeLabels(labels, (label) => label.t * scaleX, (label) => label.text);
  const rows = [...new Set(placed.map((label) => label.row))];

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: PLOT_WIDTH,
    height: lanes.length * LANE_HEIGHT,
    config: PLOT_CONFIG,
    layer: [
      {
        data: { values: data.nodeLanes.map((lane) => ({ lane, start: 0, end: seconds(data.runEndMs) })) },
        mark: { type: 'rect', fill: NODE_LANE_FILL },
        encoding: { x: x('start'), x2: { field: 'end' }, y },
      },
      {
        data: { values: faults },
        mark: { type: 'rect', fill: FAULT_FILL, opacity: 0.35 },
        encoding: { x: x('start'), x2: { field: 'end' } },
      },
      {
        data: { values: syncs },
        mark: { type: 'rule', strokeWidth: 7, strokeCap: 'butt' },
        encoding: {
          x: x('start'),
          x2: { field: 'end' },
          y,
          color: { condition: { test: 'datum.ok', value: SYNC_OK_COLOR }, value: FAILED_COLOR },
        },
      },
      {
        data: { values: syncs },
        mark: { type: 'tick', thickness: 2, bandSize: LANE_HEIGHT },
        encoding: {
          x: x('end'),
          y,
          color: { condition: { test: 'datum.ok', value: SYNC_OK_COLOR }, value: FAILED_COLOR },
        },
      },
      {
        data: { values: ticks },
        mark: { type: 'tick', thickness: 1, opacity: 0.8 },
        encoding: {
          x: x('t'),
          y: { ...y, axis: { labelFontWeight: { condition: { test: `indexof(${JSON.stringify(data.nodeLanes)}, datum.value) >= 0`, value: 'bold' }, value: 'normal' } } },
          color: {
            field: 'outcome',
            type: 'nominal',
            title: 'outcome',
            scale: { domain: ['ok', 'fail', 'info'], range: [OUTCOME_COLORS.ok, OUTCOME_COLORS.fail, OUTCOME_COLORS.info] },
          },
        },
      },
      {
        data: { values: dns },
        mark: { type: 'rule', strokeWidth: 1.5, strokeDash: [4, 3] },
        encoding: {
          x: x('t'),
          color: { condition: { test: 'datum.ok', value: DNS_COLOR }, value: FAILED_COLOR },
        },
      },
      ...rows.map((row) => ({
        data: { values: placed.filter((label) => label.row === row).map(({ item }) => item) },
        mark: { type: 'text' as const, align: 'left' as const, baseline: 'bottom' as const, fontSize: 10, dx: 2, y: -4 - row * LABEL_ROW_HEIGHT },
        encoding: {
          x: x('t'),
          text: { field: 'text', type: 'nominal' as const },
          color: { field: 'color', type: 'nominal' as const, scale: null, legend: null },
        },
      })),
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

export const timelinePlot: Plot = {
  id: 'timeline',
  title: 'Timeline',
  caption:
    'One lane per client, then one per node (bold, on grey). Each completed operation is a tick at its completion time, on the lane of its client and on the lane of the node that served it (DNS lookups go to the dns lane). Yellow spans are fault windows, labelled with the fault id; dashed vertical rules are DNS updates. The last lane shows each sync from start to end: blue when it succeeded, red when it failed.',
  spec: timelineSpec,
  emptyNote: 'No data: the history has no operations, faults, DNS updates or syncs.',
};
