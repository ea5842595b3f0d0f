/**
 * Read errors apart from write refusals, per client and per scenario step; a read that fails on
 * a node no fault covered at that time is an unexplained read error.
 */
import { WRITE_OPERATIONS, isEvent, type EventEntry } from '../history/types.js';
import type { Checker, CheckInput, CheckResult } from './types.js';
import { completedOperations, isClient } from './timeline.js';

const NAME = 'errors-by-phase';

interface Counts {
  readsOk: number;
  readsFailed: number;
  writesOk: number;
  writesRefused: number;
  writesUnknown: number;
}

interface FaultWindow {
  start: number;
  end: number;
  nodes: Set<string>;
  /** Proxy names a link fault covered, such as `client-2_backup`. */
  proxies: Set<string>;
}

/** Fault windows from start/end event pairs; a fault never ended lasts to the end of the run. */
function faultWindows(events: readonly EventEntry[], runEnd: number): FaultWindow[] {
  const open = new Map<string, FaultWindow>();
  const windows: FaultWindow[] = [];
  for (const event of events) {
    if (event.kind !== 'fault' || event.phase === 'point') continue;
    const key = String(event.detail?.id ?? `${event.name}:${(event.nodes ?? []).join(',')}`);
    if (event.phase === 'start') {
      const proxies = Array.isArray(event.detail?.proxies) ? (event.detail.proxies as string[]) : [];
      open.set(key, { start: event.time, end: runEnd, nodes: new Set(event.nodes ?? []), proxies: new Set(proxies) });
    } else {
      const window = open.get(key) ?? { start: 0, end: event.time, nodes: new Set(event.nodes ?? []), proxies: new Set<string>() };
      window.end = event.time;
      windows.push(window);
      open.delete(key);
    }
  }
  return [...windows, ...open.values()];
}

export const errorsByPhase: Checker = {
  name: NAME,
  description:
    'Counts read errors and write refusals per client and per scenario step; invalid when a read fails on a node that no fault covered (plus the operation timeout of grace after each fault).',

  check({ scenario, history }: CheckInput): CheckResult {
    const events = history.filter(isEvent);
    const runEnd = history.at(-1)?.time ?? 0;
    const steps = events.filter((event) => event.kind === 'step' && event.phase === 'start');
    const windows = faultWindows(events, runEnd);
    const graceMs = scenario.workload.operationTimeoutMs + 3000;
    const stepAt = (time: number) => {
      const step = steps.filter((event) => event.time <= time).at(-1);
      return step ? `${Number(step.detail?.index ?? 0) + 1}:${step.name}` : '0:setup';
    };

    const table: Record<string, Record<string, Counts>> = {};
    const unexplained: unknown[] = [];
    for (const { invoke, completion } of completedOperations(history)) {
      if (!isClient(invoke.process) || invoke.f === 'resolve' || completion.value?.attempted === false) continue;
      const phase = stepAt(invoke.time);
      const counts = ((table[phase] ??= {})[invoke.process] ??= { readsOk: 0, readsFailed: 0, writesOk: 0, writesRefused: 0, writesUnknown: 0 });
      const isWrite = WRITE_OPERATIONS.has(invoke.f);
      if (isWrite) {
        if (completion.type === 'ok') counts.writesOk += 1;
        else if (completion.type === 'fail' && (completion.reply?.status === 'NO' || completion.reply?.status === 'BAD')) counts.writesRefused += 1;
        else counts.writesUnknown += 1;
        continue;
      }
      if (completion.type === 'ok') {
        counts.readsOk += 1;
        continue;
      }
      counts.readsFailed += 1;
      const node = completion.node ?? invoke.node ?? '';
      const proxy = `${invoke.process}_${node}`;
      const explained = windows.some(
        (window) =>
          (window.nodes.has(node) || window.proxies.has(proxy)) && invoke.time <= window.end + graceMs && completion.time >= window.start,
      );
      if (!explained) {
        unexplained.push({ index: completion.index, process: invoke.process, f: invoke.f, node, phase, type: completion.type, reply: completion.reply, error: completion.error });
      }
    }

    const evidence = { perPhase: table, unexplainedReadErrors: { count: unexplained.length, sample: unexplained.slice(0, 20) }, graceMs };
    if (unexplained.length > 0) {
      return {
        name: NAME,
        verdict: 'invalid',
        summary: `${unexplained.length} reads failed on nodes that no fault covered at the time.`,
        evidence,
      };
    }
    const totals = Object.values(table).flatMap((clients) => Object.values(clients));
    const sum = (field: keyof Counts) => totals.reduce((total, counts) => total + counts[field], 0);
    if (totals.length === 0) return { name: NAME, verdict: 'unknown', summary: 'Cannot check: the history has no client operations.', evidence };
    return {
      name: NAME,
      verdict: 'valid',
      summary: `Every failed read fell inside a fault: ${sum('readsFailed')} reads failed and ${sum('writesRefused')} writes were refused, out of ${sum('readsOk') + sum('readsFailed')} reads and ${sum('writesOk') + sum('writesRefused') + sum('writesUnknown')} writes.`,
      evidence,
    };
  },
};
