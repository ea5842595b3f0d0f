/**
 * `mailha audit-readonly`: starts a bed the way a scenario run does, seeds it, syncs the backup
 * once, audits the backup's read-only mode and removes the bed, also on error and Ctrl-C.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SEEDED_BED_MESSAGE_ID_DOMAIN, startSeededBed } from '../bed/seeded-bed.js';
import { READ_ONLY_MODES, type ReadOnlyMode } from '../scenario/schema.js';
import { ACCOUNT_FOLDERS, type Account } from '../workload/client.js';
import { auditReadOnly, testMessage, type AuditReport } from './audit.js';
import { ImapSession } from './imap-session.js';
import { quote } from './state.js';
import { renderMarkdown, renderText } from './render.js';

/** Number of accounts audited. Every folder of each is audited, and two accounts keep a run short. */
const AUDITED_ACCOUNTS = 2;

export interface AuditBedOptions {
  readOnly: ReadOnlyMode;
  /** Directory that receives audit.json, audit.md and the bed's logs. */
  outDir: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Starts a bed, runs the audit on its backup and removes the bed; throws when the bed fails. */
export async function auditBed(options: AuditBedOptions): Promise<AuditReport & { runId: string }> {
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
    const report = await auditReadOnly({
      host: bed.address('backup'),
      port: 143,
      accounts,
      folders: ACCOUNT_FOLDERS,
      messageIdDomain: SEEDED_BED_MESSAGE_ID_DOMAIN,
      listStore: () => bed.listStore('backup'),
      nextSync: async () => {
        await appendOnePerFolder(bed.address('primary-1'), accounts);
        const next = await bed.sync();
        if (!next.ok) throw new Error(`the sync after the reading routine failed: ${next.error}`);
      },
    });
    await writeFile(join(outDir, 'audit.json'), `${JSON.stringify({ readOnly: options.readOnly, runId, ...report }, null, 2)}\n`);
    await writeFile(join(outDir, 'audit.md'), renderMarkdown(report, `Read-only audit of the backup (read-only mode ${options.readOnly})`));
    return { ...report, runId };
  } finally {
    await seeded.close();
  }
}

/** Appends one audit message to every folder of every account on a primary, as new mail for the next sync. */
async function appendOnePerFolder(host: string, accounts: readonly Account[]): Promise<void> {
  for (const account of accounts) {
    const session = await ImapSession.open(host, 143);
    try {
      const login = await session.command(`LOGIN ${quote(account.login)} ${quote(account.password)}`);
      if (login.status !== 'OK') throw new Error(`LOGIN as ${account.login} on primary ${host} answered ${login.status} ${login.text}`);
      for (const folder of ACCOUNT_FOLDERS) {
        const reply = await session.command(`APPEND ${quote(folder)} ()`, testMessage(SEEDED_BED_MESSAGE_ID_DOMAIN));
        if (reply.status !== 'OK') throw new Error(`APPEND to ${folder} of ${account.login} on primary ${host} answered ${reply.status} ${reply.text}`);
      }
      await session.command('LOGOUT');
    } finally {
      session.close();
    }
  }
}

/** Runs the audit for the CLI, prints the table and sets the exit code (0 only for a valid verdict). */
export async function auditReadOnlyCommand(options: { readOnly: string; out: string }): Promise<void> {
  const readOnly = READ_ONLY_MODES.find((mode) => mode === options.readOnly);
  if (!readOnly) {
    console.error(`--read-only must be one of ${READ_ONLY_MODES.join(', ')}, got "${options.readOnly}"`);
    process.exitCode = 2;
    return;
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await auditBed({ readOnly, outDir: options.out, signal: abort.signal, onProgress: (line) => console.error(line) });
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
