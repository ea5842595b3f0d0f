/** Markdown rendering of a client report: reads and writes in separate tables. */
import type { ClientReport, ClientStep } from './routine.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(steps: readonly ClientStep[]): string[] {
  if (steps.length === 0) return ['(none)'];
  return [
    '| operation | folder | outcome | detail |',
    '| --- | --- | --- | --- |',
    ...steps.map((step) => `| ${cell(step.operation)} | ${cell(step.folder ?? '')} | ${step.outcome} | ${cell(step.detail)} |`),
  ];
}

/** Renders one client's report as a heading, a table of its reads and a table of its writes. */
export function renderClientReport(report: ClientReport): string {
  const reads = report.steps.filter((step) => step.kind === 'read');
  const writes = report.steps.filter((step) => step.kind === 'write');
  return [
    `### ${report.client} (${report.version}), account ${report.account}`,
    '',
    `Reads (${reads.filter((step) => step.outcome === 'read-ok').length} of ${reads.length} succeeded):`,
    '',
    ...table(reads),
    '',
    `Writes (${writes.filter((step) => step.outcome === 'write-refused').length} refused, ${writes.filter((step) => step.outcome === 'write-silently-ignored').length} silently ignored, ${writes.filter((step) => step.outcome === 'write-performed').length} performed):`,
    '',
    ...table(writes),
    '',
  ].join('\n');
}
