/**
 * The backup never serves a half-copied state: at every observation, each message it shows that
 * the history knows has the acknowledged content, appears once, and keeps its acknowledged UID
 * wherever the folder kept its UIDVALIDITY.
 */
import { roleOf } from '../scenario/topology.js';
import type { Checker, CheckInput, CheckResult } from './types.js';
import { acknowledgedAppends } from './messages.js';

const NAME = 'backup-consistent';

export const backupConsistent: Checker = {
  name: NAME,
  description: 'Every message the backup shows at any observation has its acknowledged content (no truncated copy), appears once per folder, and keeps its acknowledged UID under the same UIDVALIDITY.',

  check({ history, snapshots }: CheckInput): CheckResult {
    const observations = snapshots.filter((snapshot) => roleOf(snapshot.node) === 'backup');
    if (observations.length === 0) return { name: NAME, verdict: 'unknown', summary: 'Cannot check: the backup was never observed.', evidence: {} };
    const acked = new Map(acknowledgedAppends(history).map((append) => [append.messageId, append]));

    const truncated: unknown[] = [];
    const duplicated: unknown[] = [];
    const remapped: unknown[] = [];
    let seen = 0;
    for (const snapshot of observations) {
      for (const [account, folders] of Object.entries(snapshot.accounts)) {
        for (const [folder, state] of Object.entries(folders)) {
          const counts = new Map<string, number>();
          for (const message of state.messages) {
            const append = message.messageId ? acked.get(message.messageId) : undefined;
            if (!append) continue;
            seen += 1;
            counts.set(append.messageId, (counts.get(append.messageId) ?? 0) + 1);
            const where = { label: snapshot.label, account, folder, messageId: append.messageId, uid: message.uid };
            if (message.hash !== append.hash) truncated.push(where);
            if (append.folder === folder && append.uidValidity === state.uidValidity && append.uid !== null && append.uid !== message.uid) {
              remapped.push({ ...where, acknowledgedUid: append.uid, uidValidity: state.uidValidity });
            }
          }
          for (const [messageId, count] of counts) if (count > 1) duplicated.push({ label: snapshot.label, account, folder, messageId, count });
        }
      }
    }
    const evidence = {
      observations: observations.map((snapshot) => ({ label: snapshot.label, time: snapshot.time, errors: snapshot.errors })),
      messagesChecked: seen,
      changedContent: { count: truncated.length, sample: truncated.slice(0, 20) },
      duplicated: { count: duplicated.length, sample: duplicated.slice(0, 20) },
      uidChanged: { count: remapped.length, sample: remapped.slice(0, 20) },
    };
    if (truncated.length + duplicated.length + remapped.length > 0) {
      return {
        name: NAME,
        verdict: 'invalid',
        summary: `Across ${observations.length} observations of the backup: ${truncated.length} messages with other content, ${duplicated.length} duplicates, ${remapped.length} UIDs that changed under the same UIDVALIDITY.`,
        evidence,
      };
    }
    return { name: NAME, verdict: 'valid', summary: `All ${seen} known messages seen on the backup across ${observations.length} observations were whole, single and kept their UIDs.`, evidence };
  },
};
