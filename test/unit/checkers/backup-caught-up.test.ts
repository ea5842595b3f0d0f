import { describe, expect, it } from 'vitest';
import { backupCaughtUp } from '../../../harness/checkers/backup-caught-up.js';
import type { MailboxSnapshot } from '../../../harness/history/snapshot.js';
import type { HistoryEntry } from '../../../harness/history/types.js';
import { HistoryBuilder, messageIdOf, PRIMARIES, scenarioWith, SnapshotBuilder } from '../history-builder.js';

const scenario = scenarioWith();

function check(history: HistoryEntry[], snapshots: MailboxSnapshot[]) {
  return backupCaughtUp.check({ scenario, history, snapshots });
}

function missingCountOf(evidence: Record<string, unknown>): number {
  return (evidence.missing as { count: number }).count;
}

describe('backup-caught-up', () => {
  it('accepts synced mail', () => {
    const h = new HistoryBuilder();
    const a = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    const b = h.append('client-2', 'primary-2', 'user2', 'INBOX.Sent', messageIdOf('b'), { uid: 1, uidValidity: 200 });
    const sync = h.sync();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('after-sync'), { uid: 2, uidValidity: 100 });
    h.fault('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).holding([a, b]).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.expected).toBe(2);
    expect(result.evidence.sync).toEqual(sync);
  });

  it('rejects mail missing after sync', () => {
    const h = new HistoryBuilder();
    const a = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.append('client-2', 'primary-2', 'user2', 'INBOX', messageIdOf('b'), { uid: 1, uidValidity: 200 });
    h.sync();
    const snapshot = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup')).holding([a]).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('invalid');
    expect((result.evidence.missing as { sample: unknown[] }).sample).toEqual([{ messageId: messageIdOf('b'), account: 'user2', folder: 'INBOX' }]);
  });

  it('accepts mail in other folder', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.sync();
    const snapshot = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup'))
      .message('user1', 'INBOX.Archive', { messageId: messageIdOf('a'), uid: 1 })
      .build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('valid');
  });

  it('ignores mail acked during sync', () => {
    const h = new HistoryBuilder();
    h.syncStart();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('during'), { uid: 1, uidValidity: 100 });
    h.syncEnd(true);
    const snapshot = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup')).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.expected).toBe(0);
  });

  it('ignores sync ending after snapshot', () => {
    const h = new HistoryBuilder();
    const a = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    const first = h.sync();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('b'), { uid: 2, uidValidity: 100 });
    h.syncStart();
    const snapshot = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup')).holding([a]).build();
    h.syncEnd(true);
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.sync).toEqual(first);
  });

  it('ignores failed sync', () => {
    const h = new HistoryBuilder();
    const a = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.sync();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('b'), { uid: 2, uidValidity: 100 });
    h.sync(false);
    const snapshot = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup')).holding([a]).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.expected).toBe(1);
  });

  it('ignores expunged mail', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('gone'), { uid: 1, uidValidity: 100 });
    h.expunge('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('gone'));
    h.sync();
    const snapshot = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup')).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.expected).toBe(0);
  });

  it('ignores mail acked on backup', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'backup', 'user1', 'INBOX', messageIdOf('on-backup'), { uid: 2, uidValidity: 100 });
    h.sync();
    const snapshot = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup')).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.expected).toBe(0);
  });

  it('judges latest backup snapshot', () => {
    const h = new HistoryBuilder();
    const a = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.sync();
    const early = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).holding([a]).build();
    const late = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup')).build();
    const result = check(h.build(), [early, late]);

    expect(result.verdict).toBe('invalid');
    expect(missingCountOf(result.evidence)).toBe(1);
  });

  it('rejects snapshot before any sync', () => {
    const h = new HistoryBuilder();
    const a = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.syncStart();
    const snapshot = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup')).holding([a]).build();
    h.syncEnd(true);
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('invalid');
    expect(result.summary).toContain('No sync completed');
  });

  it('is unknown without backup snapshot', () => {
    const h = new HistoryBuilder();
    const a = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.sync();
    const primary = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1')).holding([a]).build();
    const result = check(h.build(), [primary]);

    expect(result.verdict).toBe('unknown');
  });
});
