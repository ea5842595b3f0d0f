/**
 * The read-only audit against a real Courier backup in each read-only mode: the recommended mode
 * must be judged valid, and a writable, an escalatable and an unreadable backup invalid.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { auditBed } from '../../harness/audit/command.js';
import type { AuditReport, AuditRow } from '../../harness/audit/audit.js';
import type { ClientReport } from '../../harness/clients/routine.js';
import type { ReadOnlyMode } from '../../harness/scenario/schema.js';
import { labelled } from './docker.js';

type Report = Awaited<ReturnType<typeof auditBed>>;

function client(report: Report, name: string): ClientReport {
  const found = report.clients.find((entry) => entry.client === name);
  if (!found || 'error' in found) throw new Error(`client ${name} did not run: ${JSON.stringify(found)}`);
  return found;
}

function rows(report: AuditReport, phase: AuditRow['phase'], command: string): AuditRow[] {
  return report.rows.filter((row) => row.phase === phase && row.command === command);
}

async function audit(readOnly: ReadOnlyMode): Promise<Report> {
  const outDir = await mkdtemp(join(tmpdir(), `mailha-audit-${readOnly}-`));
  return auditBed({ readOnly, outDir });
}

async function expectNothingLeft(report: Report): Promise<void> {
  expect(await labelled(`mailha.run=${report.runId}`)).toEqual({ containers: [], networks: [], volumes: [] });
}

describe('audit of an acl-locked backup', () => {
  let report: Report;
  beforeAll(async () => {
    report = await audit('acl-locked');
  }, 180_000);

  test('every read succeeds, in the reading routine and in the sweep', () => {
    expect(report.rows.filter((row) => row.classification === 'read-failed')).toEqual([]);
    expect(rows(report, 'reading', 'SELECT').length).toBe(8);
  });

  test('the owner cannot give itself write rights back', () => {
    expect(report.escalation.length).toBeGreaterThan(0);
    for (const entry of report.escalation) expect(entry, JSON.stringify(entry)).toMatchObject({ via: 'none', escalatable: false, append: 'write-refused' });
    for (const row of rows(report, 'escalation', 'SETACL owner +ilrswte')) expect(row.reply.text).toMatch(/Cannot modify ACLs/);
  });

  test('STORE and SUBSCRIBE are silent refusals, reported as findings', () => {
    for (const row of rows(report, 'audit', 'STORE +FLAGS \\Seen')) expect(row.classification).toBe('write-silently-ignored');
    for (const row of rows(report, 'audit', 'SUBSCRIBE')) expect(row.classification).toBe('write-silently-ignored');
    expect(report.findings).toBeGreaterThan(0);
  });

  test('reading has no side effects', () => {
    expect(report.sideEffects).toEqual([]);
    expect(report.uidMeaning).toEqual({ folders: 8, changes: [] });
  });

  test.each(['imapflow', 'mbsync'])('%s reads everything and performs no write', (name) => {
    const steps = client(report, name).steps;
    expect(steps.filter((step) => step.kind === 'read').length).toBeGreaterThan(0);
    expect(steps.filter((step) => step.outcome === 'read-failed')).toEqual([]);
    expect(steps.filter((step) => step.outcome === 'write-performed')).toEqual([]);
    expect(steps.filter((step) => step.outcome === 'write-refused').length).toBeGreaterThan(0);
  });

  test('verdict is valid', () => {
    expect(report.verdict).toBe('valid');
    expect(report.violations).toBe(0);
    expect(report.clientViolations).toBe(0);
  });

  test('bed is removed', () => expectNothingLeft(report));
});

describe('audit of an ACL-only backup (escalatable)', () => {
  let report: Report;
  beforeAll(async () => {
    report = await audit('acl');
  }, 180_000);

  test('every read succeeds', () => {
    expect(report.rows.filter((row) => row.classification === 'read-failed')).toEqual([]);
  });

  test('APPEND is refused before escalation', () => {
    for (const row of rows(report, 'audit', 'APPEND')) expect(row.classification, JSON.stringify(row)).toBe('write-refused');
  });

  test('owner SETACL then APPEND is performed', () => {
    const setacl = rows(report, 'escalation', 'SETACL owner +ilrswte');
    expect(setacl.length).toBeGreaterThan(0);
    for (const row of setacl) expect(row.classification, JSON.stringify(row)).toBe('write-performed');
    for (const row of rows(report, 'escalation', 'APPEND')) expect(row.classification, JSON.stringify(row)).toBe('write-performed');
    expect(report.escalation.every((entry) => entry.escalatable && entry.via === 'SETACL')).toBe(true);
  });

  test('verdict is invalid', () => {
    expect(report.verdict).toBe('invalid');
  });

  test('bed is removed', () => expectNothingLeft(report));
});

describe('audit of a writable backup', () => {
  let report: Report;
  beforeAll(async () => {
    report = await audit('none');
  }, 180_000);

  test('APPEND and STORE \\Seen are performed', () => {
    const appends = rows(report, 'audit', 'APPEND');
    expect(appends.length).toBeGreaterThan(0);
    for (const row of appends) expect(row.classification, JSON.stringify(row)).toBe('write-performed');
    for (const row of rows(report, 'audit', 'STORE +FLAGS \\Seen')) expect(row.classification, JSON.stringify(row)).toBe('write-performed');
  });

  test('reading set \\Seen and wrote inherited ACL files', () => {
    const kinds = new Set(report.sideEffects?.map((change) => change.kind));
    expect(kinds).toContain('message-flags-renamed');
    expect(kinds).toContain('acl-file');
  });

  test('verdict is invalid', () => {
    expect(report.verdict).toBe('invalid');
  });
});

describe('audit of a backup on a read-only mount', () => {
  let report: Report;
  beforeAll(async () => {
    report = await audit('read-only-mount');
  }, 180_000);

  test('reads fail: SELECT cannot open a folder', () => {
    const selects = rows(report, 'reading', 'SELECT');
    expect(selects.length).toBe(8);
    for (const row of selects) expect(row.classification, JSON.stringify(row)).toBe('read-failed');
  });

  test('clients fail their reads too', () => {
    for (const name of ['imapflow', 'mbsync']) {
      expect(client(report, name).steps.filter((step) => step.outcome === 'read-failed').length, name).toBeGreaterThan(0);
    }
  });

  test('SUBSCRIBE ends the session, and the audit goes on in a new one', () => {
    const subscribe = rows(report, 'audit', 'SUBSCRIBE');
    expect(subscribe[0].reply.status).toBe('BYE');
    expect(subscribe[0].evidence.note).toMatch(/logged in again/);
    expect(rows(report, 'audit', 'CREATE').length).toBe(8);
  });

  test('verdict is invalid', () => {
    expect(report.verdict).toBe('invalid');
  });
});
