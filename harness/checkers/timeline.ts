/** Landmarks of a failover run that several checkers need: the fault, the syncs, the observations. */
import type { EventEntry, HistoryEntry, OperationEntry } from '../history/types.js';
import { isEvent, isOperation } from '../history/types.js';
import type { MailboxSnapshot } from '../history/snapshot.js';
import { roleOf } from '../scenario/topology.js';

export interface SyncRun {
  start: number;
  end: number;
  ok: boolean;
}

export interface FailoverTimeline {
  /** Start of the first fault after which no primary was running; null when there was none. */
  fault: EventEntry | null;
  /** Start of the first fault-end (recovery) that brought a primary back after the fault. */
  recovery: EventEntry | null;
  syncs: SyncRun[];
  /** The last sync that completed successfully before the fault. */
  lastSyncBeforeFault: SyncRun | null;
}

/** Finds the fault that took every primary down, and the syncs around it. */
export function failoverTimeline(history: readonly HistoryEntry[]): FailoverTimeline {
  const events = history.filter(isEvent);
  const down = new Set<string>();
  let fault: EventEntry | null = null;
  let recovery: EventEntry | null = null;
  const primaries = ['primary-1', 'primary-2'];

  for (const event of events) {
    if (event.kind !== 'fault') continue;
    for (const node of event.nodes ?? []) {
      if (event.phase === 'start') down.add(node);
      if (event.phase === 'end') down.delete(node);
    }
    if (!fault && event.phase === 'start' && primaries.every((node) => down.has(node))) fault = event;
    if (fault && !recovery && event.phase === 'end' && primaries.some((node) => !down.has(node))) recovery = event;
  }

  const syncs = syncRuns(events);
  const before = fault ? syncs.filter((sync) => sync.ok && sync.end <= fault!.time) : [];
  return { fault, recovery, syncs, lastSyncBeforeFault: before.at(-1) ?? null };
}

function syncRuns(events: readonly EventEntry[]): SyncRun[] {
  const runs: SyncRun[] = [];
  let start: number | null = null;
  for (const event of events) {
    if (event.kind !== 'sync') continue;
    if (event.phase === 'start') start = event.time;
    if (event.phase === 'end' && start !== null) {
      runs.push({ start, end: event.time, ok: event.ok === true });
      start = null;
    }
  }
  return runs;
}

/** Pairs each completion with its invoke, keeping history order of the completions. */
export function completedOperations(history: readonly HistoryEntry[]): Array<{ invoke: OperationEntry; completion: OperationEntry }> {
  const open = new Map<string, OperationEntry>();
  const pairs: Array<{ invoke: OperationEntry; completion: OperationEntry }> = [];
  for (const entry of history.filter(isOperation)) {
    if (entry.type === 'invoke') {
      open.set(entry.process, entry);
    } else {
      const invoke = open.get(entry.process);
      if (invoke) pairs.push({ invoke, completion: entry });
      open.delete(entry.process);
    }
  }
  return pairs;
}

/** Returns the latest backup observation made while the primaries were down. */
export function backupSnapshotDuringOutage(
  snapshots: readonly MailboxSnapshot[],
  timeline: FailoverTimeline,
): MailboxSnapshot | null {
  if (!timeline.fault) return null;
  const end = timeline.recovery?.time ?? Number.POSITIVE_INFINITY;
  const candidates = snapshots.filter(
    (snapshot) => roleOf(snapshot.node) === 'backup' && snapshot.time >= timeline.fault!.time && snapshot.time <= end,
  );
  return candidates.at(-1) ?? null;
}

/** Client processes only: the bed's own seeding process is excluded. */
export function isClient(process: string): boolean {
  return process.startsWith('client-');
}
