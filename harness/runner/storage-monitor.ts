/**
 * Polls the primaries' replicated storage state while a run lasts and records each change as a
 * `storage` event, so reports and checkers can show DRBD's states beside the client lanes.
 */
import type { Logger } from 'pino';
import type { Bed, StorageState } from '../bed/bed.js';
import type { HistoryRecorder } from '../history/recorder.js';

/** Milliseconds between two reads of both nodes' states. */
export const STORAGE_POLL_MS = 500;

/** Name of every `storage` event. */
export const STORAGE_EVENT = 'drbd-state';

/** Formats a state as `/proc/drbd` shows it, e.g. `Connected Primary/Primary UpToDate/UpToDate`. */
export function formatStorageState(state: StorageState): string {
  if (state.role === null) return state.connection;
  return `${state.connection} ${state.role}/${state.peerRole} ${state.disk}/${state.peerDisk}`;
}

/**
 * Returns the nodes whose connection, role or disk state differs from `previous`, with their new
 * state. A node missing from `previous` counts as changed. The out-of-sync amount is ignored,
 * because it changes on every poll during a resync.
 */
export function changedStates(
  previous: Readonly<Record<string, StorageState>>,
  current: Readonly<Record<string, StorageState>>,
): Array<{ node: string; state: StorageState }> {
  const changes: Array<{ node: string; state: StorageState }> = [];
  for (const [node, state] of Object.entries(current)) {
    const before = previous[node];
    if (!before || formatStorageState(before) !== formatStorageState(state)) changes.push({ node, state });
  }
  return changes;
}

/** Records storage state changes until {@link stop}; never throws from its polling loop. */
export class StorageMonitor {
  private last: Record<string, StorageState> = {};
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private failures = 0;

  constructor(
    private readonly bed: Bed,
    private readonly history: HistoryRecorder,
    private readonly log: Logger,
    private readonly intervalMs = STORAGE_POLL_MS,
  ) {}

  /**
   * Reads the states once and, when the bed has replicated storage, records them and starts
   * polling. Returns false, and records nothing, when the bed has none.
   */
  async start(): Promise<boolean> {
    const first = await this.bed.readStorageStates();
    if (!first) return false;
    this.record(first as Record<string, StorageState>);
    this.running = true;
    this.loop = this.poll();
    this.log.info({ intervalMs: this.intervalMs }, 'Started storage monitor');
    return true;
  }

  /** Stops polling, then reads and records the states one last time. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.loop;
    await this.readOnce();
    this.log.info({ failedReads: this.failures }, 'Stopped storage monitor');
  }

  private async poll(): Promise<void> {
    while (this.running) {
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
      if (this.running) await this.readOnce();
    }
  }

  private async readOnce(): Promise<void> {
    try {
      const states = await this.bed.readStorageStates();
      if (states) this.record(states as Record<string, StorageState>);
    } catch (error) {
      // A node can be killed between the running check and the read; the next poll sees it off.
      this.failures += 1;
      if (this.failures <= 5 || this.failures % 50 === 0) this.log.warn({ err: error, failedReads: this.failures }, 'Failed to read storage states');
    }
  }

  private record(states: Record<string, StorageState>): void {
    for (const { node, state } of changedStates(this.last, states)) {
      this.history.event({ kind: 'storage', phase: 'point', name: STORAGE_EVENT, nodes: [node], detail: { ...state, state: formatStorageState(state) } });
    }
    this.last = { ...this.last, ...states };
  }
}
