import { describe, expect, it } from 'vitest';
import type { EventEntry, HistoryEntry } from '../../harness/history/types.js';
import {
  derivePlotData,
  faultWindows,
  latencyBuckets,
  nearestRank,
  pairOperations,
  rateBuckets,
  replicationLag,
  type CompletedOperation,
  type Sync,
} from '../../harness/report/plots/data.js';
import { syntheticInput } from './inputs.js';

function faultEvent(time: number, phase: 'start' | 'end', name: string, nodes: string[], id?: string): EventEntry {
  return { index: 0, time, type: 'event', kind: 'fault', phase, name, nodes, ...(id ? { detail: { id } } : {}) };
}

function operation(process: string, invokedMs: number, completedMs: number, outcome: CompletedOperation['outcome'] = 'ok'): CompletedOperation {
  return { process, f: 'fetch', node: 'primary-1', invokedMs, completedMs, outcome };
}

describe('pairOperations', () => {
  it('pairs completions with invokes', () => {
    const { history } = syntheticInput();
    const operations = pairOperations(history);
    const completions = history.filter((entry) => entry.type !== 'event' && entry.type !== 'invoke');

    expect(operations).toHaveLength(completions.length);
    expect(operations.every((op) => op.completedMs >= op.invokedMs)).toBe(true);
  });

  it('puts DNS lookups on the dns node', () => {
    const operations = pairOperations(syntheticInput().history);
    const lookups = operations.filter((op) => op.f === 'resolve');

    expect(lookups).toHaveLength(1);
    expect(lookups[0].node).toBe('dns');
  });

  it('skips completion without invoke', () => {
    const history: HistoryEntry[] = [{ index: 0, time: 5, type: 'ok', process: 'client-1', f: 'fetch', node: 'primary-1', address: null }];

    expect(pairOperations(history)).toEqual([]);
  });
});

describe('faultWindows', () => {
  it('matches start and end by id', () => {
    const history = [
      faultEvent(10, 'start', 'link-latency', [], 'wan-latency'),
      faultEvent(12, 'start', 'link-latency', [], 'other-latency'),
      faultEvent(20, 'end', 'link-latency', [], 'wan-latency'),
    ];
    const windows = faultWindows(history, 100);

    expect(windows).toEqual([
      { label: 'wan-latency', startMs: 10, endMs: 20, open: false },
      { label: 'other-latency', startMs: 12, endMs: 100, open: true },
    ]);
  });

  it('matches by name and nodes without id', () => {
    const history = [
      faultEvent(10, 'start', 'kill', ['primary-2', 'primary-1']),
      faultEvent(11, 'start', 'kill', ['backup']),
      faultEvent(30, 'end', 'kill', ['primary-1', 'primary-2']),
    ];
    const windows = faultWindows(history, 100);

    expect(windows[0]).toEqual({ label: 'kill:primary-2,primary-1', startMs: 10, endMs: 30, open: false });
    expect(windows[1]).toEqual({ label: 'kill:backup', startMs: 11, endMs: 100, open: true });
  });

  it('closes repeated faults first in, first out', () => {
    const history = [
      faultEvent(10, 'start', 'pause', ['primary-1']),
      faultEvent(20, 'start', 'pause', ['primary-1']),
      faultEvent(30, 'end', 'pause', ['primary-1']),
      faultEvent(40, 'end', 'pause', ['primary-1']),
    ];
    const windows = faultWindows(history, 100);

    expect(windows.map((window) => [window.startMs, window.endMs])).toEqual([
      [10, 30],
      [20, 40],
    ]);
  });

  it('skips end without start', () => {
    expect(faultWindows([faultEvent(30, 'end', 'kill', ['primary-1'])], 100)).toEqual([]);
  });
});

describe('replicationLag', () => {
  it('measures from previous successful sync', () => {
    const syncs: Sync[] = [
      { startMs: 0, endMs: 1000, ok: true, from: 'primary-1' },
      { startMs: 5000, endMs: 5100, ok: false, from: null },
      { startMs: 10000, endMs: 11000, ok: true, from: 'primary-1' },
      { startMs: 15000, endMs: 15500, ok: true, from: 'primary-2' },
    ];

    expect(replicationLag(syncs)).toEqual([
      { timeMs: 5100, lagMs: 5100, ok: false },
      { timeMs: 11000, lagMs: 11000, ok: true },
      { timeMs: 15500, lagMs: 5500, ok: true },
    ]);
  });

  it('has no points before first success', () => {
    expect(replicationLag([{ startMs: 0, endMs: 10, ok: false, from: null }])).toEqual([]);
  });

  it('leaves out a sync still open', () => {
    const history: EventEntry[] = [
      { index: 0, time: 10, type: 'event', kind: 'sync', phase: 'start', name: 'rsync' },
      { index: 1, time: 20, type: 'event', kind: 'sync', phase: 'end', name: 'rsync', ok: true, nodes: ['primary-1', 'backup'] },
      { index: 2, time: 30, type: 'event', kind: 'sync', phase: 'start', name: 'rsync' },
    ];

    expect(derivePlotData(history).syncs).toEqual([{ startMs: 10, endMs: 20, ok: true, from: 'primary-1' }]);
  });
});

describe('latency and rate buckets', () => {
  it('uses nearest-rank quantiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);

    expect(nearestRank(sorted, 0.5)).toBe(50);
    expect(nearestRank(sorted, 0.99)).toBe(99);
    expect(nearestRank([7], 0.99)).toBe(7);
  });

  it('buckets ok client operations per second', () => {
    const operations = [
      operation('client-1', 0, 100),
      operation('client-1', 200, 500),
      operation('client-2', 900, 1900),
      operation('client-2', 1950, 2000, 'fail'),
      operation('seed', 0, 50),
    ];

    expect(latencyBuckets(operations)).toEqual([
      { second: 0, p50Ms: 100, p99Ms: 300, count: 2 },
      { second: 1, p50Ms: 1000, p99Ms: 1000, count: 1 },
    ]);
  });

  it('counts every outcome but not seed', () => {
    const operations = [operation('client-1', 0, 100), operation('client-1', 0, 200, 'fail'), operation('client-2', 0, 300, 'fail'), operation('seed', 0, 50)];

    expect(rateBuckets(operations)).toEqual([
      { second: 0, outcome: 'fail', count: 2 },
      { second: 0, outcome: 'ok', count: 1 },
    ]);
  });
});

describe('derivePlotData', () => {
  it('orders client lanes naturally', () => {
    const history: HistoryEntry[] = ['client-10', 'client-2', 'client-1'].flatMap((process, i) => [
      { index: 2 * i, time: 2 * i, type: 'invoke' as const, process, f: 'fetch' as const, node: 'primary-1', address: null },
      { index: 2 * i + 1, time: 2 * i + 1, type: 'ok' as const, process, f: 'fetch' as const, node: 'primary-1', address: null },
    ]);
    const data = derivePlotData(history);

    expect(data.clientLanes).toEqual(['client-1', 'client-2', 'client-10']);
    expect(data.nodeLanes).toEqual(['primary-1', 'primary-2', 'backup', 'dns']);
    expect(data.runEndMs).toBe(5);
  });

  it('returns empty series for empty history', () => {
    const data = derivePlotData([]);

    expect(data.operations).toEqual([]);
    expect(data.faults).toEqual([]);
    expect(data.syncs).toEqual([]);
    expect(data.lag).toEqual([]);
    expect(data.runEndMs).toBe(0);
  });
});
