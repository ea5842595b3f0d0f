/** The read-only audit against a real Courier backup, with ACL read-only mode and without it. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { auditBed } from '../../harness/audit/command.js';
import type { AuditReport, AuditRow } from '../../harness/audit/audit.js';
import { labelled } from './docker.js';

function rows(report: AuditReport, phase: AuditRow['phase'], command: string): AuditRow[] {
  return report.rows.filter((row) => row.phase === phase && row.command === command);
}

async function audit(readOnly: 'acl' | 'none'): Promise<AuditReport> {
  const outDir = await mkdtemp(join(tmpdir(), `mailha-audit-${readOnly}-`));
  return auditBed({ readOnly, outDir });
}

describe('audit of an ACL read-only backup', () => {
  let report: AuditReport;
  beforeAll(async () => {
    report = await audit('acl');
  }, 120_000);

  test('every read succeeds', () => {
    const failed = report.rows.filter((row) => row.classification === 'read-failed');
    expect(failed).toEqual([]);
  });

  test('STORE \\Seen is silently ignored', () => {
    const stores = rows(report, 'audit', 'STORE +FLAGS \\Seen');
    expect(stores.length).toBeGreaterThan(0);
    for (const row of stores) expect(row.classification, JSON.stringify(row)).toBe('write-silently-ignored');
  });

  test('APPEND is refused before escalation', () => {
    for (const row of rows(report, 'audit', 'APPEND')) expect(row.classification, JSON.stringify(row)).toBe('write-refused');
  });

  test('owner SETACL then APPEND is performed', () => {
    const setacl = rows(report, 'escalation', 'SETACL owner +ilrswte');
    const append = rows(report, 'escalation', 'APPEND');
    expect(setacl.length).toBeGreaterThan(0);
    for (const row of setacl) expect(row.classification, JSON.stringify(row)).toBe('write-performed');
    for (const row of append) expect(row.classification, JSON.stringify(row)).toBe('write-performed');
    expect(report.escalation.every((entry) => entry.escalatable && entry.via === 'SETACL')).toBe(true);
  });

  test('verdict is invalid', () => {
    expect(report.verdict).toBe('invalid');
  });

  test('bed is removed', async () => {
    expect(await labelled(`mailha.managed=true`)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});

describe('audit of a writable backup', () => {
  let report: AuditReport;
  beforeAll(async () => {
    report = await audit('none');
  }, 120_000);

  test('APPEND is performed', () => {
    const appends = rows(report, 'audit', 'APPEND');
    expect(appends.length).toBeGreaterThan(0);
    for (const row of appends) expect(row.classification, JSON.stringify(row)).toBe('write-performed');
  });

  test('STORE \\Seen is performed', () => {
    for (const row of rows(report, 'audit', 'STORE +FLAGS \\Seen')) expect(row.classification, JSON.stringify(row)).toBe('write-performed');
  });

  test('verdict is invalid', () => {
    expect(report.verdict).toBe('invalid');
  });
});
