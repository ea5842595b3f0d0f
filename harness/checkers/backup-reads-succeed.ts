/** After a client's first successful login on the backup, none of its reads there fail. */
import { WRITE_OPERATIONS } from '../history/types.js';
import { roleOf } from '../scenario/topology.js';
import type { Checker, CheckInput, CheckResult } from './types.js';
import { completedOperations, failoverTimeline, isClient } from './timeline.js';

const NAME = 'backup-reads-succeed';

export const backupReadsSucceed: Checker = {
  name: NAME,
  description: 'After a client first logs in to the backup, every read it sends there (login, select and fetch, search) succeeds.',

  check({ history }: CheckInput): CheckResult {
    const timeline = failoverTimeline(history);
    if (!timeline.fault) return unknown('no fault took every primary down');
    const faultAt = timeline.fault.time;

    const onBackup = completedOperations(history).filter(
      ({ invoke, completion }) => isClient(invoke.process) && roleOf(completion.node ?? '') === 'backup' && invoke.time >= faultAt,
    );
    const firstLogin = new Map<string, number>();
    for (const { invoke, completion } of onBackup) {
      if (invoke.f === 'connect' && completion.type === 'ok' && !firstLogin.has(invoke.process)) {
        firstLogin.set(invoke.process, completion.time);
      }
    }
    if (firstLogin.size === 0) return unknown('no client logged in to the backup after the fault');

    const reads = onBackup.filter(
      ({ invoke }) =>
        !WRITE_OPERATIONS.has(invoke.f) && invoke.f !== 'resolve' && invoke.time >= (firstLogin.get(invoke.process) ?? Infinity),
    );
    const failed = reads.filter(({ completion }) => completion.type !== 'ok');
    const perClient: Record<string, { reads: number; failed: number }> = {};
    for (const { invoke, completion } of reads) {
      const counts = (perClient[invoke.process] ??= { reads: 0, failed: 0 });
      counts.reads += 1;
      if (completion.type !== 'ok') counts.failed += 1;
    }
    const evidence = {
      clientsOnBackup: firstLogin.size,
      reads: reads.length,
      failed: failed.length,
      perClient,
      failures: failed.slice(0, 20).map(({ invoke, completion }) => ({
        index: completion.index,
        process: invoke.process,
        f: invoke.f,
        folder: invoke.folder,
        type: completion.type,
        reply: completion.reply,
        error: completion.error,
      })),
    };
    if (failed.length > 0) {
      return {
        name: NAME,
        verdict: 'invalid',
        summary: `${failed.length} of ${reads.length} reads on the backup failed after the clients had logged in there.`,
        evidence,
      };
    }
    return {
      name: NAME,
      verdict: 'valid',
      summary: `All ${reads.length} reads by ${firstLogin.size} clients on the backup succeeded.`,
      evidence,
    };
  },
};

function unknown(reason: string): CheckResult {
  return { name: NAME, verdict: 'unknown', summary: `Cannot check: ${reason}.`, evidence: {} };
}
