/** Writes a bench run: results.json, results.csv, probes.csv, summary.md and the SVG charts. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderSpec } from '../../report/plots/render.js';
import { lagBreakdown } from './breakdown.js';
import type { Timing, Sweep } from './config.js';
import { lagByStoreSizeSpec, lagOverTimeSpec } from './plots.js';
import type { CellResult } from './result.js';
import type { StoreSummary } from './store.js';

export interface BenchRecord {
  command: string;
  machine: Record<string, string | number>;
  startedAt: string;
  sweep: Sweep;
  timing: Timing;
  stores: Array<StoreSummary & { storeSize: number }>;
  cells: CellResult[];
}

/** Seconds with two decimals, `> drain` for a quantile beyond the drain time, `-` for none. */
export function formatSeconds(ms: number | null): string {
  if (ms === null) return '-';
  if (!Number.isFinite(ms)) return '> drain';
  return (ms / 1000).toFixed(2);
}

/**
 * Returns a lag quantile, with Infinity restored: results.json writes Infinity as null, so a
 * null quantile of a cell with missing probes is one that reached them.
 */
function lagQuantile(cell: CellResult, key: keyof CellResult['lagMs']): number | null {
  const value = cell.lagMs[key];
  if (value === null && cell.probes.missing > 0) return Infinity;
  return value;
}

const CSV_COLUMNS: Array<[string, (cell: CellResult) => string | number | null]> = [
  ['store_size', (cell) => cell.storeSize],
  ['rate_per_s', (cell) => cell.ratePerSecond],
  ['link', (cell) => cell.link],
  ['strategy', (cell) => cell.strategy],
  ['probes_acknowledged', (cell) => cell.probes.acknowledged],
  ['probes_seen', (cell) => cell.probes.seen],
  ['probes_failed', (cell) => cell.probes.failed],
  ['achieved_rate_per_s', (cell) => cell.achievedRate.toFixed(2)],
  ['lag_p50_ms', (cell) => lagQuantile(cell, 'p50')],
  ['lag_p95_ms', (cell) => lagQuantile(cell, 'p95')],
  ['lag_p99_ms', (cell) => lagQuantile(cell, 'p99')],
  ['lag_max_ms', (cell) => lagQuantile(cell, 'max')],
  ['lower_bound_ms', (cell) => cell.lowerBoundMs],
  ['poll_p50_ms', (cell) => cell.pollMs.p50],
  ['poll_p99_ms', (cell) => cell.pollMs.p99],
  ['sync_passes', (cell) => cell.sync.passes],
  ['sync_failed', (cell) => cell.sync.failed],
  ['sync_p50_ms', (cell) => cell.sync.durationMs.p50],
  ['sync_max_ms', (cell) => cell.sync.durationMs.max],
  ['push_p50_ms', (cell) => cell.sync.pushMs],
  ['apply_p50_ms', (cell) => cell.sync.applyMs],
  ['rsync_sent_p50_bytes', (cell) => cell.sync.sentBytes],
  ['wait_for_pass_p50_ms', (cell) => lagBreakdown(cell.probeRecords, cell.passRecords).waitMs],
  ['in_pass_p50_ms', (cell) => lagBreakdown(cell.probeRecords, cell.passRecords).passMs],
  ['wire_bytes', (cell) => cell.wireBytes],
  ['cpu_primary_s', (cell) => cell.cpuSeconds.primary],
  ['cpu_backup_s', (cell) => cell.cpuSeconds.backup],
  ['error', (cell) => cell.error ?? ''],
];

function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : 'inf';
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function resultsCsv(cells: readonly CellResult[]): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const cell of cells) lines.push(CSV_COLUMNS.map(([, read]) => csvField(read(cell))).join(','));
  return lines.join('\n') + '\n';
}

export function probesCsv(cells: readonly CellResult[]): string {
  const lines = ['store_size,rate_per_s,link,strategy,probe,account,bytes,sent_ms,ack_ms,seen_ms,lag_ms'];
  for (const cell of cells) {
    for (const probe of cell.probeRecords) {
      lines.push([cell.storeSize, cell.ratePerSecond, cell.link, cell.strategy, probe.index, probe.account, probe.bytes, probe.sentAt, probe.ackAt, probe.seenAt, probe.lagMs].map((value) => csvField(value as never)).join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** Renders the Markdown table of docs/benchmarks.md: lag quantiles, the lower bound, and where the time goes. */
export function summaryTable(cells: readonly CellResult[]): string {
  const header = [
    '| store | rate/s | link | strategy | p50 s | p95 s | p99 s | max s | bound s | wait + in pass p50 s | sync p50 s (push + apply) | wire KB | CPU s (primary + backup) | seen/acked |',
    '|---:|---:|---|---|---:|---:|---:|---:|---:|---|---|---:|---|---:|',
  ];
  const rows = cells.map((cell) => {
    const parts = cell.sync.pushMs !== null || cell.sync.applyMs !== null ? ` (${formatSeconds(cell.sync.pushMs)} + ${formatSeconds(cell.sync.applyMs)})` : '';
    const sync = `${formatSeconds(cell.sync.durationMs.p50)}${parts}${cell.sync.failed > 0 ? `, ${cell.sync.failed} failed` : ''}`;
    const error = cell.error ? ` (error: ${cell.error.slice(0, 80)})` : '';
    const breakdown = lagBreakdown(cell.probeRecords, cell.passRecords);
    const split = breakdown.matched > 0 ? `${formatSeconds(breakdown.waitMs)} + ${formatSeconds(breakdown.passMs)}` : '-';
    return `| ${cell.storeSize} | ${cell.ratePerSecond} | ${cell.link} | ${cell.strategy} | ${formatSeconds(lagQuantile(cell, 'p50'))} | ${formatSeconds(lagQuantile(cell, 'p95'))} | ${formatSeconds(lagQuantile(cell, 'p99'))} | ${formatSeconds(lagQuantile(cell, 'max'))} | ${formatSeconds(cell.lowerBoundMs)} | ${split} | ${sync} | ${Math.round(cell.wireBytes / 1000)} | ${cell.cpuSeconds.primary.toFixed(1)} + ${cell.cpuSeconds.backup.toFixed(1)} | ${cell.probes.seen}/${cell.probes.acknowledged}${error} |`;
  });
  return [...header, ...rows].join('\n') + '\n';
}

/** Writes every output file of a run into `dir`; charts are rendered only when there are cells. */
export async function writeBenchOutputs(dir: string, record: BenchRecord): Promise<void> {
  await writeFile(join(dir, 'results.json'), JSON.stringify(record, null, 2));
  await writeFile(join(dir, 'results.csv'), resultsCsv(record.cells));
  await writeFile(join(dir, 'probes.csv'), probesCsv(record.cells));
  await writeFile(join(dir, 'summary.md'), `# Replication lag\n\nCommand: \`${record.command}\`\n\n${summaryTable(record.cells)}`);
  if (record.cells.length === 0) return;
  await writeFile(join(dir, 'lag-by-store-size.svg'), await renderSpec(lagByStoreSizeSpec(record.cells)));
  const rate = record.sweep.rates.includes(10) ? 10 : record.sweep.rates[0];
  await writeFile(join(dir, 'lag-over-time.svg'), await renderSpec(lagOverTimeSpec(record.cells, rate)));
}
