/** Runs the cells of a sweep, one bed per store size, with progress lines and a time estimate. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Bed, NodeShell } from '../../bed/bed.js';
import { benchAccounts, benchAdmin, startBenchBed } from './bench-bed.js';
import { cellLabel, sweepCells, type Cell, type Sweep, type Timing } from './config.js';
import type { CellResult } from './result.js';
import { runCell } from './run-cell.js';
import { fillStores, type StoreSummary } from './store.js';

/**
 * Rough cost model for the first estimate, before any cell has run: starting a bed, building a
 * store per message (corpus to tar and copies into containers), and a cell's fixed part
 * (strategy start and stop, sessions). An estimate from the first runs on a shared 2-core
 * machine, where a 100k store took 70 s; the mean of the cells already run replaces the cell
 * part as soon as there is one.
 */
const ESTIMATE = { bedStartMs: 15_000, storePerMessageMs: 0.7, cellOverheadMs: 8_000 };

export interface SweepRun {
  cells: CellResult[];
  stores: Array<StoreSummary & { storeSize: number }>;
}

export interface SweepOptions {
  sweep: Sweep;
  timing: Timing;
  seed: number;
  log: Logger;
  logDir: string;
  onProgress: (line: string) => void;
  /** Called once per finished cell, e.g. to write results as they come in. */
  onCell?: (result: CellResult) => Promise<void>;
  signal?: AbortSignal;
}

/** Estimated wall time of cells not run yet, in ms. */
export function estimateMs(cells: readonly Cell[], timing: Timing, done: readonly CellResult[] = []): number {
  const measured = done.length > 0 ? done.reduce((total, cell) => total + cell.durationMs, 0) / done.length : undefined;
  const perCell = measured ?? timing.probeSeconds * 1000 + ESTIMATE.cellOverheadMs;
  const sizes = new Set(cells.map((cell) => cell.storeSize));
  const stores = [...sizes].reduce((total, size) => total + ESTIMATE.bedStartMs + size * ESTIMATE.storePerMessageMs, 0);
  return stores + cells.length * perCell;
}

/** Formats a duration in ms as `12 min` or `45 s`. */
export function formatDuration(ms: number): string {
  return ms >= 90_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

export async function runSweep(options: SweepOptions): Promise<SweepRun> {
  const cells = sweepCells(options.sweep);
  const accounts = benchAccounts(options.seed);
  const admin = benchAdmin(options.seed);
  const results: CellResult[] = [];
  const stores: SweepRun['stores'] = [];
  const started = Date.now();
  const remaining = (from: number) => estimateMs(cells.slice(from), options.timing, results);
  options.onProgress(`${cells.length} cells, estimated ${formatDuration(remaining(0))}`);

  let index = 0;
  for (const storeSize of options.sweep.storeSizes) {
    options.signal?.throwIfAborted();
    const runId = `mailha-lag-${randomBytes(3).toString('hex')}`;
    options.onProgress(`Starting bed ${runId} for ${storeSize} messages...`);
    let bed: (Bed & NodeShell) | undefined;
    try {
      bed = await startBenchBed(runId, accounts, admin, options.log.child({ runId }), join(options.logDir, `store-${storeSize}`));
      options.onProgress(`Building a store of ${storeSize} corpus messages...`);
      const store = await fillStores(bed, accounts, storeSize, options.seed);
      stores.push({ storeSize, ...store });
      options.log.info({ storeSize, ...store }, 'Built store');
      for (const cell of cells.filter((each) => each.storeSize === storeSize)) {
        options.signal?.throwIfAborted();
        const elapsed = formatDuration(Date.now() - started);
        options.onProgress(`Cell ${index + 1}/${cells.length}: ${cellLabel(cell)} (elapsed ${elapsed}, about ${formatDuration(remaining(index))} left)`);
        const result = await runCell(cell, { bed, accounts, admin, timing: options.timing, log: options.log.child({ runId }), seed: options.seed, tag: `${runId}.${index}`, signal: options.signal });
        results.push(result);
        await options.onCell?.(result);
        index += 1;
      }
    } finally {
      await bed?.close();
    }
  }
  return { cells: results, stores };
}
