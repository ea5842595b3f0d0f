/**
 * `mailha audit-readonly`: starts a bed the way a scenario run does, seeds it, syncs the backup
 * once, audits the backup's read-only mode and removes the bed, also on error and Ctrl-C.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SEEDED_BED_MESSAGE_ID_DOMAIN, startSeededBed } from '../bed/seeded-bed.js';
import { READ_ONLY_MODES, type ReadOnlyMode } from '../scenario/schema.js';
import { ACCOUNT_FOLDERS, type Account } from '../workload/client.js';
import { auditReadOnly, testMessage, type AuditReport } from './audit.js';
import { ImapSession } from './imap-session.js';
import { quote, StateReader } from './state.js';
import { renderMarkdown, renderText } from './render.js';
import { ImapflowRoutine } from '../clients/imapflow.js';
import { MbsyncRoutine } from '../clients/mbsync.js';
import { renderClientReport } from '../clients/render.js';
import type { ClientReport, ClientRoutine } from '../clients/routine.js';
import { isViolation } from './classify.js';

/** Number of accounts audited. Every folder of each is audited, and two accounts keep a run short. */
const AUDITED_ACCOUNTS = 2;
/** The clients run on one more account, which the audit's escalation never touched. */
const CLIENT_ROUTINES: readonly ClientRoutine[] = [new ImapflowRoutine(), new MbsyncRoutine()];

/** The audit of one bed, with what each real client saw and the run id of the bed. */
export interface AuditBedReport extends AuditReport {
  runId: string;
  /** One report per client routine, or the error of a routine that could not run. */
  clients: Array<ClientReport | { client: string; error: string }>;
  /** Client reads that failed and client writes that were performed. */
  clientViolations: number;
}

export interface AuditBedOptions {
  readOnly: ReadOnlyMode;
  /** Directory that receives audit.json, audit.md and the bed's logs. */
  outDir: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Starts a bed, runs the audit on its backup and removes the bed; throws when the bed fails. */
export async function auditBed(options: AuditBedOptions): Promise<AuditBedReport> {
  const progress = options.onProgress ?? (() => {});
  const outDir = resolve(options.outDir);
  const seeded = await startSeededBed({
    readOnly: options.readOnly,
    accounts: AUDITED_ACCOUNTS + 1,
    runIdPrefix: 'mailha-audit',
    name: `audit-readonly-${options.readOnly}`,
    question: 'Which IMAP commands does the read-only backup refuse, ignore or perform?',
    outDir,
    onProgress: progress,
    signal: options.signal,
  });
  try {
    const { bed, runId } = seeded;
    const accounts = seeded.accounts.slice(0, AUDITED_ACCOUNTS);
    const clientAccount = seeded.accounts[AUDITED_ACCOUNTS];
    progress(`Auditing the backup (read-only mode ${options.readOnly})...`);
    const audit = await auditReadOnly({
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

    const clients: AuditBedReport['clients'] = [];
    for (const routine of CLIENT_ROUTINES) {
      progress(`Running the ${routine.name} client routine on the backup...`);
      const workDir = await mkdtemp(join(outDir, `client-${routine.name}-`));
      const target = { host: bed.address('backup'), port: 143, login: clientAccount.login, password: clientAccount.password, folders: ACCOUNT_FOLDERS };
      clients.push(await routine.run(target, workDir).catch((error: Error) => ({ client: routine.name, error: error.message })));
    }
    const clientViolations = clients.flatMap((client) => ('steps' in client ? client.steps : [])).filter((step) => isViolation(step.outcome)).length;
    const failedRoutines = clients.filter((client) => 'error' in client).length;
    const report: AuditBedReport = {
      ...audit,
      ...(clientViolations + failedRoutines > 0 ? { verdict: 'invalid' as const } : {}),
      runId,
      clients,
      clientViolations,
    };

    const title = `Read-only audit of the backup (read-only mode ${options.readOnly})`;
    const clientSections = clients.map((client) => ('steps' in client ? renderClientReport(client) : `### ${client.client}\n\nThe routine could not run: ${client.error}\n`));
    await writeFile(join(outDir, 'audit.json'), `${JSON.stringify({ readOnly: options.readOnly, ...report }, null, 2)}\n`);
    await writeFile(join(outDir, 'audit.md'), [renderMarkdown(report, title), '## Clients', '', ...clientSections].join('\n'));
    return report;
  } finally {
    await seeded.close();
  }
}

/** Summarizes a client report in one line: reads that succeeded and how each write ended. */
function clientLine(report: ClientReport): string {
  const count = (outcome: string) => report.steps.filter((step) => step.outcome === outcome).length;
  const reads = report.steps.filter((step) => step.kind === 'read').length;
  return `${reads - count('read-failed')} of ${reads} reads ok; writes ${count('write-refused')} refused, ${count('write-silently-ignored')} silently ignored, ${count('write-performed')} performed`;
}

/** Appends one audit message to every folder of every account on a primary, as new mail for the next sync. */
async function appendOnePerFolder(host: string, accounts: readonly Account[]): Promise<void> {
  for (const account of accounts) {
    const session = await ImapSession.open(host, 143);
    try {
      const login = await session.command(`LOGIN ${quote(account.login)} ${quote(account.password)}`);
      if (login.status !== 'OK') throw new Error(`LOGIN as ${account.login} on primary ${host} failed: ${login.status} ${login.text}`);
      for (const folder of ACCOUNT_FOLDERS) {
        const reply = await session.command(`APPEND ${quote(folder)} ()`, testMessage(SEEDED_BED_MESSAGE_ID_DOMAIN));
        if (reply.status !== 'OK') throw new Error(`APPEND to ${folder} of ${account.login} on primary ${host} failed: ${reply.status} ${reply.text}`);
      }
      await session.command('LOGOUT');
    } finally {
      session.close();
    }
  }
}

/**
 * Audits a server that is already running, such as the backup of a bed started by `mailha run`
 * or a copy of a real backup. Only IMAP is available there, so the report has no store side
 * effects, no UID check across a sync and no client routines. The folders are those LIST
 * returns to the first account.
 */
export async function auditRunningServer(options: { host: string; port: number; accounts: readonly Account[]; outDir: string }): Promise<AuditReport> {
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const [first] = options.accounts;
  const reader = await StateReader.open(options.host, options.port, first.login, first.password);
  let folders: string[];
  try {
    folders = await reader.folders();
  } finally {
    reader.close();
  }
  // Parents before children, as the audit expects, and INBOX first.
  folders.sort((a, b) => {
    if (a === 'INBOX') return -1;
    if (b === 'INBOX') return 1;
    return a.localeCompare(b);
  });
  const report = await auditReadOnly({ host: options.host, port: options.port, accounts: options.accounts, folders });
  const title = `Read-only audit of ${options.host}:${options.port}`;
  await writeFile(join(outDir, 'audit.json'), `${JSON.stringify({ target: `${options.host}:${options.port}`, ...report }, null, 2)}\n`);
  await writeFile(join(outDir, 'audit.md'), renderMarkdown(report, title));
  return report;
}

/** Runs the audit for the CLI, prints the table and sets the exit code (0 only for a valid verdict). */
export async function auditReadOnlyCommand(options: { readOnly: string; out: string; host?: string; port: number; account?: Account[] }): Promise<void> {
  const readOnly = READ_ONLY_MODES.find((mode) => mode === options.readOnly);
  if (!readOnly) {
    console.error(`--read-only must be one of ${READ_ONLY_MODES.join(', ')}, got "${options.readOnly}"`);
    process.exitCode = 2;
    return;
  }
  if (options.host !== undefined || options.account !== undefined) {
    if (options.host === undefined || !options.account?.length) {
      console.error('--host and --account go together: name the server and at least one account to audit on it');
      process.exitCode = 2;
      return;
    }
    try {
      const report = await auditRunningServer({ host: options.host, port: options.port, accounts: options.account, outDir: options.out });
      console.log(renderText(report));
      console.log(`Wrote ${join(options.out, 'audit.json')} and ${join(options.out, 'audit.md')}`);
      process.exitCode = report.verdict === 'valid' ? 0 : 1;
    } catch (error) {
      console.error(`audit of ${options.host}:${options.port} failed: ${(error as Error).message}`);
      process.exitCode = 1;
    }
    return;
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await auditBed({ readOnly, outDir: options.out, signal: abort.signal, onProgress: (line) => console.error(line) });
    console.log(renderText(report));
    for (const client of report.clients) {
      if ('error' in client) console.log(`client ${client.client}: the routine could not run: ${client.error}`);
      else console.log(`client ${client.client}: ${clientLine(client)}`);
    }
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
