/** Renders the human-readable `summary.md` of a run. */
import type { RunResult } from './result.js';

const MARK = { valid: 'valid', invalid: 'INVALID', unknown: 'unknown' } as const;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderSummary(result: RunResult): string {
  const lines = [
    `# ${result.scenario}: ${MARK[result.verdict]}`,
    '',
    `> ${result.question}`,
    '',
    `Run \`${result.runId}\`, seed ${result.seed}, from \`${result.file}\`, ${result.timings.startedAt} to ${result.timings.endedAt} (${(result.timings.wallMs / 1000).toFixed(1)} s).`,
    '',
  ];
  if (result.error) lines.push(`**The run failed:** ${result.error}`, '');
  lines.push('| check | verdict | finding |', '|---|---|---|');
  for (const check of result.checks) lines.push(`| ${check.name} | ${MARK[check.verdict]} | ${cell(check.summary)} |`);
  lines.push(
    '',
    `Operations: ${result.operations.total} completed (${result.operations.ok} ok, ${result.operations.fail} failed, ${result.operations.info} unknown outcome).`,
    '',
    '## Steps',
    '',
    '| # | step | start (s) | end (s) | ok |',
    '|---|---|---|---|---|',
    ...result.timings.steps.map(
      (step) => `| ${step.index} | ${cell(step.description)} | ${(step.startMs / 1000).toFixed(1)} | ${(step.endMs / 1000).toFixed(1)} | ${step.ok ? 'yes' : `no: ${cell(String(step.detail.error ?? ''))}`} |`,
    ),
    '',
    '## Stand-ins',
    '',
  );
  if (result.standIns.length === 0) lines.push('None: every component is the real thing.');
  for (const standIn of result.standIns) lines.push(`- **${standIn.component}** stands for ${standIn.standsFor} (${standIn.reason}).`);
  lines.push('');
  return lines.join('\n');
}
