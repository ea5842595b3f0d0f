/**
 * The data-loss window (RPO) of the failover: mail acknowledged after the last completed sync
 * began and before the primaries were lost, and how much of it the backup does not have.
 */
import type { Checker, CheckInput, CheckResult } from './types.js';
import { acknowledgedAppends, expungeAttempts, findInAccount } from './messages.js';
import { backupSnapshotDuringOutage, failoverTimeline } from './timeline.js';

const NAME = 'data-loss-window';

export const dataLossWindow: Checker = {
  name: NAME,
  description:
    'Counts the mail acknowledged between the start of the last completed sync and the fault, and the part of it missing on the backup; invalid only past the scenario\'s expect.maxDataLossMessages.',

  check({ scenario, history, snapshots }: CheckInput): CheckResult {
    const timeline = failoverTimeline(history);
    const fault = timeline.fault;
    const sync = timeline.lastSyncBeforeFault;
    if (!fault) return unknown('no fault took every primary down');
    const snapshot = backupSnapshotDuringOutage(snapshots, timeline);
    if (!snapshot) return unknown('the backup was not observed while the primaries were down');

    const windowStart = sync?.start ?? 0;
    // A message a client tried to expunge before the fault may rightly be absent: not a loss.
    const expunged = new Set(expungeAttempts(history).filter((e) => e.invokedAt < fault.time).map((e) => e.messageId));
    const atRisk = acknowledgedAppends(history).filter(
      (append) => append.acknowledgedAt > windowStart && append.invokedAt < fault.time && !expunged.has(append.messageId),
    );
    const missing = atRisk.filter((append) => findInAccount(snapshot, append.account, append.messageId).length === 0);
    const windowMs = Math.round(fault.time - windowStart);
    const limit = scenario.expect.maxDataLossMessages;

    const evidence = {
      lastSyncStartedAt: sync?.start ?? null,
      lastSyncEndedAt: sync?.end ?? null,
      faultAt: fault.time,
      windowMs,
      acknowledgedInWindow: atRisk.length,
      missingOnBackup: missing.length,
      missingSample: missing.slice(0, 20).map(({ messageId, account, folder }) => ({ messageId, account, folder })),
      limit: limit ?? null,
    };
    const summary =
      `${atRisk.length} messages were acknowledged in the ${(windowMs / 1000).toFixed(1)} s between ` +
      `${sync ? 'the start of the last completed sync' : 'the start of the run (no sync completed)'} and the fault; ` +
      `${missing.length} of them are missing on the backup.`;

    if (limit !== undefined && missing.length > limit) {
      return { name: NAME, verdict: 'invalid', summary: `${summary} The scenario allows ${limit}.`, evidence };
    }
    const limitNote = limit === undefined ? ' No limit is set (expect.maxDataLossMessages), so this is a measurement.' : ` The scenario allows ${limit}.`;
    return { name: NAME, verdict: 'valid', summary: `${summary}${limitNote}`, evidence };
  },
};

function unknown(reason: string): CheckResult {
  return { name: NAME, verdict: 'unknown', summary: `Cannot check: ${reason}.`, evidence: {} };
}
