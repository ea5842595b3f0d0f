/** After the last observation of the backup, it holds everything acknowledged before the last sync that finished before it. */
import { roleOf } from '../scenario/topology.js';
import type { Checker, CheckInput, CheckResult } from './types.js';
import { acknowledgedAppends, expungeAttempts, findInAccount } from './messages.js';
import { failoverTimeline } from './timeline.js';

const NAME = 'backup-caught-up';

export const backupCaughtUp: Checker = {
  name: NAME,
  description: 'The latest observation of the backup holds every message acknowledged before the start of the last successful sync that ended before that observation.',

  check({ history, snapshots }: CheckInput): CheckResult {
    const snapshot = snapshots.filter((each) => roleOf(each.node) === 'backup').at(-1);
    if (!snapshot) return { name: NAME, verdict: 'unknown', summary: 'Cannot check: the backup was never observed.', evidence: {} };
    const sync = failoverTimeline(history).syncs.filter((run) => run.ok && run.end <= snapshot.time).at(-1);
    if (!sync) return { name: NAME, verdict: 'invalid', summary: `No sync completed before the backup was observed as "${snapshot.label}".`, evidence: { snapshot: snapshot.label } };

    const expunged = new Set(expungeAttempts(history).filter((attempt) => attempt.invokedAt < sync.end).map((attempt) => attempt.messageId));
    const expected = acknowledgedAppends(history).filter((append) => append.acknowledgedAt <= sync.start && roleOf(append.node ?? '') === 'primary' && !expunged.has(append.messageId));
    const missing = expected.filter((append) => findInAccount(snapshot, append.account, append.messageId).length === 0);
    const evidence = {
      snapshot: { label: snapshot.label, time: snapshot.time },
      sync,
      expected: expected.length,
      missing: { count: missing.length, sample: missing.slice(0, 20).map(({ messageId, account, folder }) => ({ messageId, account, folder })) },
    };
    if (missing.length > 0) {
      return { name: NAME, verdict: 'invalid', summary: `${missing.length} of ${expected.length} messages acknowledged before the last completed sync are missing from the backup ("${snapshot.label}").`, evidence };
    }
    return { name: NAME, verdict: 'valid', summary: `The backup ("${snapshot.label}") holds all ${expected.length} messages acknowledged before the last completed sync.`, evidence };
  },
};
