import { describe, expect, it } from 'vitest';
import type { EventEntry, HistoryEntry } from '../../harness/history/types.js';
import { derivePlotData, storageSpans } from '../../harness/report/plots/data.js';
import { renderPlot } from '../../harness/report/plots/render.js';
import { storageHealth, storagePlot } from '../../harness/report/plots/storage.js';
import { syntheticInput } from './inputs.js';

function storageEvent(time: number, node: string, connection: string, role: string | null = null, peerRole: string | null = null, disk: string | null = null, peerDisk: string | null = null): EventEntry {
  return { index: 0, time, type: 'event', kind: 'storage', phase: 'point', name: 'drbd-state', nodes: [node], detail: { connection, role, peerRole, disk, peerDisk } };
}

/** Returns the synthetic run's history without its DRBD states, as a shared-volume run records it. */
function withoutStorage(): HistoryEntry[] {
  return syntheticInput().history.filter((entry) => entry.type !== 'event' || entry.kind !== 'storage');
}

const HISTORY: HistoryEntry[] = [
  storageEvent(0, 'primary-1', 'Connected', 'Primary', 'Primary', 'UpToDate', 'UpToDate'),
  storageEvent(0, 'primary-2', 'Connected', 'Primary', 'Primary', 'UpToDate', 'UpToDate'),
  storageEvent(2000, 'primary-2', 'Off'),
  storageEvent(2100, 'primary-1', 'WFConnection', 'Primary', 'Unknown', 'UpToDate', 'DUnknown'),
  storageEvent(9000, 'primary-2', 'SyncTarget', 'Secondary', 'Primary', 'Inconsistent', 'UpToDate'),
  storageEvent(9000, 'primary-1', 'SyncSource', 'Primary', 'Secondary', 'UpToDate', 'Inconsistent'),
  storageEvent(12000, 'primary-1', 'Connected', 'Primary', 'Primary', 'UpToDate', 'UpToDate'),
  storageEvent(12000, 'primary-2', 'Connected', 'Primary', 'Primary', 'UpToDate', 'UpToDate'),
];

describe('storageSpans', () => {
  const spans = storageSpans(HISTORY, 15000);

  it('splits a lane only where its value changes', () => {
    const disk = spans.filter((span) => span.node === 'primary-1' && span.aspect === 'disk');
    expect(disk.map((span) => [span.value, span.startMs, span.endMs])).toEqual([
      ['UpToDate/UpToDate', 0, 2100],
      ['UpToDate/DUnknown', 2100, 9000],
      ['UpToDate/Inconsistent', 9000, 12000],
      ['UpToDate/UpToDate', 12000, 15000],
    ]);
  });

  it('shows a powered-off node as Off on every lane', () => {
    const off = spans.filter((span) => span.node === 'primary-2' && span.startMs === 2000);
    expect(off.map((span) => [span.aspect, span.value, span.endMs])).toEqual([
      ['connection', 'Off', 9000],
      ['role', 'Off', 9000],
      ['disk', 'Off', 9000],
    ]);
  });

  it('is empty without storage events', () => {
    expect(storageSpans(withoutStorage(), 1000)).toEqual([]);
  });
});

describe('storageHealth', () => {
  it.each([
    ['connection', 'Connected', 'as designed'],
    ['role', 'Primary/Primary', 'as designed'],
    ['disk', 'UpToDate/UpToDate', 'as designed'],
    ['connection', 'SyncTarget', 'syncing'],
    ['disk', 'Inconsistent/UpToDate', 'syncing'],
    ['connection', 'WFConnection', 'degraded'],
    ['disk', 'Diskless/UpToDate', 'degraded'],
    ['role', 'Off', 'off'],
  ] as const)('classifies %s %s as %s', (aspect, value, health) => {
    expect(storageHealth({ aspect, value })).toBe(health);
  });
});

describe('storage plot', () => {
  it('draws six lanes for two nodes', () => {
    const spec = storagePlot.spec({ ...derivePlotData(HISTORY), runEndMs: 15000 }) as { layer: Array<{ encoding?: { y?: { scale?: { domain?: string[] } } } }> };
    expect(spec.layer[1]?.encoding?.y?.scale?.domain).toEqual(['p1 cs', 'p1 ro', 'p1 ds', 'p2 cs', 'p2 ro', 'p2 ds']);
  });

  it('renders each state value into the SVG', async () => {
    const rendered = await renderPlot(storagePlot, derivePlotData(HISTORY));
    expect(rendered.svg).toContain('WFConnection');
    expect(rendered.svg).toContain('UpToDate/DUnknown');
    expect(rendered.svg).toContain('>p2 ds<');
    expect(rendered.note).toBeNull();
  });

  it('shows its note without storage events', async () => {
    const rendered = await renderPlot(storagePlot, derivePlotData(withoutStorage()));
    expect(rendered.svg).toBeNull();
    expect(rendered.note).toContain('no DRBD storage');
  });
});
