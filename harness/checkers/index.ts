/** The checkers a failover scenario runs, in report order. */
import { backupReadsSucceed } from './backup-reads-succeed.js';
import { backupWritesRefused } from './backup-writes-refused.js';
import { dataLossWindow } from './data-loss-window.js';
import { failoverTime } from './failover-time.js';
import { syncedMailOnBackup } from './synced-mail-on-backup.js';
import type { Checker } from './types.js';

export const FAILOVER_CHECKERS: readonly Checker[] = [
  syncedMailOnBackup,
  dataLossWindow,
  backupReadsSucceed,
  backupWritesRefused,
  failoverTime,
];

export { runCheckers, worstVerdict } from './types.js';
export type { Checker, CheckResult, Verdict } from './types.js';
