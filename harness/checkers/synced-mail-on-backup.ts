/**
 * Every message acknowledged before the last completed sync began is on the backup, in the same
 * folder, with the same content, UID and UIDVALIDITY; and nothing expunged before it came back.
 */
import type { Checker, CheckInput, CheckResult } from './types.js';
import { acknowledgedAppends, expungeAttempts, findInAccount, findInFolder } from './messages.js';
import { backupSnapshotDuringOutage, failoverTimeline } from './timeline.js';

const NAME = 'synced-mail-on-backup';
const SAMPLE = 20;

export const syncedMailOnBackup: Checker = {
  name: NAME,
  description:
    'Every message acknowledged before the last completed sync started is on the backup in the same folder, with the same content, UID and UIDVALIDITY; no message expunged before that sync is back.',

  check({ history, snapshots }: CheckInput): CheckResult {
    const timeline = failoverTimeline(history);
    if (!timeline.fault) return unknown('no fault took every primary down, so there was no failover to check');
    const sync = timeline.lastSyncBeforeFault;
    if (!sync) {
      return {
        name: NAME,
        verdict: 'invalid',
        summary: 'No sync completed before the primaries were lost, so the backup held none of the acknowledged mail.',
        evidence: { faultAt: timeline.fault.time, syncs: timeline.syncs },
      };
    }
    const snapshot = backupSnapshotDuringOutage(snapshots, timeline);
    if (!snapshot) return unknown('the backup was not observed while the primaries were down');

    const expunges = expungeAttempts(history);
    const touchedBySync = (messageId: string) => expunges.some((e) => e.messageId === messageId && e.invokedAt < sync.end);
    const expected = acknowledgedAppends(history).filter(
      (append) => append.acknowledgedAt <= sync.start && !touchedBySync(append.messageId),
    );

    const missing: unknown[] = [];
    const movedFolder: unknown[] = [];
    const changedContent: unknown[] = [];
    const changedUid: unknown[] = [];
    for (const append of expected) {
      const folder = snapshot.accounts[append.account]?.[append.folder];
      const copies = findInFolder(folder, append.messageId);
      if (copies.length === 0) {
        const elsewhere = findInAccount(snapshot, append.account, append.messageId).map((found) => found.folder);
        (elsewhere.length > 0 ? movedFolder : missing).push({ ...pick(append), foundIn: elsewhere });
        continue;
      }
      const copy = copies[0];
      if (copy.hash !== append.hash) changedContent.push({ ...pick(append), backupHash: copy.hash });
      const uidDiffers = append.uid !== null && copy.uid !== append.uid;
      const validityDiffers = append.uidValidity !== null && folder!.uidValidity !== append.uidValidity;
      if (uidDiffers || validityDiffers) {
        changedUid.push({ ...pick(append), backupUid: copy.uid, backupUidValidity: folder!.uidValidity });
      }
    }

    const resurrected = expunges
      .filter((expunge) => expunge.type === 'ok' && expunge.completedAt <= sync.start)
      .filter((expunge) => findInAccount(snapshot, expunge.account, expunge.messageId).length > 0)
      .map((expunge) => ({ messageId: expunge.messageId, account: expunge.account, folder: expunge.folder }));

    const problems = missing.length + movedFolder.length + changedContent.length + changedUid.length + resurrected.length;
    const evidence = {
      lastSync: sync,
      faultAt: timeline.fault.time,
      snapshot: { label: snapshot.label, time: snapshot.time, errors: snapshot.errors },
      expected: expected.length,
      missing: { count: missing.length, sample: missing.slice(0, SAMPLE) },
      inOtherFolder: { count: movedFolder.length, sample: movedFolder.slice(0, SAMPLE) },
      changedContent: { count: changedContent.length, sample: changedContent.slice(0, SAMPLE) },
      changedUidOrUidValidity: { count: changedUid.length, sample: changedUid.slice(0, SAMPLE) },
      resurrected: { count: resurrected.length, sample: resurrected.slice(0, SAMPLE) },
    };
    if (problems > 0) {
      return {
        name: NAME,
        verdict: 'invalid',
        summary:
          `Of ${expected.length} messages acknowledged before the last completed sync, ${missing.length} are missing on the backup, ` +
          `${movedFolder.length} are in another folder, ${changedContent.length} have other content, ` +
          `${changedUid.length} have another UID or UIDVALIDITY; ${resurrected.length} expunged messages are back.`,
        evidence,
      };
    }
    if (snapshot.errors.length > 0) {
      return { name: NAME, verdict: 'unknown', summary: `The backup observation is partial: ${snapshot.errors[0]}`, evidence };
    }
    return {
      name: NAME,
      verdict: 'valid',
      summary: `All ${expected.length} messages acknowledged before the last completed sync are on the backup with the same folder, content, UID and UIDVALIDITY.`,
      evidence,
    };
  },
};

function pick(append: { messageId: string; account: string; folder: string; uid: number | null; uidValidity: number | null }) {
  return { messageId: append.messageId, account: append.account, folder: append.folder, uid: append.uid, uidValidity: append.uidValidity };
}

function unknown(reason: string): CheckResult {
  return { name: NAME, verdict: 'unknown', summary: `Cannot check: ${reason}.`, evidence: {} };
}
