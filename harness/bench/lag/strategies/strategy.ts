/** A replication strategy: how the backup's store follows the primaries' during a cell. */
import type { Logger } from 'pino';
import type { Bed, NodeShell } from '../../../bed/bed.js';
import type { Account } from '../../../workload/client.js';
import type { StrategyName, Timing } from '../config.js';

/** One replication pass, in ms on the bench clock. */
export interface SyncPass {
  startAt: number;
  endAt: number;
  ok: boolean;
  /** Figures the transport reported, e.g. rsync's `sent`, `filelist`, `pushMs`, `applyMs`. */
  stats: Record<string, number>;
  error?: string;
}

export interface StrategyContext {
  bed: Bed & NodeShell;
  accounts: readonly Account[];
  /** The bed's Courier administrator (authlib group `administrators`), for the IMAP copier. */
  admin: Account;
  timing: Timing;
  now: () => number;
  log: Logger;
}

/**
 * Contract: `start` resolves once replication runs and the backup contains everything the
 * primaries contained when it was called. `stop` resolves once no pass runs and everything the
 * strategy started is gone. `passes` lists every pass finished since `start`.
 */
export interface ReplicationStrategy {
  readonly name: StrategyName;
  /** Toxiproxy proxy that carries this strategy's replication traffic, where the WAN toxics go. */
  readonly proxy: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  passes(): SyncPass[];
  /** Reads pass records kept outside the bench (a log in a node); `passes` is current after it. */
  collect?(): Promise<void>;
}
