import { describe, expect, it } from 'vitest';
import { backupConsistent } from '../../../harness/checkers/backup-consistent.js';
import type { MailboxSnapshot } from '../../../harness/history/snapshot.js';
import type { HistoryEntry } from '../../../harness/history/types.js';
import { HistoryBuilder, messageIdOf, PRIMARIES, scenarioWith, SnapshotBuilder } from '../history-builder.js';

const scenario = scenarioWith();

function check(history: HistoryEntry[], snapshots: MailboxSnapshot[]) {
  return backupConsistent.check({ scenario, history, snapshots });
}

function countOf(evidence: Record<string, unknown>, key: 'changedContent' | 'duplicated' | 'uidChanged'): number {
  return (evidence[key] as { count: number }).count;
}

/** Records two appends on primary-1, a sync to the backup, a failover and the outage observation time. */
function syncedRun() {
  const h = new HistoryBuilder();
  const a = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
  const b = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('b'), { uid: 2, uidValidity: 100 });
  h.sync();
  h.fault('kill', PRIMARIES);
  const outageTime = h.observe('during-outage', 'backup');
  return { h, a, b, outageTime };
}

describe('backup-consistent', () => {
  it('accepts synced copies', () => {
    const { h, a, b, outageTime } = syncedRun();
    const outage = new SnapshotBuilder('during-outage', 'backup', outageTime).holding([a, b]).build();
    const final = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup')).holding([a, b]).build();
    const result = check(h.build(), [outage, final]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.messagesChecked).toBe(4);
  });

  it('rejects truncated copy', () => {
    const { h, a, outageTime } = syncedRun();
    const outage = new SnapshotBuilder('during-outage', 'backup', outageTime)
      .holding([a])
      .message('user1', 'INBOX', { messageId: messageIdOf('b'), uid: 2, hash: 'sha256-of-first-half' }, 100)
      .build();
    const result = check(h.build(), [outage]);

    expect(result.verdict).toBe('invalid');
    expect(countOf(result.evidence, 'changedContent')).toBe(1);
    expect(countOf(result.evidence, 'uidChanged')).toBe(0);
  });

  it('rejects duplicate in folder', () => {
    const { h, a, b, outageTime } = syncedRun();
    const outage = new SnapshotBuilder('during-outage', 'backup', outageTime)
      .holding([a, b])
      .message('user1', 'INBOX', { messageId: messageIdOf('a'), uid: 3 }, 100)
      .build();
    const result = check(h.build(), [outage]);

    expect(result.verdict).toBe('invalid');
    expect((result.evidence.duplicated as { sample: unknown[] }).sample).toEqual([
      { label: 'during-outage', account: 'user1', folder: 'INBOX', messageId: messageIdOf('a'), count: 2 },
    ]);
  });

  it('rejects UID change under same UIDVALIDITY', () => {
    const { h, outageTime } = syncedRun();
    const outage = new SnapshotBuilder('during-outage', 'backup', outageTime)
      .message('user1', 'INBOX', { messageId: messageIdOf('a'), uid: 1 }, 100)
      .message('user1', 'INBOX', { messageId: messageIdOf('b'), uid: 7 }, 100)
      .build();
    const result = check(h.build(), [outage]);

    expect(result.verdict).toBe('invalid');
    expect(countOf(result.evidence, 'uidChanged')).toBe(1);
    expect(countOf(result.evidence, 'changedContent')).toBe(0);
  });

  it('allows UID change with new UIDVALIDITY', () => {
    const { h, outageTime } = syncedRun();
    const outage = new SnapshotBuilder('during-outage', 'backup', outageTime)
      .message('user1', 'INBOX', { messageId: messageIdOf('a'), uid: 5 }, 999)
      .message('user1', 'INBOX', { messageId: messageIdOf('b'), uid: 6 }, 999)
      .build();
    const result = check(h.build(), [outage]);

    expect(result.verdict).toBe('valid');
    expect(countOf(result.evidence, 'uidChanged')).toBe(0);
  });

  it('checks every backup observation', () => {
    const { h, a, b, outageTime } = syncedRun();
    const outage = new SnapshotBuilder('during-outage', 'backup', outageTime).holding([a, b]).build();
    const final = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup'))
      .holding([a])
      .message('user1', 'INBOX', { messageId: messageIdOf('b'), uid: 2, hash: 'sha256-of-first-half' }, 100)
      .build();
    const result = check(h.build(), [outage, final]);

    expect(result.verdict).toBe('invalid');
    expect((result.evidence.changedContent as { sample: Array<{ label: string }> }).sample[0].label).toBe('final');
  });

  it('ignores primary snapshots', () => {
    const { h, a, b, outageTime } = syncedRun();
    const outage = new SnapshotBuilder('during-outage', 'backup', outageTime).holding([a, b]).build();
    const primary = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1'))
      .holding([a, b])
      .message('user1', 'INBOX', { messageId: messageIdOf('a'), uid: 3 }, 100)
      .build();
    const result = check(h.build(), [outage, primary]);

    expect(result.verdict).toBe('valid');
  });

  it('ignores messages unknown to history', () => {
    const { h, a, b, outageTime } = syncedRun();
    const outage = new SnapshotBuilder('during-outage', 'backup', outageTime)
      .holding([a, b])
      .message('user1', 'INBOX', { messageId: messageIdOf('welcome'), uid: 3, hash: 'any' }, 100)
      .message('user1', 'INBOX', { messageId: messageIdOf('welcome'), uid: 4, hash: 'other' }, 100)
      .build();
    outage.accounts.user1.INBOX.messages.push({ uid: 5, messageId: null, hash: 'sha256-without-message-id', flags: [] });
    const result = check(h.build(), [outage]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.messagesChecked).toBe(2);
  });

  it('is unknown without backup snapshot', () => {
    const { h, a, b } = syncedRun();
    const primary = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1')).holding([a, b]).build();
    const result = check(h.build(), [primary]);

    expect(result.verdict).toBe('unknown');
  });
});
