/**
 * Every write a client tries on the backup is refused and none is performed. A write answered
 * OK whose effect is absent when the client re-reads is a silent refusal: not performed, so
 * not a violation, but reported apart because the client believes it worked.
 */
import { WRITE_OPERATIONS, type OperationName } from '../history/types.js';
import { roleOf } from '../scenario/topology.js';
import type { Checker, CheckInput, CheckResult } from './types.js';
import { completedOperations, isClient } from './timeline.js';

const NAME = 'backup-writes-refused';
const REQUIRED: OperationName[] = ['append', 'store', 'expunge', 'create'];

type Outcome = 'refused' | 'silently-ignored' | 'performed' | 'unknown';

export const backupWritesRefused: Checker = {
  name: NAME,
  description:
    'Every APPEND, STORE, EXPUNGE and CREATE tried on the backup is refused (or answered OK with no effect) and none is performed; each kind must have been tried.',

  check({ history }: CheckInput): CheckResult {
    const writes = completedOperations(history).filter(
      ({ invoke, completion }) =>
        isClient(invoke.process) &&
        WRITE_OPERATIONS.has(invoke.f) &&
        roleOf(completion.node ?? invoke.node ?? '') === 'backup' &&
        // The client found nothing to change (no message to flag or expunge), so no write was sent.
        completion.value?.attempted !== false,
    );

    const table: Record<string, Record<Outcome, number>> = {};
    const performed: unknown[] = [];
    const silent: unknown[] = [];
    const refusalTexts = new Set<string>();
    for (const { invoke, completion } of writes) {
      const outcome = classify(invoke.f, completion.type, completion.reply?.status, completion.value?.effect);
      const row = (table[invoke.f] ??= { refused: 0, 'silently-ignored': 0, performed: 0, unknown: 0 });
      row[outcome] += 1;
      const record = {
        index: completion.index,
        process: invoke.process,
        f: invoke.f,
        folder: invoke.folder,
        reply: completion.reply,
        value: completion.value,
      };
      if (outcome === 'performed') performed.push(record);
      if (outcome === 'silently-ignored') silent.push(record);
      if (outcome === 'refused' && completion.reply?.text) refusalTexts.add(`${invoke.f}: ${completion.reply.text}`);
    }

    const untried = REQUIRED.filter((f) => !table[f] || table[f].refused + table[f]['silently-ignored'] + table[f].performed === 0);
    const evidence = {
      attempts: writes.length,
      byCommand: table,
      performed: performed.slice(0, 20),
      silentRefusals: { count: silent.length, sample: silent.slice(0, 10) },
      refusalReplies: [...refusalTexts].slice(0, 20),
      untriedWithDefiniteOutcome: untried,
    };

    if (performed.length > 0) {
      return {
        name: NAME,
        verdict: 'invalid',
        summary: `${performed.length} of ${writes.length} writes tried on the backup were performed (${[...new Set(performed.map((p) => (p as { f: string }).f))].join(', ')}).`,
        evidence,
      };
    }
    if (untried.length > 0) {
      return {
        name: NAME,
        verdict: 'unknown',
        summary: `No write of kind ${untried.join(', ')} reached the backup with a definite outcome, so refusal of it is unproven.`,
        evidence,
      };
    }
    const silentNote = silent.length > 0 ? ` ${silent.length} of them were silent refusals (OK reply, no effect).` : '';
    return {
      name: NAME,
      verdict: 'valid',
      summary: `None of the ${writes.length} writes tried on the backup was performed.${silentNote}`,
      evidence,
    };
  },
};

/**
 * Decides what became of one write. STORE and EXPUNGE carry the effect the client saw when it
 * re-read the message (`applied` or `none`); APPEND and CREATE answered OK always took effect.
 */
function classify(f: OperationName, type: string, status: string | undefined, effect: unknown): Outcome {
  if (type === 'info') return 'unknown';
  if (type === 'fail') return status === 'NO' || status === 'BAD' ? 'refused' : 'unknown';
  if (f === 'store' || f === 'expunge') {
    if (effect === 'none') return 'silently-ignored';
    if (effect === 'applied') return 'performed';
    return 'unknown';
  }
  return 'performed';
}
