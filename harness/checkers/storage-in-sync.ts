/**
 * DRBD ended in its designed state: the last recorded state of each primary is Connected,
 * Primary/Primary and UpToDate/UpToDate, so every resync completed. The summary gives how long
 * each node spent out of that state, from the `storage` events of the storage monitor.
 */
import { isEvent, type EventEntry } from '../history/types.js';
import type { Checker, CheckInput, CheckResult } from './types.js';

const NAME = 'storage-in-sync';
export const STEADY_STATE = 'Connected Primary/Primary UpToDate/UpToDate';

/** One span of a node outside the steady state. */
interface Excursion {
  node: string;
  fromMs: number;
  /** Null when the node never returned to the steady state. */
  toMs: number | null;
  /** Distinct states seen during the span, in the order they first appeared. */
  states: string[];
  /** Largest out-of-sync amount seen, in KiB. */
  maxOutOfSyncKiB: number;
}

function excursionsOf(node: string, events: readonly EventEntry[]): Excursion[] {
  const excursions: Excursion[] = [];
  let current: Excursion | null = null;
  for (const event of events) {
    const state = String(event.detail?.state);
    if (state === STEADY_STATE) {
      if (current) current.toMs = event.time;
      current = null;
      continue;
    }
    if (!current) {
      current = { node, fromMs: event.time, toMs: null, states: [], maxOutOfSyncKiB: 0 };
      excursions.push(current);
    }
    if (!current.states.includes(state)) current.states.push(state);
    const outOfSync = event.detail?.outOfSyncKiB;
    if (typeof outOfSync === 'number') current.maxOutOfSyncKiB = Math.max(current.maxOutOfSyncKiB, outOfSync);
  }
  return excursions;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

export const storageInSync: Checker = {
  name: NAME,
  description: `Each primary's last recorded DRBD state is ${STEADY_STATE}: every resync completed and both nodes serve from replicated disks.`,

  check({ history }: CheckInput): CheckResult {
    const events = history.filter(isEvent).filter((event) => event.kind === 'storage');
    if (events.length === 0) return { name: NAME, verdict: 'unknown', summary: 'Cannot check: the run recorded no DRBD states (topology.storage is not drbd).', evidence: {} };
    const nodes = [...new Set(events.map((event) => event.nodes?.[0] ?? ''))].sort();
    const last = Object.fromEntries(nodes.map((node) => [node, String(events.filter((event) => event.nodes?.[0] === node).at(-1)!.detail?.state)]));
    const excursions = nodes.flatMap((node) => excursionsOf(node, events.filter((event) => event.nodes?.[0] === node)));
    const evidence = { last, excursions };
    const described = excursions.map((excursion) =>
      excursion.toMs === null
        ? `${excursion.node} left it at ${seconds(excursion.fromMs)} s and never returned`
        : `${excursion.node} was out of it from ${seconds(excursion.fromMs)} s to ${seconds(excursion.toMs)} s (${seconds(excursion.toMs - excursion.fromMs)} s)`,
    );
    const off = nodes.filter((node) => last[node] !== STEADY_STATE);
    if (off.length > 0) {
      return { name: NAME, verdict: 'invalid', summary: `DRBD did not end in ${STEADY_STATE}: ${off.map((node) => `${node} ended ${last[node]}`).join(', ')}.`, evidence };
    }
    const excursionText = described.length > 0 ? ` ${described.join('; ')}.` : ' Neither left it during the run.';
    return { name: NAME, verdict: 'valid', summary: `Both primaries ended ${STEADY_STATE}.${excursionText}`, evidence };
  },
};
