/** Time from the fault to each client's first successful read on the backup, and the addresses it used. */
import { roleOf } from '../scenario/topology.js';
import type { Checker, CheckInput, CheckResult } from './types.js';
import { completedOperations, failoverTimeline, isClient } from './timeline.js';

const NAME = 'failover-time';
const READS = new Set(['fetch', 'search']);

export const failoverTime: Checker = {
  name: NAME,
  description:
    'Every client reads successfully from the backup after the primaries are lost; the time each took is reported and must stay within expect.maxFailoverSeconds when the scenario sets it.',

  check({ scenario, history }: CheckInput): CheckResult {
    const timeline = failoverTimeline(history);
    if (!timeline.fault) {
      return { name: NAME, verdict: 'unknown', summary: 'Cannot check: no fault took every primary down.', evidence: {} };
    }
    const faultAt = timeline.fault.time;
    const until = timeline.recovery?.time ?? Number.POSITIVE_INFINITY;
    const pairs = completedOperations(history).filter(({ invoke }) => isClient(invoke.process));
    const clients = [...new Set(pairs.map(({ invoke }) => invoke.process))].sort();

    const perClient: Record<string, { failoverMs: number | null; addressesAfterFault: Array<{ address: string; node: string | null; firstAt: number }> }> = {};
    for (const client of clients) {
      const after = pairs.filter(({ invoke }) => invoke.process === client && invoke.time >= faultAt);
      const firstRead = after.find(
        ({ invoke, completion }) => READS.has(invoke.f) && completion.type === 'ok' && roleOf(completion.node ?? '') === 'backup',
      );
      const addresses: Array<{ address: string; node: string | null; firstAt: number }> = [];
      for (const { invoke, completion } of after) {
        if (invoke.f !== 'connect' || !completion.address) continue;
        if (!addresses.some((seen) => seen.address === completion.address)) {
          addresses.push({ address: completion.address, node: completion.node, firstAt: invoke.time });
        }
      }
      perClient[client] = {
        failoverMs: firstRead && firstRead.completion.time <= until ? Math.round(firstRead.completion.time - faultAt) : null,
        addressesAfterFault: addresses,
      };
    }

    const times = Object.values(perClient).map((c) => c.failoverMs).filter((ms): ms is number => ms !== null).sort((a, b) => a - b);
    const never = Object.entries(perClient).filter(([, c]) => c.failoverMs === null).map(([client]) => client);
    const limitMs = scenario.expect.maxFailoverSeconds !== undefined ? scenario.expect.maxFailoverSeconds * 1000 : undefined;
    const slow = limitMs === undefined ? [] : Object.entries(perClient).filter(([, c]) => c.failoverMs !== null && c.failoverMs > limitMs).map(([client]) => client);
    const evidence = {
      faultAt,
      /** When the first primary came back, ending the window in which clients had to reach the backup. */
      primariesBackAt: timeline.recovery?.time ?? null,
      outageMs: timeline.recovery ? Math.round(timeline.recovery.time - faultAt) : null,
      recordTtlSeconds: scenario.topology.recordTtlSeconds,
      perClient,
      minMs: times[0] ?? null,
      medianMs: times.length ? times[Math.floor((times.length - 1) / 2)] : null,
      maxMs: times.at(-1) ?? null,
      neverReachedBackup: never,
      limitMs: limitMs ?? null,
      overLimit: slow,
    };
    if (clients.length === 0) {
      return { name: NAME, verdict: 'unknown', summary: 'Cannot check: the history has no client operations.', evidence };
    }
    if (never.length > 0) {
      const window = evidence.outageMs !== null ? ` in the ${(evidence.outageMs / 1000).toFixed(1)} s before the primaries returned` : ' before the end of the run';
      return {
        name: NAME,
        verdict: 'invalid',
        summary: `${never.length} of ${clients.length} clients never read from the backup${window} (DNS record TTL ${evidence.recordTtlSeconds} s): ${never.join(', ')}.`,
        evidence,
      };
    }
    if (slow.length > 0) {
      return { name: NAME, verdict: 'invalid', summary: `${slow.length} clients took longer than the allowed ${limitMs! / 1000} s to read from the backup (max ${(evidence.maxMs! / 1000).toFixed(1)} s).`, evidence };
    }
    return {
      name: NAME,
      verdict: 'valid',
      summary: `All ${clients.length} clients read from the backup ${(evidence.minMs! / 1000).toFixed(1)} to ${(evidence.maxMs! / 1000).toFixed(1)} s after the fault (median ${(evidence.medianMs! / 1000).toFixed(1)} s).`,
      evidence,
    };
  },
};
