import { describe, expect, it } from 'vitest';
import { backupAudit } from '../../../harness/checkers/backup-audit.js';
import { HistoryBuilder, scenarioWith } from '../history-builder.js';

function audit(h: HistoryBuilder, verdict: 'valid' | 'invalid', violations: number, escalatable = 0): void {
  h.event({
    kind: 'audit',
    phase: 'point',
    name: 'audit-readonly',
    nodes: ['backup'],
    ok: verdict === 'valid',
    detail: { verdict, violations, findings: 7, escalatable, escalationFolders: 4, sideEffects: {} },
  });
}

function check(h: HistoryBuilder) {
  return backupAudit.check({ scenario: scenarioWith(), history: h.build(), snapshots: [] });
}

describe('backup-audit', () => {
  it('is unknown without an audit', () => {
    expect(check(new HistoryBuilder()).verdict).toBe('unknown');
  });

  it('is valid when every audit is valid, and counts silent refusals', () => {
    const h = new HistoryBuilder();
    audit(h, 'valid', 0);
    const result = check(h);
    expect(result.verdict).toBe('valid');
    expect(result.summary).toMatch(/7 writes were answered OK without effect/);
  });

  it('is invalid when one audit found violations, naming the escalation', () => {
    const h = new HistoryBuilder();
    audit(h, 'valid', 0);
    h.advance(1000);
    audit(h, 'invalid', 24, 4);
    const result = check(h);
    expect(result.verdict).toBe('invalid');
    expect(result.summary).toMatch(/1 of 2 audits found violations; the first: 24 violations, owner escalated to write on 4 of 4 folders/);
  });
});
