import { describe, expect, it } from 'vitest';
import { dataLossWindow } from '../../../harness/checkers/data-loss-window.js';
import { HistoryBuilder, messageIdOf, PRIMARIES, scenarioWith, SnapshotBuilder } from '../history-builder.js';

/**
 * One append before the sync, one during it, two after it and before the fault, one on the
 * backup after the fault. The backup contains the first two.
 */
function failover() {
  const h = new HistoryBuilder();
  const before = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('before'), { uid: 1, uidValidity: 100 });
  const syncStart = h.syncStart();
  const during = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('during'), { uid: 2, uidValidity: 100 });
  const syncEnd = h.syncEnd(true);
  h.append('client-2', 'primary-2', 'user2', 'INBOX', messageIdOf('after-1'), { uid: 1, uidValidity: 200 });
  h.append('client-2', 'primary-2', 'user2', 'INBOX.Sent', messageIdOf('after-2'), { uid: 1, uidValidity: 201 });
  const fault = h.fault('kill', PRIMARIES);
  h.append('client-1', 'backup', 'user1', 'INBOX', messageIdOf('on-backup'), { uid: 3, uidValidity: 100 });
  const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).holding([before, during]).build();
  return { history: h.build(), snapshot, syncStart, syncEnd, fault };
}

describe('data-loss-window', () => {
  it('counts acked and missing mail', () => {
    const { history, snapshot, syncStart, syncEnd, fault } = failover();
    const result = dataLossWindow.check({ scenario: scenarioWith(), history, snapshots: [snapshot] });

    expect(result.verdict).toBe('valid');
    expect(result.evidence.acknowledgedInWindow).toBe(3);
    expect(result.evidence.missingOnBackup).toBe(2);
    expect(result.evidence.lastSyncStartedAt).toBe(syncStart.time);
    expect(result.evidence.lastSyncEndedAt).toBe(syncEnd.time);
    expect(result.evidence.windowMs).toBe(fault.time - syncStart.time);
    expect(result.evidence.limit).toBeNull();
  });

  it('accepts loss at the limit', () => {
    const { history, snapshot } = failover();
    const result = dataLossWindow.check({ scenario: scenarioWith({ maxDataLossMessages: 2 }), history, snapshots: [snapshot] });

    expect(result.verdict).toBe('valid');
    expect(result.evidence.limit).toBe(2);
  });

  it('rejects loss over the limit', () => {
    const { history, snapshot } = failover();
    const result = dataLossWindow.check({ scenario: scenarioWith({ maxDataLossMessages: 1 }), history, snapshots: [snapshot] });

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.missingOnBackup).toBe(2);
    expect(result.summary).toContain('The scenario allows 1.');
  });

  it('accepts zero limit without loss', () => {
    const h = new HistoryBuilder();
    const sent = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.sync();
    h.fault('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).holding([sent]).build();
    const result = dataLossWindow.check({ scenario: scenarioWith({ maxDataLossMessages: 0 }), history: h.build(), snapshots: [snapshot] });

    expect(result.verdict).toBe('valid');
    expect(result.evidence.acknowledgedInWindow).toBe(0);
  });

  it('finds mail in any folder', () => {
    const h = new HistoryBuilder();
    h.sync();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.fault('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup'))
      .message('user1', 'INBOX.Archive', { messageId: messageIdOf('a'), uid: 1 })
      .build();
    const result = dataLossWindow.check({ scenario: scenarioWith({ maxDataLossMessages: 0 }), history: h.build(), snapshots: [snapshot] });

    expect(result.verdict).toBe('valid');
    expect(result.evidence.acknowledgedInWindow).toBe(1);
    expect(result.evidence.missingOnBackup).toBe(0);
  });

  it('starts window at run start without sync', () => {
    const h = new HistoryBuilder();
    h.append('seed', 'primary-1', 'user1', 'INBOX', messageIdOf('seed'), { uid: 1, uidValidity: 100 });
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 2, uidValidity: 100 });
    const fault = h.fault('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).build();
    const result = dataLossWindow.check({ scenario: scenarioWith({ maxDataLossMessages: 1 }), history: h.build(), snapshots: [snapshot] });

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.lastSyncStartedAt).toBeNull();
    expect(result.evidence.windowMs).toBe(fault.time);
    expect(result.evidence.acknowledgedInWindow).toBe(2);
    expect(result.evidence.missingOnBackup).toBe(2);
  });

  it('is unknown without fault', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.sync();
    const result = dataLossWindow.check({ scenario: scenarioWith({ maxDataLossMessages: 0 }), history: h.build(), snapshots: [] });

    expect(result.verdict).toBe('unknown');
  });

  it('is unknown without outage snapshot', () => {
    const { history } = failover();
    const result = dataLossWindow.check({ scenario: scenarioWith({ maxDataLossMessages: 0 }), history, snapshots: [] });

    expect(result.verdict).toBe('unknown');
  });

  it('ignores expunged mail in the window', () => {
    const h = new HistoryBuilder();
    h.sync();
    const gone = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('gone'), { uid: 1, uidValidity: 100 });
    h.expunge('client-1', 'primary-1', 'user1', 'INBOX', gone.invoke.value!.messageId as string);
    h.fault('kill', PRIMARIES);
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).build();
    const result = dataLossWindow.check({ scenario: scenarioWith({ maxDataLossMessages: 0 }), history: h.build(), snapshots: [snapshot] });

    expect(result.verdict).toBe('valid');
    expect(result.evidence.acknowledgedInWindow).toBe(0);
    expect(result.evidence.missingOnBackup).toBe(0);
  });
});
