/** Replication lag at each sync's end, above the duration of every sync. */
import type { TopLevelSpec } from 'vega-lite';
import type { PlotData } from './data.js';
import { OUTCOME_COLORS, PLOT_CONFIG, PLOT_WIDTH, timeAxis, type Plot } from './render.js';

const SYNC_OK_COLOR = '#1c7ed6';

function replicationSpec(data: PlotData): TopLevelSpec | null {
  if (data.syncs.length === 0) return null;
  const status = (ok: boolean) => (ok ? 'succeeded' : 'failed');
  const color = {
    field: 'status',
    type: 'nominal' as const,
    title: 'sync',
    scale: { domain: ['succeeded', 'failed'], range: [SYNC_OK_COLOR, OUTCOME_COLORS.fail] },
  };
  const lag = data.lag.map((point) => ({ t: point.timeMs / 1000, lag: point.lagMs / 1000, status: status(point.ok) }));
  const durations = data.syncs.map((sync) => ({
    start: sync.startMs / 1000,
    end: sync.endMs / 1000,
    duration: (sync.endMs - sync.startMs) / 1000,
    status: status(sync.ok),
  }));

  const lagPanel =
    lag.length === 0
      ? {
          data: { values: [{ note: 'no successful sync, so the lag is unknown' }] },
          width: PLOT_WIDTH,
          height: 40,
          mark: { type: 'text' as const, fontSize: 12, color: '#495057' },
          encoding: { text: { field: 'note', type: 'nominal' as const } },
        }
      : {
          data: { values: lag },
          width: PLOT_WIDTH,
          height: 160,
          layer: [
            {
              mark: { type: 'line' as const, color: '#868e96', strokeWidth: 1 },
              encoding: {
                x: timeAxis('t', data.runEndMs, ''),
                y: { field: 'lag', type: 'quantitative' as const, title: 'lag at sync end (s)' },
              },
            },
            {
              mark: { type: 'point' as const, filled: true, size: 36 },
              encoding: {
                x: timeAxis('t', data.runEndMs, ''),
                y: { field: 'lag', type: 'quantitative' as const },
                color,
              },
            },
          ],
        };

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: PLOT_CONFIG,
    vconcat: [
      lagPanel,
      {
        data: { values: durations },
        width: PLOT_WIDTH,
        height: 90,
        mark: { type: 'bar' as const, width: 4 },
        encoding: {
          x: timeAxis('start', data.runEndMs, 'sync start, time since run start (s)'),
          y: { field: 'duration', type: 'quantitative' as const, title: 'sync duration (s)' },
          color,
        },
      },
    ],
    resolve: { scale: { color: 'shared' } },
  };
}

export const replicationPlot: Plot = {
  id: 'replication',
  title: 'Replication lag and sync durations',
  caption:
    'Top: the lag at each sync\'s end, which is that end minus the start of the previous successful sync, so the age of the backup\'s newest copy just before this sync counts. It grows while syncs fail and drops after the next success. Bottom: each sync\'s duration, placed at its start.',
  spec: replicationSpec,
  emptyNote: 'No data: the history has no sync events.',
};
