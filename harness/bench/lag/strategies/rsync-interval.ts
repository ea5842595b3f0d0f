/** The design's own method: the bed's rsync push and staged apply, one pass every interval. */
import { setTimeout as sleep } from 'node:timers/promises';
import { REPLICATION_PROXY } from '../../../bed/links/links.js';
import type { ReplicationStrategy, StrategyContext, SyncPass } from './strategy.js';

export class RsyncIntervalStrategy implements ReplicationStrategy {
  readonly name = 'rsync-interval' as const;
  readonly proxy = REPLICATION_PROXY;
  private readonly done: SyncPass[] = [];
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly context: StrategyContext) {}

  async start(): Promise<void> {
    // One pass first, so the cell starts with the backup current, as the contract requires.
    const first = await this.pass();
    if (!first.ok) throw new Error(`The first rsync pass failed: ${first.error}`);
    this.done.length = 0;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  passes(): SyncPass[] {
    return [...this.done];
  }

  /** Sleeps the interval after each pass ends, as the scenario runner's replicator does. */
  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      try {
        await sleep(this.context.timing.rsyncIntervalSeconds * 1000, undefined, { signal });
      } catch {
        return;
      }
      const pass = await this.pass();
      if (!pass.ok) this.context.log.warn({ strategy: this.name, error: pass.error }, 'Sync failed');
    }
  }

  private async pass(): Promise<SyncPass> {
    const startAt = this.context.now();
    const outcome = await this.context.bed.sync();
    const pass: SyncPass = { startAt, endAt: this.context.now(), ok: outcome.ok, stats: outcome.stats, ...(outcome.error ? { error: outcome.error } : {}) };
    this.done.push(pass);
    return pass;
  }
}
