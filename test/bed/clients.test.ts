/** imapflow and mbsync routines against a real Courier backup, with ACL read-only mode and without it. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSeededBed, type SeededBed } from '../../harness/bed/seeded-bed.js';
import { ImapflowRoutine } from '../../harness/clients/imapflow.js';
import { MbsyncRoutine } from '../../harness/clients/mbsync.js';
import { renderClientReport } from '../../harness/clients/render.js';
import type { ClientReport, ClientRoutine, ClientStep } from '../../harness/clients/routine.js';
import { ACCOUNT_FOLDERS } from '../../harness/workload/client.js';
import { labelled } from './docker.js';

interface Reports {
  imapflow: ClientReport;
  mbsync: ClientReport;
  runId: string;
}

/** Starts a one-account bed, runs both routines against its backup and removes the bed. */
async function runClients(readOnly: 'acl' | 'none', onBed: (bed: SeededBed) => void): Promise<Reports> {
  const outDir = await mkdtemp(join(tmpdir(), `mailha-clients-${readOnly}-`));
  const seeded = await startSeededBed({
    readOnly,
    accounts: 1,
    runIdPrefix: 'mailha-clients',
    name: `clients-${readOnly}`,
    question: 'What do real clients see on the backup?',
    outDir,
  });
  onBed(seeded);
  const [account] = seeded.accounts;
  const target = { host: seeded.bed.address('backup'), port: 143, login: account.login, password: account.password, folders: ACCOUNT_FOLDERS };
  const run = async (routine: ClientRoutine) => {
    const workDir = join(outDir, routine.name);
    return routine.run(target, workDir);
  };
  // Sequential: both clients act on the same account, and each judges by re-reading its state.
  const imapflow = await run(new ImapflowRoutine());
  const mbsync = await run(new MbsyncRoutine());
  await writeFile(join(outDir, 'clients.md'), `${renderClientReport(imapflow)}\n${renderClientReport(mbsync)}`);
  return { imapflow, mbsync, runId: seeded.runId };
}

function steps(report: ClientReport, operation: string): ClientStep[] {
  return report.steps.filter((step) => step.operation === operation);
}

function expectOutcome(report: ClientReport, operation: string, outcome: ClientStep['outcome']): void {
  const matching = steps(report, operation);
  expect(matching.length, `${report.client} has no "${operation}" step`).toBeGreaterThan(0);
  for (const step of matching) expect(step.outcome, `${report.client}: ${JSON.stringify(step)}`).toBe(outcome);
}

async function removeBed(seeded: SeededBed | undefined): Promise<void> {
  if (!seeded) return;
  await seeded.close();
  expect(await labelled(`mailha.run=${seeded.runId}`)).toEqual({ containers: [], networks: [], volumes: [] });
}

describe('clients on an ACL read-only backup', () => {
  let seeded: SeededBed | undefined;
  let reports: Reports;
  beforeAll(async () => {
    reports = await runClients('acl', (bed) => (seeded = bed));
  }, 300_000);
  afterAll(() => removeBed(seeded), 120_000);

  test('imapflow reads succeed', () => {
    const reads = reports.imapflow.steps.filter((step) => step.kind === 'read');
    expect(reads.length).toBeGreaterThan(ACCOUNT_FOLDERS.length * 3);
    expect(reads.filter((step) => step.outcome !== 'read-ok')).toEqual([]);
  });

  test('mbsync pulls succeed', () => {
    const pulls = steps(reports.mbsync, 'pull');
    expect(pulls.map((step) => step.folder)).toEqual([...ACCOUNT_FOLDERS]);
    expect(pulls.filter((step) => step.outcome !== 'read-ok')).toEqual([]);
  });

  test('imapflow APPEND is refused', () => {
    expectOutcome(reports.imapflow, 'APPEND', 'write-refused');
    for (const step of steps(reports.imapflow, 'APPEND')) expect(step.detail).toMatch(/Access denied/);
  });

  test('mbsync new message is refused', () => {
    expectOutcome(reports.mbsync, 'push new message', 'write-refused');
    for (const step of steps(reports.mbsync, 'push new message')) expect(step.detail).toMatch(/Access denied/);
  });

  test('imapflow flag STORE is silently ignored', () => {
    expectOutcome(reports.imapflow, 'set \\Seen', 'write-silently-ignored');
    expectOutcome(reports.imapflow, 'set \\Flagged', 'write-silently-ignored');
  });

  test('mbsync \\Seen push is silently ignored', () => {
    expectOutcome(reports.mbsync, 'push \\Seen flag', 'write-silently-ignored');
  });

  test('keyword and mbsync expunge are silently ignored', () => {
    expectOutcome(reports.imapflow, 'add keyword', 'write-silently-ignored');
    expectOutcome(reports.mbsync, 'push deletion and expunge', 'write-silently-ignored');
  });

  test('imapflow EXPUNGE is refused', () => {
    expectOutcome(reports.imapflow, 'delete and EXPUNGE', 'write-refused');
    for (const step of steps(reports.imapflow, 'delete and EXPUNGE')) expect(step.detail).toMatch(/Access denied for EXPUNGE/);
  });

  test('CREATE is refused for both', () => {
    expectOutcome(reports.imapflow, 'CREATE', 'write-refused');
    expectOutcome(reports.mbsync, 'push new folder', 'write-refused');
  });

  test('no write is performed', () => {
    const performed = [...reports.imapflow.steps, ...reports.mbsync.steps].filter((step) => step.outcome === 'write-performed');
    expect(performed).toEqual([]);
  });
});

describe('clients on a writable backup', () => {
  let seeded: SeededBed | undefined;
  let reports: Reports;
  beforeAll(async () => {
    reports = await runClients('none', (bed) => (seeded = bed));
  }, 300_000);
  afterAll(() => removeBed(seeded), 120_000);

  test('imapflow APPEND is performed', () => {
    expectOutcome(reports.imapflow, 'APPEND', 'write-performed');
  });

  test('mbsync new message is performed', () => {
    expectOutcome(reports.mbsync, 'push new message', 'write-performed');
  });

  test('flag changes are performed', () => {
    expectOutcome(reports.imapflow, 'set \\Seen', 'write-performed');
    expectOutcome(reports.mbsync, 'push \\Seen flag', 'write-performed');
  });

  test('CREATE is performed for both', () => {
    expectOutcome(reports.imapflow, 'CREATE', 'write-performed');
    expectOutcome(reports.mbsync, 'push new folder', 'write-performed');
  });
});
