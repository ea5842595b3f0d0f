/**
 * Runs the bed's replication at a fixed interval, as cron would on a primary, and records each
 * run as a `sync` start/end event pair in the history.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Bed } from '../bed/bed.js';
import type { HistoryRecorder } from '../history/recorder.js';

export class Replicator {
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  private completions: Array<{ start: number; end: number; ok: boolean }> = [];
  private waiters: Array<() => void> = [];

  constructor(
    private readonly bed: Pick<Bed, 'sync'>,
    private readonly history: HistoryRecorder,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  /**
   * Resolves true once a sync that started at or after `since` completes successfully, false on
   * timeout. Rejects with the signal's reason when `signal` aborts first.
   */
  async waitForSync(since: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const done = () => this.completions.some((sync) => sync.ok && sync.start >= since);
    const deadline = Date.now() + timeoutMs;
    while (!done() && Date.now() < deadline) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        // Every wake-up path clears the others, so no timer keeps the process alive afterwards.
        const finish = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', finish);
          this.waiters = this.waiters.filter((waiter) => waiter !== finish);
          resolve();
        };
        const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
        signal?.addEventListener('abort', finish, { once: true });
        this.waiters.push(finish);
      });
    }
    signal?.throwIfAborted();
    return done();
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      const start = this.history.event({ kind: 'sync', phase: 'start', name: 'rsync' });
      const outcome = await this.bed.sync();
      const end = this.history.event({
        kind: 'sync',
        phase: 'end',
        name: 'rsync',
        ok: outcome.ok,
        nodes: outcome.from ? [outcome.from, 'backup'] : ['backup'],
        detail: { durationMs: outcome.durationMs, ...outcome.stats, ...(outcome.error ? { error: outcome.error } : {}) },
      });
      if (!outcome.ok) this.log.warn({ from: outcome.from, error: outcome.error }, 'Sync failed');
      this.completions.push({ start: start.time, end: end.time, ok: outcome.ok });
      for (const wake of this.waiters.splice(0)) wake();
      try {
        await sleep(this.intervalMs, undefined, { signal });
      } catch {
        return;
      }
    }
  }
}
