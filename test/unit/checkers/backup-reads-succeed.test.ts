import { describe, expect, it } from 'vitest';
import { backupReadsSucceed } from '../../../harness/checkers/backup-reads-succeed.js';
import type { HistoryEntry } from '../../../harness/history/types.js';
import { HistoryBuilder, PRIMARIES, scenarioWith } from '../history-builder.js';

const scenario = scenarioWith();

function check(history: HistoryEntry[]) {
  return backupReadsSucceed.check({ scenario, history, snapshots: [] });
}

/** Clients work on the primaries, the primaries die, and client-1 fails once before logging in to the backup. */
function failover(): HistoryBuilder {
  const h = new HistoryBuilder();
  h.connect('client-1', 'primary-1');
  h.read('client-1', 'primary-1', 'fetch');
  h.fault('kill', PRIMARIES);
  h.read('client-1', 'primary-1', 'fetch', 'info');
  h.connect('client-1', 'backup', 'fail');
  h.connect('client-1', 'backup');
  return h;
}

describe('backup-reads-succeed', () => {
  it('accepts successful reads after login', () => {
    const h = failover();
    h.read('client-1', 'backup', 'fetch');
    h.read('client-1', 'backup', 'search');
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.clientsOnBackup).toBe(1);
    expect(result.evidence.reads).toBe(2);
    expect(result.evidence.failed).toBe(0);
  });

  it('rejects failed read', () => {
    const h = failover();
    h.read('client-1', 'backup', 'fetch');
    const failed = h.read('client-1', 'backup', 'search', 'fail');
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.reads).toBe(2);
    expect(result.evidence.failed).toBe(1);
    expect((result.evidence.failures as Array<{ index: number }>)[0].index).toBe(failed.completion.index);
  });

  it('rejects read with unknown outcome', () => {
    const h = failover();
    h.read('client-1', 'backup', 'fetch', 'info');
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.failed).toBe(1);
  });

  it('rejects failed reconnect', () => {
    const h = failover();
    h.connect('client-1', 'backup', 'fail');
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.failed).toBe(1);
  });

  it('ignores failures before first login', () => {
    const h = failover();
    h.connect('client-2', 'backup', 'fail');
    h.read('client-2', 'backup', 'fetch', 'fail');
    h.connect('client-2', 'backup');
    h.read('client-2', 'backup', 'fetch');
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.clientsOnBackup).toBe(2);
    expect(result.evidence.perClient).toEqual({ 'client-2': { reads: 1, failed: 0 } });
  });

  it('ignores refused writes', () => {
    const h = failover();
    h.write('client-1', 'backup', 'append', 'fail', { status: 'NO', text: 'Access denied' });
    h.read('client-1', 'backup', 'fetch');
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.reads).toBe(1);
  });

  it('is unknown without backup login', () => {
    const h = new HistoryBuilder();
    h.connect('client-1', 'primary-1');
    h.fault('kill', PRIMARIES);
    h.connect('client-1', 'backup', 'fail');
    h.connect('seed', 'backup');
    const result = check(h.build());

    expect(result.verdict).toBe('unknown');
  });

  it('is unknown without fault', () => {
    const h = new HistoryBuilder();
    h.connect('client-1', 'backup');
    h.read('client-1', 'backup', 'fetch', 'fail');

    expect(check(h.build()).verdict).toBe('unknown');
  });
});
