import { describe, expect, it } from 'vitest';
import { noDuplicateMail } from '../../../harness/checkers/no-duplicate-mail.js';
import type { MailboxSnapshot } from '../../../harness/history/snapshot.js';
import { messageIdOf, scenarioWith, SnapshotBuilder } from '../history-builder.js';

const scenario = scenarioWith();

function check(snapshots: MailboxSnapshot[]) {
  return noDuplicateMail.check({ scenario, history: [], snapshots });
}

function countOf(evidence: Record<string, unknown>, key: 'duplicatedMessageIds' | 'duplicatedContent'): number {
  return (evidence[key] as { count: number }).count;
}

describe('no-duplicate-mail', () => {
  it('accepts distinct messages', () => {
    const final = new SnapshotBuilder('final', 'primary-1', 100)
      .message('user1', 'INBOX', { messageId: messageIdOf('a'), uid: 1 })
      .message('user1', 'INBOX.Sent', { messageId: messageIdOf('b'), uid: 1 })
      .message('user2', 'INBOX', { messageId: messageIdOf('a'), uid: 1 })
      .build();
    const result = check([final]);

    expect(result.verdict).toBe('valid');
    expect(result.evidence.messages).toBe(3);
  });

  it('rejects copy in another folder', () => {
    const final = new SnapshotBuilder('final', 'primary-2', 100)
      .message('user1', 'INBOX', { messageId: messageIdOf('a'), uid: 4 })
      .message('user1', 'INBOX.Archive.2024', { messageId: messageIdOf('a'), uid: 9 })
      .build();
    const result = check([final]);

    expect(result.verdict).toBe('invalid');
    expect(countOf(result.evidence, 'duplicatedMessageIds')).toBe(1);
    expect(countOf(result.evidence, 'duplicatedContent')).toBe(1);
    expect((result.evidence.duplicatedMessageIds as { sample: unknown[] }).sample[0]).toEqual({
      account: 'user1',
      by: 'message-id',
      key: messageIdOf('a'),
      copies: [
        { folder: 'INBOX', uid: 4 },
        { folder: 'INBOX.Archive.2024', uid: 9 },
      ],
    });
  });

  it('rejects same content under two ids', () => {
    const final = new SnapshotBuilder('final', 'primary-1', 100)
      .message('user1', 'INBOX', { messageId: messageIdOf('a'), uid: 1, hash: 'sha256-same' })
      .message('user1', 'INBOX', { messageId: messageIdOf('b'), uid: 2, hash: 'sha256-same' })
      .build();
    const result = check([final]);

    expect(result.verdict).toBe('invalid');
    expect(countOf(result.evidence, 'duplicatedMessageIds')).toBe(0);
    expect(countOf(result.evidence, 'duplicatedContent')).toBe(1);
  });

  it('ignores backup and non-final snapshots', () => {
    const backup = new SnapshotBuilder('final', 'backup', 100)
      .message('user1', 'INBOX', { messageId: messageIdOf('a'), uid: 1 })
      .message('user1', 'INBOX.Sent', { messageId: messageIdOf('a'), uid: 1 })
      .build();
    const earlier = new SnapshotBuilder('during-outage', 'primary-1', 50).build();

    expect(check([backup, earlier]).verdict).toBe('unknown');
  });

  it('reports partial observation as unknown', () => {
    const final = new SnapshotBuilder('final', 'primary-1', 100)
      .message('user1', 'INBOX', { messageId: messageIdOf('a'), uid: 1 })
      .error('EXAMINE INBOX.Sent failed: connection closed')
      .build();
    const result = check([final]);

    expect(result.verdict).toBe('unknown');
    expect(result.summary).toContain('EXAMINE INBOX.Sent failed');
  });
});
