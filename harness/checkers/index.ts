/** Every checker by name, and the set a failover scenario runs when it names none. */
import { acknowledgedMailSurvives } from './acknowledged-mail-survives.js';
import { backupAudit } from './backup-audit.js';
import { backupCaughtUp } from './backup-caught-up.js';
import { backupConsistent } from './backup-consistent.js';
import { backupReadsSucceed } from './backup-reads-succeed.js';
import { backupWritesRefused } from './backup-writes-refused.js';
import { clientsRecover } from './clients-recover.js';
import { dataLossWindow } from './data-loss-window.js';
import { failoverTime } from './failover-time.js';
import { noDuplicateMail } from './no-duplicate-mail.js';
import { primaryWritesAccepted } from './primary-writes-accepted.js';
import { replicationLag } from './replication-lag.js';
import { syncedMailOnBackup } from './synced-mail-on-backup.js';
import type { Checker } from './types.js';
import { errorsByPhase } from './errors-by-phase.js';
import { uidIdentity } from './uid-identity.js';
import { primariesAgree } from './primaries-agree.js';
import { storageInSync } from './storage-in-sync.js';

export const CHECKERS: Readonly<Record<string, Checker>> = Object.fromEntries(
  [
    syncedMailOnBackup,
    dataLossWindow,
    backupReadsSucceed,
    backupWritesRefused,
    failoverTime,
    acknowledgedMailSurvives,
    primaryWritesAccepted,
    clientsRecover,
    backupConsistent,
    backupCaughtUp,
    replicationLag,
    uidIdentity,
    errorsByPhase,
    noDuplicateMail,
    backupAudit,
    primariesAgree,
    storageInSync,
  ].map((checker) => [checker.name, checker]),
);

export const FAILOVER_CHECKERS: readonly Checker[] = [
  syncedMailOnBackup,
  dataLossWindow,
  backupReadsSucceed,
  backupWritesRefused,
  failoverTime,
  uidIdentity,
  errorsByPhase,
];

export { runCheckers, worstVerdict } from './types.js';
export type { Checker, CheckResult, Verdict } from './types.js';
