/**
 * `mailha audit-readonly`: starts a bed the way a scenario run does, seeds it, syncs the backup
 * once, audits the backup's read-only mode and removes the bed, also on error and Ctrl-C.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SEEDED_BED_MESSAGE_ID_DOMAIN, startSeededBed } from '../bed/seeded-bed.js';
import { ACCOUNT_FOLDERS } from '../workload/client.js';
import { auditReadOnly, type AuditReport } from './audit.js';
import { renderMarkdown, renderText } from './render.js';

/** Number of accounts audited. Every folder of each is audited, and two accounts keep a run short. */
const AUDITED_ACCOUNTS = 2;

export interface AuditBedOptions {
  readOnly: 'acl' | 'none';
  /** Directory that receives audit.json, audit.md and the bed's logs. */
  outDir: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Starts a bed, runs the audit on its backup and removes the bed; throws when the bed fails. */
export async function auditBed(options: AuditBedOptions): Promise<AuditReport> {
  const progress = options.onProgress ?? (() => {});
  const outDir = resolve(options.outDir);
  const seeded = await startSeededBed({
    readOnly: options.readOnly,
    accounts: AUDITED_ACCOUNTS,
    runIdPrefix: 'mailha-audit',
    name: `audit-readonly-${options.readOnly}`,
    question: 'Which IMAP commands does the read-only backup refuse, ignore or perform?',
    outDir,
    onProgress: progress,
    signal: options.signal,
  });
  try {
    const { bed, runId, accounts } = seeded;
    progress(`Auditing the backup (read-only mode ${options.readOnly})...`);
    const report = await auditReadOnly({ host: bed.address('backup'), port: 143, accounts, folders: ACCOUNT_FOLDERS, messageIdDomain: SEEDED_BED_MESSAGE_ID_DOMAIN });
    await writeFile(join(outDir, 'audit.json'), `${JSON.stringify({ readOnly: options.readOnly, runId, ...report }, null, 2)}\n`);
    await writeFile(join(outDir, 'audit.md'), renderMarkdown(report, `Read-only audit of the backup (read-only mode ${options.readOnly})`));
    return report;
  } finally {
    await seeded.close();
  }
}

/** Runs the audit for the CLI, prints the table and sets the exit code (0 only for a valid verdict). */
export async function auditReadOnlyCommand(options: { readOnly: string; out: string }): Promise<void> {
  if (options.readOnly !== 'acl' && options.readOnly !== 'none') {
    console.error(`--read-only must be acl or none, got "${options.readOnly}"`);
    process.exitCode = 2;
    return;
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await auditBed({ readOnly: options.readOnly, outDir: options.out, signal: abort.signal, onProgress: (line) => console.error(line) });
    console.log(renderText(report));
    console.log(`Wrote ${join(options.out, 'audit.json')} and ${join(options.out, 'audit.md')}`);
    process.exitCode = report.verdict === 'valid' ? 0 : 1;
  } catch (error) {
    console.error(`audit failed: ${abort.signal.aborted ? 'interrupted' : (error as Error).message}`);
    process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
