/** The audit's command-by-outcome table, as plain text for the terminal and as Markdown. */
import type { AuditReport, AuditRow } from './audit.js';

function replyText(row: AuditRow): string {
  return [row.reply.status, row.reply.code ? `[${row.reply.code}]` : '', row.reply.text].filter(Boolean).join(' ');
}

/**
 * Groups rows by phase, command and classification across accounts and folders, so the table
 * has one line per distinct outcome with the folders it was seen on.
 */
export function outcomeTable(report: AuditReport): Array<{ phase: string; command: string; classification: string; folders: string; reply: string }> {
  const groups = new Map<string, { phase: string; command: string; classification: string; folders: Set<string>; reply: string }>();
  for (const row of report.rows) {
    const key = `${row.phase}\u0000${row.command}\u0000${row.classification}`;
    const group = groups.get(key) ?? { phase: row.phase, command: row.command, classification: row.classification, folders: new Set<string>(), reply: replyText(row) };
    group.folders.add(row.folder ?? '(session)');
    groups.set(key, group);
  }
  return [...groups.values()].map((group) => ({ ...group, folders: [...group.folders].join(', ') }));
}

function verdictLine(report: AuditReport): string {
  const escalatable = report.escalation.filter((entry) => entry.escalatable).length;
  return `verdict: ${report.verdict} (${report.violations} violations, ${report.findings} findings; owner escalated to write on ${escalatable} of ${report.escalation.length} folders)`;
}

export function renderText(report: AuditReport): string {
  const table = outcomeTable(report);
  const widths = [10, Math.max(...table.map((row) => row.command.length), 7), 22];
  const lines = table.map((row) => `${row.phase.padEnd(widths[0])} ${row.command.padEnd(widths[1])} ${row.classification.padEnd(widths[2])} ${row.reply}  [${row.folders}]`);
  return [`${'phase'.padEnd(widths[0])} ${'command'.padEnd(widths[1])} ${'outcome'.padEnd(widths[2])} reply  [folders]`, ...lines, verdictLine(report)].join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function renderMarkdown(report: AuditReport, title: string): string {
  const rows = outcomeTable(report).map((row) => `| ${row.phase} | ${cell(row.command)} | ${row.classification} | ${cell(row.reply)} | ${cell(row.folders)} |`);
  const escalation = report.escalation.map(
    (entry) => `| ${entry.account} | ${entry.folder} | ${cell(entry.rightsBefore)} | ${entry.via} | ${cell(entry.rightsAfter)} | ${entry.append} | ${entry.escalatable ? 'yes' : 'no'} |`,
  );
  return [
    `# ${title}`,
    '',
    verdictLine(report),
    '',
    '| phase | command | outcome | reply | folders |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '## Escalation',
    '',
    '| account | folder | rights before | via | rights after | APPEND | escalatable |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...escalation,
    '',
  ].join('\n');
}
