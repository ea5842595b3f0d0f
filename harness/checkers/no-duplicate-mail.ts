/**
 * No message is stored twice on the primaries at the end: within each account, across every
 * folder of the final primary observation, no two messages share a Message-ID or a content hash.
 * `acknowledged-mail-survives` only looks for copies inside the folder a message was appended to,
 * so a copy that reappears in another folder (say, after a failback) is caught here only.
 */
import type { MailboxSnapshot } from '../history/snapshot.js';
import { roleOf } from '../scenario/topology.js';
import type { Checker, CheckInput, CheckResult } from './types.js';

const NAME = 'no-duplicate-mail';

interface Copy {
  folder: string;
  uid: number;
}

interface Duplicate {
  account: string;
  /** `message-id` or `content-hash`. */
  by: string;
  key: string;
  copies: Copy[];
}

/** Groups one account's messages by `keyOf` and returns each key held by more than one message. */
function duplicatesBy(
  account: string,
  folders: MailboxSnapshot['accounts'][string],
  by: Duplicate['by'],
  keyOf: (message: { messageId: string | null; hash: string }) => string | null,
): Duplicate[] {
  const groups = new Map<string, Copy[]>();
  for (const [folder, state] of Object.entries(folders)) {
    for (const message of state.messages) {
      const key = keyOf(message);
      if (key === null) continue;
      const copies = groups.get(key) ?? [];
      copies.push({ folder, uid: message.uid });
      groups.set(key, copies);
    }
  }
  return [...groups.entries()].filter(([, copies]) => copies.length > 1).map(([key, copies]) => ({ account, by, key, copies }));
}

export const noDuplicateMail: Checker = {
  name: NAME,
  description: 'At the end of the run, no account on the primaries contains two messages with the same Message-ID or the same content, in any folders.',

  check({ snapshots }: CheckInput): CheckResult {
    const finals = snapshots.filter((snapshot) => snapshot.label === 'final' && roleOf(snapshot.node) === 'primary');
    if (finals.length === 0) {
      return { name: NAME, verdict: 'unknown', summary: 'Cannot check: no primary was observed at the end of the run.', evidence: {} };
    }
    // Both primaries serve one store; the first one observed without errors is the reference.
    const snapshot = finals.find((each) => each.errors.length === 0) ?? finals[0];

    let messages = 0;
    const duplicates: Duplicate[] = [];
    for (const [account, folders] of Object.entries(snapshot.accounts)) {
      messages += Object.values(folders).reduce((sum, state) => sum + state.messages.length, 0);
      duplicates.push(...duplicatesBy(account, folders, 'message-id', (message) => message.messageId));
      duplicates.push(...duplicatesBy(account, folders, 'content-hash', (message) => message.hash));
    }
    const byMessageId = duplicates.filter((duplicate) => duplicate.by === 'message-id');
    const byHash = duplicates.filter((duplicate) => duplicate.by === 'content-hash');
    const evidence = {
      observedOn: snapshot.node,
      messages,
      duplicatedMessageIds: { count: byMessageId.length, sample: byMessageId.slice(0, 20) },
      duplicatedContent: { count: byHash.length, sample: byHash.slice(0, 20) },
      observerErrors: snapshot.errors,
    };
    if (duplicates.length > 0) {
      return {
        name: NAME,
        verdict: 'invalid',
        summary: `Of ${messages} messages on the primaries, ${byMessageId.length} Message-IDs and ${byHash.length} contents are stored more than once.`,
        evidence,
      };
    }
    if (snapshot.errors.length > 0) {
      return { name: NAME, verdict: 'unknown', summary: `The final observation is partial: ${snapshot.errors[0]}`, evidence };
    }
    return { name: NAME, verdict: 'valid', summary: `All ${messages} messages on the primaries are stored once each, by Message-ID and by content.`, evidence };
  },
};
