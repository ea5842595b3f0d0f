/** The replication lag benchmark's parameters: what one cell measures and what a sweep covers. */
import { z } from 'zod';

export const STRATEGY_NAMES = ['rsync-interval', 'lsyncd', 'imap-copy'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/**
 * Identities the IMAP copier logs in with, on the primary and on the backup: `admin` is the bench
 * bed's one Courier administrator reading and appending through the `#shared.` namespace,
 * `per-account` is each account with its own password.
 */
export const COPIER_LOGINS = ['admin', 'per-account'] as const;
export type CopierLogin = (typeof COPIER_LOGINS)[number];

/** A WAN profile applied to the replication path with Toxiproxy toxics. */
export interface LinkProfile {
  name: string;
  /** Added one-way latency in ms, in each direction; the round trip gains twice this. */
  latencyMs: number;
  /** Bandwidth limit in KB/s (Toxiproxy's unit, 1 KB = 1000 bytes), or null for none. */
  rateKBps: number | null;
}

export const LINK_PROFILES: Record<string, LinkProfile> = {
  lan: { name: 'lan', latencyMs: 0, rateKBps: null },
  // A 40 ms round trip: 20 ms each way.
  'wan-10mbit-40ms': { name: 'wan-10mbit-40ms', latencyMs: 20, rateKBps: 1250 },
  'wan-1mbit-150ms': { name: 'wan-1mbit-150ms', latencyMs: 75, rateKBps: 125 },
};

/** One configuration the bench measures. */
export interface Cell {
  storeSize: number;
  ratePerSecond: number;
  link: LinkProfile;
  strategy: StrategyName;
}

/** How long and how often a cell measures, shared by every cell of a sweep. */
export interface Timing {
  /** Seconds during which probes are appended. */
  probeSeconds: number;
  /** Seconds to wait after the last probe for the backup to show every probe. */
  drainSeconds: number;
  /** Interval of the rsync-interval strategy, in seconds. */
  rsyncIntervalSeconds: number;
  /** lsyncd's `delay`: seconds it collects events before it starts an rsync. */
  lsyncdDelaySeconds: number;
  /** Pause of the IMAP copier between two polls of a folder, in ms. */
  imapCopyPollMs: number;
  /** Identity the IMAP copier logs in with; see `COPIER_LOGINS`. */
  imapCopyLogin: CopierLogin;
}

export const DEFAULT_TIMING: Timing = {
  probeSeconds: 20,
  drainSeconds: 60,
  rsyncIntervalSeconds: 5,
  lsyncdDelaySeconds: 0,
  imapCopyPollMs: 100,
  imapCopyLogin: 'admin',
};

/** Accounts of the bench bed; the store is spread evenly over them. */
export const ACCOUNTS = 10;
/** Accounts that receive probes; each has its own connection on the primary and on the backup. */
export const PROBE_ACCOUNTS = 4;
/**
 * Folder that receives the probes. Courier rescans the selected folder's Maildir on every NOOP,
 * so a small folder of its own keeps a poll of the backup at a few ms whatever the store size.
 * Every strategy replicates it with the rest of the store.
 */
export const PROBE_FOLDER = 'INBOX.Probes';
/** The folders of every bench account: INBOX with the store's mail, and the probe folder. */
export const BENCH_FOLDERS = ['INBOX', PROBE_FOLDER] as const;

const list = <T extends z.ZodType>(item: T) => z.array(item).min(1, 'must name at least one value');

/** Parameter lists that `mailha bench lag` sweeps; every list is crossed with every other. */
export const sweepSchema = z.strictObject({
  storeSizes: list(z.number().int().min(ACCOUNTS, `must be at least ${ACCOUNTS}, one message per account`).max(1_000_000)),
  rates: list(z.number().positive().max(500)),
  links: list(z.enum(Object.keys(LINK_PROFILES) as [string, ...string[]], { error: (issue) => `unknown link ${JSON.stringify(issue.input)}; expected one of ${Object.keys(LINK_PROFILES).join(', ')}` })),
  strategies: list(z.enum(STRATEGY_NAMES, { error: (issue) => `unknown strategy ${JSON.stringify(issue.input)}; expected one of ${STRATEGY_NAMES.join(', ')}` })),
});
export type Sweep = z.infer<typeof sweepSchema>;

export const FULL_SWEEP: Sweep = {
  storeSizes: [1_000, 10_000, 100_000],
  rates: [1, 10, 100],
  links: ['lan', 'wan-10mbit-40ms', 'wan-1mbit-150ms'],
  strategies: [...STRATEGY_NAMES],
};

/**
 * Lists the cells of a sweep in the order they run: one bed per store size (building a store is
 * the slow part), and within it one strategy at a time, so each strategy starts once per link.
 */
export function sweepCells(sweep: Sweep): Cell[] {
  const cells: Cell[] = [];
  for (const storeSize of sweep.storeSizes) {
    for (const strategy of sweep.strategies) {
      for (const link of sweep.links) {
        for (const ratePerSecond of sweep.rates) cells.push({ storeSize, ratePerSecond, link: LINK_PROFILES[link], strategy });
      }
    }
  }
  return cells;
}

/** Short label of a cell, e.g. `100000 msgs, 10/s, lan, rsync-interval`. */
export function cellLabel(cell: Cell): string {
  return `${cell.storeSize} msgs, ${cell.ratePerSecond}/s, ${cell.link.name}, ${cell.strategy}`;
}
