/** The audit's command-by-outcome table, as plain text for the terminal and as Markdown. */
import type { AuditReport, AuditRow } from './audit.js';
import { countByKind } from './side-effects.js';

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

/** Summarizes in one line what reading wrote to the store, by kind of change. */
export function sideEffectsLine(report: AuditReport): string {
  if (report.sideEffects === null) return 'side effects of reading: not checked (the store could not be listed)';
  if (report.sideEffects.length === 0) return 'side effects of reading: none (the store listing did not change)';
  const counts = Object.entries(countByKind(report.sideEffects)).map(([kind, count]) => `${kind} ${count}`);
  return `side effects of reading: ${report.sideEffects.length} changes (${counts.join(', ')})`;
}

/** Summarizes in one line whether UIDs kept their meaning across the next sync. */
export function uidMeaningLine(report: AuditReport): string {
  if (report.uidMeaning === null) return 'UID meaning across the next sync: not checked';
  const { folders, changes } = report.uidMeaning;
  if (changes.length === 0) return `UID meaning across the next sync: kept in all ${folders} folders`;
  return `UID meaning across the next sync: ${changes.length} changes (${changes.slice(0, 3).map((change) => `${change.account} ${change.folder} ${change.kind}${change.uid ? ` ${change.uid}` : ''}: ${change.before} -> ${change.after}`).join('; ')})`;
}

export function renderText(report: AuditReport): string {
  const table = outcomeTable(report);
  const widths = [10, Math.max(...table.map((row) => row.command.length), 7), 22];
  const lines = table.map((row) => `${row.phase.padEnd(widths[0])} ${row.command.padEnd(widths[1])} ${row.classification.padEnd(widths[2])} ${row.reply}  [${row.folders}]`);
  return [`${'phase'.padEnd(widths[0])} ${'command'.padEnd(widths[1])} ${'outcome'.padEnd(widths[2])} reply  [folders]`, ...lines, sideEffectsLine(report), uidMeaningLine(report), verdictLine(report)].join('\n');
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
    `- ${sideEffectsLine(report)}`,
    `- ${uidMeaningLine(report)}`,
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
    '## Side effects of reading',
    '',
    '| kind | change | path |',
    '| --- | --- | --- |',
    ...(report.sideEffects ?? []).map((change) => `| ${change.kind} | ${change.change} | ${cell(change.from ? `${change.from} -> ${change.path}` : change.path)} |`),
    '',
  ].join('\n');
}
