/**
 * `mailha audit-readonly`: starts a bed the way a scenario run does, seeds it, syncs the backup
 * once, audits the backup's read-only mode and removes the bed, also on error and Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { destination, pino } from 'pino';
import { DockerBed } from '../bed/docker/docker-bed.js';
import { bedImages } from '../bed/docker/bed-images.js';
import { HistoryRecorder } from '../history/recorder.js';
import { parseScenario } from '../scenario/load.js';
import { READ_ONLY_MODES, type ReadOnlyMode } from '../scenario/schema.js';
import { ACCOUNT_FOLDERS, type Account } from '../workload/client.js';
import { SeededRandom } from '../workload/random.js';
import { seedAccounts } from '../workload/seed.js';
import { auditReadOnly, testMessage, type AuditReport } from './audit.js';
import { ImapSession } from './imap-session.js';
import { quote } from './state.js';
import { renderMarkdown, renderText } from './render.js';

const MESSAGE_ID_DOMAIN = 'mailha.test';
/** Number of accounts audited. Every folder of each is audited, and two accounts keep a run short. */
const AUDITED_ACCOUNTS = 2;
const SEED = 1;

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
  await mkdir(outDir, { recursive: true });
  const runId = `mailha-audit-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const log = pino({ base: { runId } }, destination({ dest: join(outDir, 'mailha.log'), sync: true }));
  const history = new HistoryRecorder(join(outDir, 'history.jsonl'));
  const scenario = parseScenario(
    {
      name: `audit-readonly-${options.readOnly}`,
      question: 'Which IMAP commands does the read-only backup refuse, ignore or perform?',
      seed: SEED,
      topology: { accounts: AUDITED_ACCOUNTS, seedMessagesPerFolder: 3, backup: { readOnly: options.readOnly } },
      workload: { clients: 1 },
      steps: [{ action: 'run', seconds: 1 }],
    },
    '(audit-readonly)',
  );
  const random = new SeededRandom(SEED, 'accounts');
  const accounts: Account[] = Array.from({ length: AUDITED_ACCOUNTS }, (_, i) => ({ login: `user${i + 1}`, password: `pw-${random.int(100000, 999999)}` }));

  let bed: DockerBed | undefined;
  const onAbort = () => void bed?.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    progress('Building or finding images...');
    const images = await bedImages((line) => log.info(line));
    progress('Starting bed...');
    bed = await DockerBed.start({
      scenario,
      runId,
      accounts,
      ...images,
      log,
      logDir: join(outDir, 'nodes'),
    });
    options.signal?.throwIfAborted();
    progress('Seeding accounts with corpus mail...');
    await seedAccounts({
      address: bed.address('primary-1'),
      node: 'primary-1',
      accounts,
      messagesPerFolder: scenario.topology.seedMessagesPerFolder,
      history,
      random: new SeededRandom(SEED, 'seed'),
      runId,
      messageIdDomain: MESSAGE_ID_DOMAIN,
    });
    progress('Syncing the backup...');
    const sync = await bed.sync();
    if (!sync.ok) throw new Error(`sync to the backup failed: ${sync.error}`);
    options.signal?.throwIfAborted();
    progress(`Auditing the backup (read-only mode ${options.readOnly})...`);
    const started = bed;
    const report = await auditReadOnly({
      host: started.address('backup'),
      port: 143,
      accounts,
      folders: ACCOUNT_FOLDERS,
      messageIdDomain: MESSAGE_ID_DOMAIN,
      listStore: () => started.listStore('backup'),
      nextSync: async () => {
        await appendOnePerFolder(started.address('primary-1'), accounts);
        const next = await started.sync();
        if (!next.ok) throw new Error(`the sync after the reading routine failed: ${next.error}`);
      },
    });
    await writeFile(join(outDir, 'audit.json'), `${JSON.stringify({ readOnly: options.readOnly, runId, ...report }, null, 2)}\n`);
    await writeFile(join(outDir, 'audit.md'), renderMarkdown(report, `Read-only audit of the backup (read-only mode ${options.readOnly})`));
    return { ...report, runId };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await bed?.close();
    await history.close();
    log.flush?.();
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
        const reply = await session.command(`APPEND ${quote(folder)} ()`, testMessage(MESSAGE_ID_DOMAIN));
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
