/** No write a client sent to a primary was refused: refusals belong on the read-only backup only. */
import { WRITE_OPERATIONS } from '../history/types.js';
import { roleOf } from '../scenario/topology.js';
import type { Checker, CheckInput, CheckResult } from './types.js';
import { completedOperations, isClient } from './timeline.js';

const NAME = 'primary-writes-accepted';

export const primaryWritesAccepted: Checker = {
  name: NAME,
  description: 'No APPEND, STORE, EXPUNGE or CREATE sent to a primary is answered NO or BAD; timeouts and dropped connections are counted apart.',

  check({ history }: CheckInput): CheckResult {
    const writes = completedOperations(history).filter(
      ({ invoke, completion }) => isClient(invoke.process) && WRITE_OPERATIONS.has(invoke.f) && roleOf(completion.node ?? '') === 'primary' && completion.value?.attempted !== false,
    );
    const refused = writes.filter(({ completion }) => completion.type === 'fail' && (completion.reply?.status === 'NO' || completion.reply?.status === 'BAD'));
    const unknownOutcome = writes.filter(({ completion }) => completion.type === 'info').length;
    const evidence = {
      writes: writes.length,
      refused: refused.length,
      unknownOutcome,
      sample: refused.slice(0, 20).map(({ invoke, completion }) => ({ index: completion.index, process: invoke.process, f: invoke.f, node: completion.node, reply: completion.reply })),
    };
    if (writes.length === 0) return { name: NAME, verdict: 'unknown', summary: 'Cannot check: no write reached a primary.', evidence };
    if (refused.length > 0) {
      return { name: NAME, verdict: 'invalid', summary: `${refused.length} of ${writes.length} writes to the primaries were refused.`, evidence };
    }
    return { name: NAME, verdict: 'valid', summary: `None of ${writes.length} writes to the primaries was refused (${unknownOutcome} had an unknown outcome).`, evidence };
  },
};
