import { describe, expect, it } from 'vitest';
import { acknowledgedMailSurvives } from '../../../harness/checkers/acknowledged-mail-survives.js';
import type { MailboxSnapshot } from '../../../harness/history/snapshot.js';
import type { HistoryEntry } from '../../../harness/history/types.js';
import { HistoryBuilder, messageIdOf, PRIMARIES, scenarioWith, SnapshotBuilder } from '../history-builder.js';

const scenario = scenarioWith();

function check(history: HistoryEntry[], snapshots: MailboxSnapshot[]) {
  return acknowledgedMailSurvives.check({ scenario, history, snapshots });
}

function countOf(evidence: Record<string, unknown>, key: 'lost' | 'duplicated' | 'changedContent'): number {
  return (evidence[key] as { count: number }).count;
}

/** Records two appends acknowledged by the primaries, a sync, a failover and a recovery. */
function failoverRun() {
  const h = new HistoryBuilder();
  const inbox = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
  const sent = h.append('client-2', 'primary-2', 'user2', 'INBOX.Sent', messageIdOf('b'), { uid: 1, uidValidity: 200 });
  h.sync();
  h.fault('kill', PRIMARIES);
  h.heal('kill', PRIMARIES);
  return { h, inbox, sent };
}

describe('acknowledged-mail-survives', () => {
  it('accepts every acked append', () => {
    const { h, inbox, sent } = failoverRun();
    const final = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1')).holding([inbox, sent]).build();
    const result = check(h.build(), [final]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.expected).toBe(2);
    expect(result.evidence.observedOn).toBe('primary-1');
    expect(countOf(result.evidence, 'lost')).toBe(0);
  });

  it('rejects lost message', () => {
    const { h, inbox } = failoverRun();
    const final = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1')).holding([inbox]).build();
    const result = check(h.build(), [final]);

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.lost).toEqual({ count: 1, sample: [{ messageId: messageIdOf('b'), account: 'user2', folder: 'INBOX.Sent' }] });
  });

  it('rejects message in other folder', () => {
    const { h, inbox } = failoverRun();
    const final = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1'))
      .holding([inbox])
      .message('user2', 'INBOX', { messageId: messageIdOf('b'), uid: 1 })
      .build();
    const result = check(h.build(), [final]);

    expect(result.verdict).toBe('invalid');
    expect(countOf(result.evidence, 'lost')).toBe(1);
  });

  it('rejects duplicated message', () => {
    const { h, inbox, sent } = failoverRun();
    const final = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1'))
      .holding([inbox, sent])
      .message('user1', 'INBOX', { messageId: messageIdOf('a'), uid: 2 }, 100)
      .build();
    const result = check(h.build(), [final]);

    expect(result.verdict).toBe('invalid');
    expect(countOf(result.evidence, 'duplicated')).toBe(1);
    expect((result.evidence.duplicated as { sample: Array<{ copies: number[] }> }).sample[0].copies).toEqual([1, 2]);
    expect(countOf(result.evidence, 'lost')).toBe(0);
  });

  it('rejects changed content', () => {
    const { h, inbox } = failoverRun();
    const final = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1'))
      .holding([inbox])
      .message('user2', 'INBOX.Sent', { messageId: messageIdOf('b'), uid: 1, hash: 'sha256-of-truncated-copy' }, 200)
      .build();
    const result = check(h.build(), [final]);

    expect(result.verdict).toBe('invalid');
    expect(countOf(result.evidence, 'changedContent')).toBe(1);
    expect(countOf(result.evidence, 'lost')).toBe(0);
  });

  it('excludes expunge attempts', () => {
    const { h, inbox } = failoverRun();
    h.expunge('client-2', 'primary-2', 'user2', 'INBOX.Sent', messageIdOf('b'), { outcome: 'info' });
    const final = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1')).holding([inbox]).build();
    const result = check(h.build(), [final]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.expected).toBe(1);
  });

  it('excludes appends acked on backup', () => {
    const { h, inbox, sent } = failoverRun();
    h.append('client-1', 'backup', 'user1', 'INBOX', messageIdOf('on-backup'), { uid: 2, uidValidity: 100 });
    const final = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1')).holding([inbox, sent]).build();
    const result = check(h.build(), [final]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.expected).toBe(2);
  });

  it('counts unknown outcome apart', () => {
    const { h, inbox, sent } = failoverRun();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('dropped'), { outcome: 'info' });
    const final = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1')).holding([inbox, sent]).build();
    const result = check(h.build(), [final]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.appendsWithUnknownOutcome).toBe(1);
    expect(result.evidence.expected).toBe(2);
    expect(countOf(result.evidence, 'lost')).toBe(0);
  });

  it('is unknown without final primary', () => {
    const { h, inbox, sent } = failoverRun();
    const time = h.observe('final', 'backup');
    const onBackup = new SnapshotBuilder('final', 'backup', time).holding([inbox, sent]).build();
    const midRun = new SnapshotBuilder('during-outage', 'primary-1', time).holding([inbox, sent]).build();
    const result = check(h.build(), [onBackup, midRun]);

    expect(result.verdict).toBe('unknown');
  });

  it('is unknown with observer errors', () => {
    const { h, inbox, sent } = failoverRun();
    const final = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1'))
      .holding([inbox, sent])
      .error('user2: SELECT INBOX.Archive timed out')
      .build();
    const result = check(h.build(), [final]);

    expect(result.verdict).toBe('unknown');
    expect(result.summary).toContain('SELECT INBOX.Archive timed out');
  });

  it('is unknown for an account never read', () => {
    const { h, inbox, sent } = failoverRun();
    const time = h.observe('final', 'primary-1');
    const unreadAccount = String(inbox.invoke.account);
    const final = new SnapshotBuilder('final', 'primary-1', time).holding([inbox, sent].filter((append) => append.invoke.account !== unreadAccount)).error(`${unreadAccount} on 10.0.0.10: Connection not available`).build();
    const result = check(h.build(), [final]);

    expect(countOf(result.evidence, 'lost')).toBe(0);
    expect(result.evidence.unreadAccounts).toEqual([unreadAccount]);
    expect(result.verdict).toBe('unknown');
  });

  it('prefers primary observed without errors', () => {
    const { h, inbox, sent } = failoverRun();
    const time = h.observe('final', 'primary-1');
    const partial = new SnapshotBuilder('final', 'primary-1', time).error('LOGIN failed').build();
    const whole = new SnapshotBuilder('final', 'primary-2', time).holding([inbox, sent]).build();
    const result = check(h.build(), [partial, whole]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.observedOn).toBe('primary-2');
  });
});
