/**
 * Every message the primaries acknowledged is still on them after recovery, once and with the
 * same content. Appends whose outcome is unknown are listed apart and never count as lost.
 */
import { roleOf } from '../scenario/topology.js';
import type { Checker, CheckInput, CheckResult } from './types.js';
import { acknowledgedAppends, expungeAttempts, findInFolder } from './messages.js';
import { completedOperations } from './timeline.js';

const NAME = 'acknowledged-mail-survives';

export const acknowledgedMailSurvives: Checker = {
  name: NAME,
  description: 'Every append the primaries acknowledged (and nobody tried to expunge) is on the primaries at the end, exactly once, with the same content.',

  check({ history, snapshots }: CheckInput): CheckResult {
    const finals = snapshots.filter((snapshot) => snapshot.label === 'final' && roleOf(snapshot.node) === 'primary');
    if (finals.length === 0) {
      return { name: NAME, verdict: 'unknown', summary: 'Cannot check: no primary was observed at the end of the run.', evidence: {} };
    }
    // Both primaries serve one store; the first one observed without errors is the reference.
    const snapshot = finals.find((each) => each.errors.length === 0) ?? finals[0];
    const expunged = new Set(expungeAttempts(history).map((attempt) => attempt.messageId));
    const expected = acknowledgedAppends(history).filter((append) => roleOf(append.node ?? '') === 'primary' && !expunged.has(append.messageId));

    const lost: unknown[] = [];
    const duplicated: unknown[] = [];
    const changed: unknown[] = [];
    const unread = new Set<string>();
    for (const append of expected) {
      // An account the observer could not read at all (its error is in snapshot.errors) proves no loss.
      if (snapshot.errors.length > 0 && !(append.account in snapshot.accounts)) {
        unread.add(append.account);
        continue;
      }
      const copies = findInFolder(snapshot.accounts[append.account]?.[append.folder], append.messageId);
      const where = { messageId: append.messageId, account: append.account, folder: append.folder };
      if (copies.length === 0) lost.push(where);
      if (copies.length > 1) duplicated.push({ ...where, copies: copies.map((copy) => copy.uid) });
      if (copies.some((copy) => copy.hash !== append.hash)) changed.push(where);
    }
    const unknownOutcome = completedOperations(history).filter(
      ({ invoke, completion }) => invoke.f === 'append' && completion.type === 'info',
    ).length;

    const evidence = {
      observedOn: snapshot.node,
      expected: expected.length,
      lost: { count: lost.length, sample: lost.slice(0, 20) },
      duplicated: { count: duplicated.length, sample: duplicated.slice(0, 20) },
      changedContent: { count: changed.length, sample: changed.slice(0, 20) },
      appendsWithUnknownOutcome: unknownOutcome,
      unreadAccounts: [...unread],
      observerErrors: snapshot.errors,
    };
    if (lost.length + duplicated.length + changed.length > 0) {
      return {
        name: NAME,
        verdict: 'invalid',
        summary: `Of ${expected.length} acknowledged messages, ${lost.length} are lost, ${duplicated.length} are duplicated and ${changed.length} changed content.`,
        evidence,
      };
    }
    if (snapshot.errors.length > 0) {
      return { name: NAME, verdict: 'unknown', summary: `The final observation is partial: ${snapshot.errors[0]}`, evidence };
    }
    return {
      name: NAME,
      verdict: 'valid',
      summary: `All ${expected.length} acknowledged messages are on the primaries once each (${unknownOutcome} appends had an unknown outcome and are not judged).`,
      evidence,
    };
  },
};
