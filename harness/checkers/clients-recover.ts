/** After the last fault ends, every client works again: each completes a read, and the longest gap each saw is reported. */
import { isEvent } from '../history/types.js';
import type { Checker, CheckInput, CheckResult } from './types.js';
import { completedOperations, isClient } from './timeline.js';

const NAME = 'clients-recover';
const READS = new Set(['fetch', 'search']);

export const clientsRecover: Checker = {
  name: NAME,
  description: 'Every client completes a successful read after the last fault event; the longest time each went without a successful operation is reported.',

  check({ history }: CheckInput): CheckResult {
    const faultEvents = history.filter(isEvent).filter((event) => event.kind === 'fault' && event.phase !== 'point');
    if (faultEvents.length === 0) return { name: NAME, verdict: 'unknown', summary: 'Cannot check: the run had no fault.', evidence: {} };
    const lastFault = faultEvents.at(-1)!.time;
    const pairs = completedOperations(history).filter(({ invoke }) => isClient(invoke.process));
    const clients = [...new Set(pairs.map(({ invoke }) => invoke.process))].sort();

    const perClient: Record<string, { recoveredAfterMs: number | null; longestGapMs: number }> = {};
    for (const client of clients) {
      const oks = pairs.filter(({ invoke, completion }) => invoke.process === client && completion.type === 'ok').map(({ completion }) => completion);
      let longestGapMs = 0;
      for (let i = 1; i < oks.length; i += 1) longestGapMs = Math.max(longestGapMs, oks[i].time - oks[i - 1].time);
      const recovered = oks.find((entry) => entry.time > lastFault && READS.has(entry.f));
      perClient[client] = { recoveredAfterMs: recovered ? Math.round(recovered.time - lastFault) : null, longestGapMs: Math.round(longestGapMs) };
    }
    const stuck = clients.filter((client) => perClient[client].recoveredAfterMs === null);
    const firstFault = faultEvents[0].time;
    const affected = clients.filter((client) =>
      pairs.some(({ invoke, completion }) => invoke.process === client && completion.time >= firstFault && completion.type !== 'ok'),
    );
    const evidence = { lastFaultEventAt: lastFault, perClient, stuck, affectedClients: affected };
    if (stuck.length > 0) {
      return { name: NAME, verdict: 'invalid', summary: `${stuck.length} of ${clients.length} clients never read successfully after the last fault event: ${stuck.join(', ')}.`, evidence };
    }
    if (affected.length === 0) {
      return { name: NAME, verdict: 'unknown', summary: 'No client saw a failed or unanswered operation after the faults began, so recovery is unproven.', evidence };
    }
    const gaps = clients.map((client) => perClient[client].longestGapMs);
    return {
      name: NAME,
      verdict: 'valid',
      summary: `All ${clients.length} clients (${affected.length} of them hit by the faults) read successfully after the last fault event; the longest gap without a successful operation was ${(Math.max(...gaps) / 1000).toFixed(1)} s.`,
      evidence,
    };
  },
};
