/**
 * Derives the series the plots draw from a run's history: completed operations, fault
 * windows, DNS updates, syncs and replication lag. Times stay in milliseconds on the history
 * clock; the chart specs convert them to seconds.
 */
import type { EventEntry, HistoryEntry, OperationEntry, OperationName } from '../../history/types.js';

export type Outcome = 'ok' | 'fail' | 'info';

/** One operation from invoke to completion. */
export interface CompletedOperation {
  process: string;
  f: OperationName;
  /** Node that served the operation: the entry's node, or `dns` for a `resolve`; null when unknown. */
  node: string | null;
  invokedMs: number;
  completedMs: number;
  outcome: Outcome;
}

/** A time span during which a fault was active. */
export interface FaultWindow {
  label: string;
  startMs: number;
  endMs: number;
  /** True when the history has no end event, so the window runs to the end of the run. */
  open: boolean;
}

export interface DnsUpdate {
  timeMs: number;
  ok: boolean;
  /** Nodes the name now points at. */
  nodes: string[];
}

export interface Sync {
  startMs: number;
  endMs: number;
  ok: boolean;
  /** Primary the backup copied from, when the sync succeeded and the event names it. */
  from: string | null;
}

/** Replication lag measured at the end of one sync. */
export interface LagPoint {
  timeMs: number;
  /** This sync's end minus the start of the previous successful sync. */
  lagMs: number;
  ok: boolean;
}

/** A primary's DRBD state aspect that a storage lane shows. */
export type StorageAspect = 'connection' | 'role' | 'disk';

/** A span during which one aspect of one primary's DRBD state kept one value. */
export interface StorageSpan {
  node: string;
  aspect: StorageAspect;
  /** The value as `/proc/drbd` shows it: `Connected`, `Primary/Unknown`, `UpToDate/DUnknown`; `Off` when powered off. */
  value: string;
  startMs: number;
  endMs: number;
}

export interface PlotData {
  /** Time of the last history entry: the right edge of every time axis. */
  runEndMs: number;
  operations: CompletedOperation[];
  faults: FaultWindow[];
  dnsUpdates: DnsUpdate[];
  syncs: Sync[];
  lag: LagPoint[];
  /** DRBD state spans from `storage` events; empty when the run had no replicated storage. */
  storage: StorageSpan[];
  /** Client lanes (processes, in natural order) followed by node lanes. */
  clientLanes: string[];
  nodeLanes: string[];
}

/** Node lanes always shown, in this order; nodes the history names beyond these follow them. */
export const TOPOLOGY_NODES = ['primary-1', 'primary-2', 'backup', 'dns'] as const;

const naturalOrder = new Intl.Collator('en', { numeric: true }).compare;

/** Derives every plot series from a history; the history is not changed. */
export function derivePlotData(history: readonly HistoryEntry[]): PlotData {
  const runEndMs = history.reduce((latest, entry) => Math.max(latest, entry.time), 0);
  const operations = pairOperations(history);
  const syncs = pairSyncs(history, runEndMs);

  const processes = new Set(operations.map((operation) => operation.process));
  const extraNodes = new Set<string>();
  for (const operation of operations) {
    if (operation.node && !(TOPOLOGY_NODES as readonly string[]).includes(operation.node)) extraNodes.add(operation.node);
  }

  return {
    runEndMs,
    operations,
    faults: faultWindows(history, runEndMs),
    dnsUpdates: dnsUpdates(history),
    syncs,
    lag: replicationLag(syncs),
    storage: storageSpans(history, runEndMs),
    clientLanes: [...processes].sort(naturalOrder),
    nodeLanes: [...TOPOLOGY_NODES, ...[...extraNodes].sort(naturalOrder)],
  };
}

/**
 * Matches each completion with the open invoke of its process, as the recorder's contract
 * guarantees at most one open operation per process. A completion without an invoke is skipped.
 */
export function pairOperations(history: readonly HistoryEntry[]): CompletedOperation[] {
  const open = new Map<string, OperationEntry>();
  const operations: CompletedOperation[] = [];
  for (const entry of history) {
    if (entry.type === 'event') continue;
    if (entry.type === 'invoke') {
      open.set(entry.process, entry);
      continue;
    }
    const invoke = open.get(entry.process);
    if (!invoke) continue;
    open.delete(entry.process);
    operations.push({
      process: entry.process,
      f: entry.f,
      node: entry.node ?? invoke.node ?? (entry.f === 'resolve' ? 'dns' : null),
      invokedMs: invoke.time,
      completedMs: entry.time,
      outcome: entry.type,
    });
  }
  return operations;
}

/**
 * Pairs fault `start` and `end` events. Events match by `detail.id` when present, otherwise by
 * name and node list. Several open windows with the same key close first-in, first-out. An end
 * without a start is skipped, and a start without an end lasts to `runEndMs`.
 */
export function faultWindows(history: readonly HistoryEntry[], runEndMs: number): FaultWindow[] {
  const open = new Map<string, FaultWindow[]>();
  const windows: FaultWindow[] = [];
  for (const entry of faultEvents(history)) {
    if (entry.phase === 'point') continue;
    const key = faultKey(entry);
    const waiting = open.get(key) ?? [];
    if (entry.phase === 'start') {
      const window: FaultWindow = { label: faultLabel(entry), startMs: entry.time, endMs: runEndMs, open: true };
      windows.push(window);
      waiting.push(window);
      open.set(key, waiting);
    } else {
      const window = waiting.shift();
      if (!window) continue;
      window.endMs = entry.time;
      window.open = false;
    }
  }
  return windows;
}

function faultEvents(history: readonly HistoryEntry[]): EventEntry[] {
  return history.filter((entry): entry is EventEntry => entry.type === 'event' && entry.kind === 'fault');
}

function faultKey(entry: EventEntry): string {
  const id = entry.detail?.id;
  if (typeof id === 'string') return `id:${id}`;
  return `name:${entry.name}|${[...(entry.nodes ?? [])].sort().join(',')}`;
}

function faultLabel(entry: EventEntry): string {
  const id = entry.detail?.id;
  if (typeof id === 'string') return id;
  const nodes = entry.nodes ?? [];
  return nodes.length > 0 ? `${entry.name}:${nodes.join(',')}` : entry.name;
}

const STORAGE_ASPECTS: readonly StorageAspect[] = ['connection', 'role', 'disk'];

/** Returns the value one aspect of a `storage` event's state shows in its lane. */
function aspectValue(detail: Record<string, unknown>, aspect: StorageAspect): string {
  const connection = String(detail.connection);
  if (aspect === 'connection') return connection;
  const [local, peer] = aspect === 'role' ? [detail.role, detail.peerRole] : [detail.disk, detail.peerDisk];
  if (local === null || local === undefined) return connection;
  return `${String(local)}/${String(peer)}`;
}

/**
 * Turns `storage` events into spans, one series per node and aspect. A span starts at the event
 * that set its value and ends at the next change of the same aspect, or at `runEndMs`. Events that
 * change another aspect only do not split a span.
 */
export function storageSpans(history: readonly HistoryEntry[], runEndMs: number): StorageSpan[] {
  const spans: StorageSpan[] = [];
  const open = new Map<string, StorageSpan>();
  for (const entry of history) {
    if (entry.type !== 'event' || entry.kind !== 'storage' || !entry.detail) continue;
    const node = entry.nodes?.[0];
    if (!node) continue;
    for (const aspect of STORAGE_ASPECTS) {
      const value = aspectValue(entry.detail, aspect);
      const key = `${node}|${aspect}`;
      const current = open.get(key);
      if (current?.value === value) continue;
      if (current) current.endMs = entry.time;
      const span: StorageSpan = { node, aspect, value, startMs: entry.time, endMs: runEndMs };
      spans.push(span);
      open.set(key, span);
    }
  }
  return spans;
}

function dnsUpdates(history: readonly HistoryEntry[]): DnsUpdate[] {
  return history
    .filter((entry): entry is EventEntry => entry.type === 'event' && entry.kind === 'dns-update')
    .map((entry) => ({ timeMs: entry.time, ok: entry.ok !== false, nodes: entry.nodes ?? [] }));
}

/**
 * Pairs sync `start` and `end` events. The runner never overlaps two syncs, so each end closes
 * the latest open start. A sync still open when the run ended is left out: its outcome is unknown.
 */
export function pairSyncs(history: readonly HistoryEntry[], runEndMs: number): Sync[] {
  const syncs: Sync[] = [];
  let openStart: number | null = null;
  for (const entry of history) {
    if (entry.type !== 'event' || entry.kind !== 'sync') continue;
    if (entry.phase === 'start') {
      openStart = entry.time;
    } else if (entry.phase === 'end' && openStart !== null) {
      const ok = entry.ok === true;
      syncs.push({ startMs: openStart, endMs: Math.min(entry.time, runEndMs), ok, from: ok ? (entry.nodes?.[0] ?? null) : null });
      openStart = null;
    }
  }
  return syncs;
}

/**
 * Computes the lag at each sync's end as that end minus the start of the previous successful
 * sync. That is the age of the backup's newest copy just before this sync's result counts. Syncs
 * before the first successful one yield no point, because the backup's age is not known then.
 */
export function replicationLag(syncs: readonly Sync[]): LagPoint[] {
  const points: LagPoint[] = [];
  let lastGoodStart: number | null = null;
  for (const sync of syncs) {
    if (lastGoodStart !== null) points.push({ timeMs: sync.endMs, lagMs: sync.endMs - lastGoodStart, ok: sync.ok });
    if (sync.ok) lastGoodStart = sync.startMs;
  }
  return points;
}

/** Per-second latency quantiles of one bucket. */
export interface LatencyBucket {
  /** Start of the 1 s bucket, in seconds since the run started. */
  second: number;
  p50Ms: number;
  p99Ms: number;
  count: number;
}

/** Processes that are not workload clients, left out of the latency and rate plots. */
export const NON_CLIENT_PROCESSES: ReadonlySet<string> = new Set(['seed']);

/**
 * Computes p50 and p99 of completion minus invoke for `ok` client operations, per 1 s bucket
 * of completion time. Quantiles use the nearest-rank method.
 */
export function latencyBuckets(operations: readonly CompletedOperation[]): LatencyBucket[] {
  const bySecond = new Map<number, number[]>();
  for (const operation of operations) {
    if (operation.outcome !== 'ok' || NON_CLIENT_PROCESSES.has(operation.process)) continue;
    const second = Math.floor(operation.completedMs / 1000);
    const latencies = bySecond.get(second) ?? [];
    latencies.push(operation.completedMs - operation.invokedMs);
    bySecond.set(second, latencies);
  }
  return [...bySecond.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, latencies]) => {
      latencies.sort((a, b) => a - b);
      return { second, p50Ms: nearestRank(latencies, 0.5), p99Ms: nearestRank(latencies, 0.99), count: latencies.length };
    });
}

/** Returns the nearest-rank quantile `q` (0 < q <= 1) of the ascending, non-empty `sorted`. */
export function nearestRank(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

export interface RateBucket {
  second: number;
  outcome: Outcome;
  count: number;
}

/** Counts completed client operations per 1 s bucket of completion time and per outcome. */
export function rateBuckets(operations: readonly CompletedOperation[]): RateBucket[] {
  const counts = new Map<string, RateBucket>();
  for (const operation of operations) {
    if (NON_CLIENT_PROCESSES.has(operation.process)) continue;
    const second = Math.floor(operation.completedMs / 1000);
    const key = `${second}|${operation.outcome}`;
    const bucket = counts.get(key) ?? { second, outcome: operation.outcome, count: 0 };
    bucket.count += 1;
    counts.set(key, bucket);
  }
  return [...counts.values()].sort((a, b) => a.second - b.second || a.outcome.localeCompare(b.outcome));
}
