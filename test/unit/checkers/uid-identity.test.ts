import { describe, expect, it } from 'vitest';
import { uidIdentity } from '../../../harness/checkers/uid-identity.js';
import { HistoryBuilder, messageIdOf, scenarioWith, SnapshotBuilder } from '../history-builder.js';

const scenario = scenarioWith();

describe('uid-identity', () => {
  it('accepts agreeing servers', () => {
    const h = new HistoryBuilder();
    const a = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    const primary = new SnapshotBuilder('final', 'primary-1', h.observe('final', 'primary-1')).holding([a]).build();
    const backup = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup')).holding([a]).build();

    const result = uidIdentity.check({ scenario, history: h.build(), snapshots: [primary, backup] });

    expect(result.verdict).toBe('valid');
    expect(result.evidence.sightings).toBe(3);
  });

  it('rejects a changed UIDVALIDITY', () => {
    const h = new HistoryBuilder();
    const a = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    const backup = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup'))
      .message('user1', 'INBOX', { messageId: messageIdOf('a'), uid: 1 }, 200)
      .build();

    const result = uidIdentity.check({ scenario, history: h.build(), snapshots: [backup] });

    expect(result.verdict).toBe('invalid');
    expect((result.evidence.uidValidityChanged as { count: number }).count).toBe(1);
    expect(a.completion.value?.uidValidity).toBe(100);
  });

  it('rejects a reused UID', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 7, uidValidity: 100 });
    const backup = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup'))
      .message('user1', 'INBOX', { messageId: messageIdOf('b'), uid: 7 }, 100)
      .build();

    const result = uidIdentity.check({ scenario, history: h.build(), snapshots: [backup] });

    expect(result.verdict).toBe('invalid');
    expect((result.evidence.pairReused as { count: number }).count).toBe(1);
  });

  it('ignores other folders', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    const backup = new SnapshotBuilder('final', 'backup', h.observe('final', 'backup'))
      .message('user1', 'INBOX.Sent', { messageId: messageIdOf('b'), uid: 1 }, 300)
      .build();

    expect(uidIdentity.check({ scenario, history: h.build(), snapshots: [backup] }).verdict).toBe('valid');
  });

  it('is unknown without UIDs', () => {
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { outcome: 'info' });

    expect(uidIdentity.check({ scenario, history: h.build(), snapshots: [] }).verdict).toBe('unknown');
  });
});
