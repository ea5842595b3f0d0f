import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryContractError, HistoryRecorder, validateHistory } from '../../harness/history/recorder.js';
import type { HistoryEntry, OperationEntry } from '../../harness/history/types.js';

function appendFields(process: string) {
  return { process, f: 'append' as const, node: 'primary-1', address: '10.0.0.10', account: 'user1', folder: 'INBOX', value: { messageId: '<m@x>' } };
}

function operation(index: number, type: OperationEntry['type'], process: string, f: OperationEntry['f']): OperationEntry {
  return { index, time: index, type, process, f, node: 'primary-1', address: '10.0.0.10' };
}

describe('HistoryRecorder', () => {
  it('rejects completion without invoke', () => {
    const recorder = new HistoryRecorder();
    const stray: OperationEntry = { ...appendFields('client-1'), index: 0, time: 0, type: 'invoke' };

    expect(() => recorder.complete(stray, 'ok')).toThrow(HistoryContractError);
    expect(() => recorder.complete(stray, 'ok')).toThrow('client-1 completed append (entry 0) without a matching open invoke');
    expect(recorder.entries).toHaveLength(0);
  });

  it('rejects completing an invoke twice', () => {
    const recorder = new HistoryRecorder();
    const invoke = recorder.invoke(appendFields('client-1'));
    recorder.complete(invoke, 'ok');

    expect(() => recorder.complete(invoke, 'fail')).toThrow(HistoryContractError);
    expect(recorder.entries).toHaveLength(2);
  });

  it('rejects another process completing an invoke', () => {
    const recorder = new HistoryRecorder();
    const invoke = recorder.invoke(appendFields('client-1'));
    const other = { ...invoke, process: 'client-2' };

    expect(() => recorder.complete(other, 'ok')).toThrow(HistoryContractError);
  });

  it('rejects two invokes in a row', () => {
    const recorder = new HistoryRecorder();
    recorder.invoke(appendFields('client-1'));

    expect(() => recorder.invoke({ ...appendFields('client-1'), f: 'fetch' })).toThrow(HistoryContractError);
    expect(() => recorder.invoke({ ...appendFields('client-1'), f: 'fetch' })).toThrow(
      'client-1 invoked fetch while append (entry 0) is still open',
    );
    expect(recorder.entries).toHaveLength(1);
  });

  it('accepts interleaved processes', () => {
    const recorder = new HistoryRecorder();
    const first = recorder.invoke(appendFields('client-1'));
    const second = recorder.invoke(appendFields('client-2'));
    recorder.event({ kind: 'sync', phase: 'start', name: 'rsync' });
    recorder.complete(first, 'ok', { value: { uid: 7, uidValidity: 3 } });
    recorder.complete(second, 'info', { error: 'connection closed' });

    expect(recorder.entries.map((entry) => entry.index)).toEqual([0, 1, 2, 3, 4]);
    expect(recorder.entries.map((entry) => entry.type)).toEqual(['invoke', 'invoke', 'event', 'ok', 'info']);
    expect(recorder.openOperations()).toEqual([]);
    expect(validateHistory(recorder.entries)).toEqual([]);
  });

  it('lists open operations', () => {
    const recorder = new HistoryRecorder();
    const invoke = recorder.invoke(appendFields('client-1'));

    expect(recorder.openOperations()).toEqual([invoke]);
  });

  it('copies invoke fields into completion', () => {
    const recorder = new HistoryRecorder();
    const invoke = recorder.invoke(appendFields('client-1'));
    const completion = recorder.complete(invoke, 'ok', { value: { uid: 4, uidValidity: 9 } });

    expect(completion.process).toBe('client-1');
    expect(completion.f).toBe('append');
    expect(completion.node).toBe('primary-1');
    expect(completion.address).toBe('10.0.0.10');
    expect(completion.account).toBe('user1');
    expect(completion.folder).toBe('INBOX');
    expect(completion.value).toEqual({ uid: 4, uidValidity: 9 });
    expect(completion).not.toHaveProperty('reply');
    expect(completion).not.toHaveProperty('error');
  });

  it('lets completion override node', () => {
    const recorder = new HistoryRecorder();
    const invoke = recorder.invoke({ ...appendFields('client-1'), node: null, address: null });
    const completion = recorder.complete(invoke, 'ok', { node: 'backup', address: '10.0.0.20' });

    expect(completion.node).toBe('backup');
    expect(completion.address).toBe('10.0.0.20');
  });

  it('orders entry times', () => {
    const recorder = new HistoryRecorder();
    for (let i = 0; i < 20; i += 1) {
      const invoke = recorder.invoke(appendFields('client-1'));
      recorder.complete(invoke, 'ok');
    }
    const times = recorder.entries.map((entry) => entry.time);

    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(0);
  });
});

describe('validateHistory', () => {
  it('accepts a well-formed history', () => {
    const entries: HistoryEntry[] = [
      operation(0, 'invoke', 'client-1', 'append'),
      operation(1, 'invoke', 'client-2', 'fetch'),
      operation(2, 'fail', 'client-2', 'fetch'),
      operation(3, 'ok', 'client-1', 'append'),
    ];

    expect(validateHistory(entries)).toEqual([]);
  });

  it('reports completion without invoke', () => {
    const entries: HistoryEntry[] = [
      { index: 0, time: 0, type: 'event', kind: 'bed', phase: 'start', name: 'bed' },
      operation(1, 'ok', 'client-1', 'append'),
    ];

    expect(validateHistory(entries)).toEqual(['entry 1: client-1 completed append without an invoke']);
  });

  it('reports two invokes in a row', () => {
    const entries: HistoryEntry[] = [
      operation(0, 'invoke', 'client-1', 'append'),
      operation(1, 'invoke', 'client-2', 'fetch'),
      operation(2, 'invoke', 'client-1', 'search'),
    ];

    expect(validateHistory(entries)).toEqual(['entry 2: client-1 invoked twice in a row (open since entry 0)']);
  });

  it('reports completion of another operation', () => {
    const entries: HistoryEntry[] = [
      operation(0, 'invoke', 'client-1', 'append'),
      operation(1, 'ok', 'client-1', 'fetch'),
      operation(2, 'invoke', 'client-1', 'search'),
      operation(3, 'ok', 'client-1', 'search'),
    ];

    expect(validateHistory(entries)).toEqual(['entry 1: client-1 completed fetch but invoked append']);
  });

  it('reports every problem in order', () => {
    const entries: HistoryEntry[] = [
      operation(0, 'info', 'client-3', 'store'),
      operation(1, 'invoke', 'client-1', 'append'),
      operation(2, 'invoke', 'client-1', 'append'),
      operation(3, 'fail', 'client-1', 'expunge'),
    ];

    expect(validateHistory(entries)).toEqual([
      'entry 0: client-3 completed store without an invoke',
      'entry 2: client-1 invoked twice in a row (open since entry 1)',
      'entry 3: client-1 completed expunge but invoked append',
    ]);
  });
});

describe('HistoryRecorder JSONL file', () => {
  let tempDir: string;

  beforeEach(async () => {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'mailha-history-'));
  });

  afterEach(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  it('writes one line per entry', async () => {
    const file = path.join(tempDir, 'history.jsonl');
    const recorder = new HistoryRecorder(file);
    const invoke = recorder.invoke(appendFields('client-1'));
    recorder.event({ kind: 'fault', phase: 'start', name: 'kill', nodes: ['primary-1', 'primary-2'] });
    recorder.complete(invoke, 'fail', { reply: { status: 'NO', text: 'Access denied' }, error: 'Command failed' });
    await recorder.close();

    const text = await readFile(file, 'utf8');
    const lines = text.split('\n');

    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(lines.slice(0, 3).map((line) => JSON.parse(line))).toEqual(recorder.entries);
  });

  it('closes without a file', async () => {
    const recorder = new HistoryRecorder();

    await expect(recorder.close()).resolves.toBeUndefined();
  });
});
