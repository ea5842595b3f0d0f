/** Files of a benchmark run: raw samples as CSV, the summary as JSON, a Markdown table and the plot. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderSpec } from '../../report/plots/render.js';
import { latencyDistributionSpec } from './plot.js';
import type { BenchSummary, ConfigResult } from './results.js';
import type { AppendSample } from './stats.js';

export const OUTPUT_FILES = {
  samples: 'appends.csv',
  summary: 'summary.json',
  table: 'summary.md',
  spec: 'latency.vl.json',
  plot: 'latency.svg',
} as const;

const CSV_COLUMNS = ['config', 'client', 'index', 'warmup', 'bytes', 'start_ms', 'latency_ms', 'source'] as const;

/** Quotes a CSV field when it contains a comma, a quote or a line break (RFC 4180). */
function csvField(value: string | number | boolean): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Renders one row per APPEND, times in milliseconds with microsecond precision. */
export function renderSamplesCsv(samples: readonly AppendSample[]): string {
  const rows = samples.map((sample) =>
    [sample.config, sample.client, sample.index, sample.warmup, sample.bytes, sample.startMs.toFixed(3), sample.latencyMs.toFixed(3), sample.source].map(csvField).join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

const ms = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1));
const seconds = (value: number | undefined) => (value === undefined ? '–' : (value / 1000).toFixed(1));

function probeCell(result: ConfigResult): string {
  const probe = result.storageProbe;
  if (!probe) return '–';
  if (probe.withToxicMs === undefined) return ms(probe.withoutToxicMs);
  return `${ms(probe.withoutToxicMs)} → ${ms(probe.withToxicMs)}`;
}

/** Renders the summary table in Markdown, one row per configuration; a failed one shows its error. */
export function renderSummaryTable(summary: BenchSummary): string {
  const header = [
    '| configuration | APPENDs | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | messages/s | MB/s | sync 4 KiB write (ms) | DRBD boot to UpToDate (s) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const rows = summary.configs.map((result) => {
    const s = result.summary;
    if (!s) return `| ${result.config.name} | failed: ${result.error?.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |||||||||`;
    return `| ${result.config.name} | ${s.count} | ${ms(s.p50Ms)} | ${ms(s.p95Ms)} | ${ms(s.p99Ms)} | ${ms(s.maxMs)} | ${s.messagesPerSecond.toFixed(1)} | ${s.megabytesPerSecond.toFixed(2)} | ${probeCell(result)} | ${seconds(result.bootToUpToDateMs)} |`;
  });
  return `${[...header, ...rows].join('\n')}\n`;
}

/** Renders the machine line of the results page. */
export function renderMachine(summary: BenchSummary): string {
  const m = summary.machine;
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(', ');
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB of memory, Linux ${m.kernel}, Node.js ${m.node}, Docker ${m.docker}; load average ${load(m.loadAtStart)} at the start and ${load(m.loadAtEnd)} at the end`;
}

/** Writes the output files into `dir`, which must exist, and returns their paths; the SVG only when an APPEND was measured. */
export async function writeOutputs(dir: string, summary: BenchSummary, samples: readonly AppendSample[]): Promise<string[]> {
  const spec = latencyDistributionSpec(samples, summary.configs.filter((result) => result.summary).map((result) => result.config.name));
  const files: Array<[string, string]> = [
    [OUTPUT_FILES.samples, renderSamplesCsv(samples)],
    [OUTPUT_FILES.summary, `${JSON.stringify(summary, null, 2)}\n`],
    [OUTPUT_FILES.table, `Command: \`${summary.command}\`\n\nMachine: ${renderMachine(summary)}.\n\n${renderSummaryTable(summary)}`],
    [OUTPUT_FILES.spec, `${JSON.stringify(spec, null, 2)}\n`],
  ];
  // With no measured APPEND (every configuration failed) there is nothing to draw.
  if (samples.some((sample) => !sample.warmup)) files.push([OUTPUT_FILES.plot, await renderSpec(spec)]);
  for (const [name, content] of files) await writeFile(join(dir, name), content);
  return files.map(([name]) => join(dir, name));
}
