import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Bed, StorageState } from '../../harness/bed/bed.js';
import { HistoryRecorder } from '../../harness/history/recorder.js';
import { isEvent } from '../../harness/history/types.js';
import { changedStates, formatStorageState, StorageMonitor } from '../../harness/runner/storage-monitor.js';

const STEADY: StorageState = { connection: 'Connected', role: 'Primary', peerRole: 'Primary', disk: 'UpToDate', peerDisk: 'UpToDate', outOfSyncKiB: 0 };
const OFF: StorageState = { connection: 'Off', role: null, peerRole: null, disk: null, peerDisk: null, outOfSyncKiB: null };
const ALONE: StorageState = { connection: 'WFConnection', role: 'Primary', peerRole: 'Unknown', disk: 'UpToDate', peerDisk: 'DUnknown', outOfSyncKiB: 12 };

describe('changedStates', () => {
  it('reports every node on the first read', () => {
    const changes = changedStates({}, { 'primary-1': STEADY, 'primary-2': STEADY });
    expect(changes.map((change) => change.node)).toEqual(['primary-1', 'primary-2']);
  });

  it('reports nothing when no state changed', () => {
    expect(changedStates({ 'primary-1': STEADY }, { 'primary-1': { ...STEADY } })).toEqual([]);
  });

  it('ignores the out-of-sync amount', () => {
    expect(changedStates({ 'primary-1': ALONE }, { 'primary-1': { ...ALONE, outOfSyncKiB: 4096 } })).toEqual([]);
  });

  it('reports only the node that changed', () => {
    const changes = changedStates({ 'primary-1': STEADY, 'primary-2': STEADY }, { 'primary-1': ALONE, 'primary-2': STEADY });
    expect(changes).toEqual([{ node: 'primary-1', state: ALONE }]);
  });

  it.each([
    ['connection', { connection: 'StandAlone' }],
    ['peer role', { peerRole: 'Secondary' }],
    ['disk', { disk: 'Diskless' }],
    ['peer disk', { peerDisk: 'Inconsistent' }],
  ])('reports a change of the %s', (_, change) => {
    expect(changedStates({ n: STEADY }, { n: { ...STEADY, ...change } })).toHaveLength(1);
  });
});

describe('formatStorageState', () => {
  it('formats as /proc/drbd does', () => {
    expect(formatStorageState(ALONE)).toBe('WFConnection Primary/Unknown UpToDate/DUnknown');
  });

  it('shows a powered-off node by its connection alone', () => {
    expect(formatStorageState(OFF)).toBe('Off');
  });
});

describe('StorageMonitor', () => {
  async function recorder(): Promise<HistoryRecorder> {
    return new HistoryRecorder(join(await mkdtemp(join(tmpdir(), 'mailha-storage-')), 'history.jsonl'));
  }

  it('records each change once as a storage event', async () => {
    const reads: Array<Record<string, StorageState>> = [
      { 'primary-1': STEADY, 'primary-2': STEADY },
      { 'primary-1': STEADY, 'primary-2': STEADY },
      { 'primary-1': ALONE, 'primary-2': OFF },
      { 'primary-1': { ...ALONE, outOfSyncKiB: 99 }, 'primary-2': OFF },
    ];
    let calls = 0;
    const bed = { readStorageStates: async () => reads[Math.min(calls++, reads.length - 1)] } as unknown as Bed;
    const history = await recorder();
    const monitor = new StorageMonitor(bed, history, pino({ level: 'silent' }), 5);

    expect(await monitor.start()).toBe(true);
    while (calls < reads.length + 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await monitor.stop();
    await history.close();

    const events = history.entries.filter(isEvent);
    expect(events.every((event) => event.kind === 'storage' && event.phase === 'point')).toBe(true);
    expect(events.map((event) => `${event.nodes?.[0]}: ${event.detail?.state}`)).toEqual([
      'primary-1: Connected Primary/Primary UpToDate/UpToDate',
      'primary-2: Connected Primary/Primary UpToDate/UpToDate',
      'primary-1: WFConnection Primary/Unknown UpToDate/DUnknown',
      'primary-2: Off',
    ]);
    expect(events[2]?.detail).toMatchObject({ connection: 'WFConnection', peerRole: 'Unknown', outOfSyncKiB: 12 });
  });

  it('records nothing without replicated storage', async () => {
    const bed = { readStorageStates: async () => null } as unknown as Bed;
    const history = await recorder();
    const monitor = new StorageMonitor(bed, history, pino({ level: 'silent' }), 5);

    expect(await monitor.start()).toBe(false);
    await monitor.stop();
    await history.close();
    expect(history.entries).toEqual([]);
  });

  it('keeps polling after a failed read', async () => {
    let calls = 0;
    const bed = {
      readStorageStates: async () => {
        calls += 1;
        if (calls === 2) throw new Error('uml_mconsole proc drbd failed');
        return { 'primary-1': calls >= 3 ? ALONE : STEADY };
      },
    } as unknown as Bed;
    const history = await recorder();
    const monitor = new StorageMonitor(bed, history, pino({ level: 'silent' }), 5);

    await monitor.start();
    while (calls < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    await monitor.stop();
    await history.close();
    expect(history.entries.filter(isEvent).map((event) => event.detail?.connection)).toEqual(['Connected', 'WFConnection']);
  });
});
