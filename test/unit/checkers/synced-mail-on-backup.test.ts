import { describe, expect, it } from 'vitest';
import { syncedMailOnBackup } from '../../../harness/checkers/synced-mail-on-backup.js';
import type { MailboxSnapshot } from '../../../harness/history/snapshot.js';
import type { HistoryEntry } from '../../../harness/history/types.js';
import { HistoryBuilder, messageIdOf, PRIMARIES, scenarioWith, SnapshotBuilder, type Operation } from '../history-builder.js';

const scenario = scenarioWith();

function check(history: HistoryEntry[], snapshots: MailboxSnapshot[]) {
  return syncedMailOnBackup.check({ scenario, history, snapshots });
}

function count(evidence: Record<string, unknown>, key: string): number {
  return (evidence[key] as { count: number }).count;
}

/** Three appends before a sync, one after it, then both primaries killed and the backup observed. */
function failover() {
  const h = new HistoryBuilder();
  const synced: Operation[] = [
    h.append('seed', 'primary-1', 'user1', 'INBOX', messageIdOf('seed-1'), { uid: 1, uidValidity: 100 }),
    h.append('client-1', 'primary-1', 'user1', 'INBOX.Sent', messageIdOf('client-1.1'), { uid: 4, uidValidity: 100 }),
    h.append('client-2', 'primary-2', 'user2', 'INBOX', messageIdOf('client-2.1'), { uid: 2, uidValidity: 200 }),
  ];
  const sync = h.sync();
  const late = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('client-1.2'), { uid: 2, uidValidity: 100 });
  h.fault('kill', PRIMARIES);
  const observedAt = h.observe('during-outage', 'backup');
  return { h, synced, sync, late, observedAt };
}

describe('synced-mail-on-backup', () => {
  it('accepts backup holding synced mail', () => {
    const { h, synced, sync, observedAt } = failover();
    const snapshot = new SnapshotBuilder('during-outage', 'backup', observedAt).holding(synced).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.expected).toBe(3);
    expect(result.evidence.lastSync).toEqual(sync);
    expect(count(result.evidence, 'missing')).toBe(0);
  });

  it('ignores mail acked after sync start', () => {
    const h = new HistoryBuilder();
    const before = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.syncStart();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('b'), { uid: 2, uidValidity: 100 });
    h.syncEnd(true);
    h.fault('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).holding([before]).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.expected).toBe(1);
  });

  it('ignores appends without OK', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('lost'), { outcome: 'info' });
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('refused'), { outcome: 'fail', reply: { status: 'NO' } });
    h.sync();
    h.fault('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).folder('user1', 'INBOX').build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.expected).toBe(0);
  });

  it('rejects missing message', () => {
    const { h, synced, observedAt } = failover();
    const snapshot = new SnapshotBuilder('during-outage', 'backup', observedAt).holding(synced.slice(1)).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('invalid');
    expect(count(result.evidence, 'missing')).toBe(1);
    expect(count(result.evidence, 'inOtherFolder')).toBe(0);
    expect((result.evidence.missing as { sample: Array<{ messageId: string }> }).sample[0].messageId).toBe(messageIdOf('seed-1'));
  });

  it('rejects message in another folder', () => {
    const { h, synced, observedAt } = failover();
    const snapshot = new SnapshotBuilder('during-outage', 'backup', observedAt)
      .holding(synced.slice(0, 1).concat(synced.slice(2)))
      .message('user1', 'INBOX.Archive', { messageId: messageIdOf('client-1.1'), uid: 4 }, 100)
      .build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('invalid');
    expect(count(result.evidence, 'inOtherFolder')).toBe(1);
    expect(count(result.evidence, 'missing')).toBe(0);
    expect((result.evidence.inOtherFolder as { sample: Array<{ foundIn: string[] }> }).sample[0].foundIn).toEqual(['INBOX.Archive']);
  });

  it('rejects changed content hash', () => {
    const { h, synced, observedAt } = failover();
    const snapshot = new SnapshotBuilder('during-outage', 'backup', observedAt)
      .holding(synced.slice(1))
      .message('user1', 'INBOX', { messageId: messageIdOf('seed-1'), uid: 1, hash: 'truncated' }, 100)
      .build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('invalid');
    expect(count(result.evidence, 'changedContent')).toBe(1);
    expect(count(result.evidence, 'changedUidOrUidValidity')).toBe(0);
  });

  it('rejects changed UID', () => {
    const { h, synced, observedAt } = failover();
    const snapshot = new SnapshotBuilder('during-outage', 'backup', observedAt)
      .holding(synced.slice(1))
      .message('user1', 'INBOX', { messageId: messageIdOf('seed-1'), uid: 9 }, 100)
      .build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('invalid');
    expect(count(result.evidence, 'changedUidOrUidValidity')).toBe(1);
    expect(count(result.evidence, 'changedContent')).toBe(0);
  });

  it('rejects changed UIDVALIDITY', () => {
    // The backup renumbered INBOX of user2, as a mail store does when it rebuilds its index.
    const { h, synced, observedAt } = failover();
    const snapshot = new SnapshotBuilder('during-outage', 'backup', observedAt).holding(synced).folder('user2', 'INBOX', 201).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('invalid');
    expect(count(result.evidence, 'changedUidOrUidValidity')).toBe(1);
    const sample = (result.evidence.changedUidOrUidValidity as { sample: Array<Record<string, unknown>> }).sample[0];
    expect(sample.backupUidValidity).toBe(201);
    expect(sample.uidValidity).toBe(200);
  });

  it('rejects expunged mail coming back', () => {
    const h = new HistoryBuilder();
    const kept = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('kept'), { uid: 1, uidValidity: 100 });
    const deleted = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('deleted'), { uid: 2, uidValidity: 100 });
    h.expunge('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('deleted'));
    h.sync();
    h.fault('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).holding([kept, deleted]).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('invalid');
    expect(count(result.evidence, 'resurrected')).toBe(1);
    expect(result.evidence.expected).toBe(1);
  });

  it('accepts mail expunged after sync', () => {
    const h = new HistoryBuilder();
    const kept = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('kept'), { uid: 1, uidValidity: 100 });
    h.sync();
    h.expunge('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('kept'));
    h.fault('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).holding([kept]).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('valid');
    expect(count(result.evidence, 'resurrected')).toBe(0);
  });

  it('rejects fault without prior sync', () => {
    const h = new HistoryBuilder();
    const sent = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.fault('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).holding([sent]).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.syncs).toEqual([]);
  });

  it('rejects only failed syncs', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.sync(false);
    h.fault('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('invalid');
    expect((result.evidence.syncs as unknown[]).length).toBe(1);
  });

  it('rejects sync ending after fault', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.syncStart();
    h.fault('kill', PRIMARIES);
    h.syncEnd(true);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).build();

    expect(check(h.build(), [snapshot]).verdict).toBe('invalid');
  });

  it('finds fault across two events', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.fault('kill', ['primary-1']);
    h.sync();
    const second = h.fault('kill', ['primary-2']);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).build();
    const result = check(h.build(), [snapshot]);

    expect(result.evidence.faultAt).toBe(second.time);
    expect(count(result.evidence, 'missing')).toBe(1);
  });

  it('is unknown without outage snapshot', () => {
    const { h, synced } = failover();
    const history = h.build();
    const fault = history.find((entry) => entry.type === 'event' && entry.kind === 'fault')!;
    const beforeFault = new SnapshotBuilder('early', 'backup', fault.time - 1).holding(synced).build();
    const primary = new SnapshotBuilder('during-outage', 'primary-1', fault.time + 1).holding(synced).build();

    expect(check(history, []).verdict).toBe('unknown');
    expect(check(history, [beforeFault, primary]).verdict).toBe('unknown');
  });

  it('is unknown with snapshot after recovery', () => {
    const { h, synced } = failover();
    const recovery = h.heal('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('final', 'backup', recovery.time + 1).holding(synced).build();

    expect(check(h.build(), [snapshot]).verdict).toBe('unknown');
  });

  it('is unknown with partial snapshot', () => {
    const { h, synced, observedAt } = failover();
    const snapshot = new SnapshotBuilder('during-outage', 'backup', observedAt).holding(synced).error('user3: LOGIN failed').build();
    const result = check(h.build(), [snapshot]);

    expect(result.verdict).toBe('unknown');
    expect(result.summary).toContain('user3: LOGIN failed');
  });

  it('is unknown without fault', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.sync();
    h.fault('kill', ['primary-1']);

    expect(check(h.build(), []).verdict).toBe('unknown');
  });
});
