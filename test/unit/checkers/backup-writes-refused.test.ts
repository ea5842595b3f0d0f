import { describe, expect, it } from 'vitest';
import { backupWritesRefused } from '../../../harness/checkers/backup-writes-refused.js';
import type { HistoryEntry, ImapReply } from '../../../harness/history/types.js';
import { HistoryBuilder, PRIMARIES, scenarioWith } from '../history-builder.js';

const scenario = scenarioWith();
const NO: ImapReply = { status: 'NO', text: 'Access denied' };
const OK: ImapReply = { status: 'OK', text: 'Completed.' };

function check(history: HistoryEntry[]) {
  return backupWritesRefused.check({ scenario, history, snapshots: [] });
}

function byCommand(evidence: Record<string, unknown>, f: string): Record<string, number> {
  return (evidence.byCommand as Record<string, Record<string, number>>)[f];
}

/** Records every write kind refused with NO on the backup, after writes that succeed on the primary. */
function refusedEverywhere(): HistoryBuilder {
  const h = new HistoryBuilder();
  h.write('client-1', 'primary-1', 'append', 'ok', OK);
  h.write('client-1', 'primary-1', 'store', 'ok', OK, 'applied');
  h.fault('kill', PRIMARIES);
  h.connect('client-1', 'backup');
  for (const f of ['append', 'store', 'expunge', 'create'] as const) h.write('client-1', 'backup', f, 'fail', NO);
  return h;
}

describe('backup-writes-refused', () => {
  it('accepts NO replies', () => {
    const result = check(refusedEverywhere().build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.attempts).toBe(4);
    expect(byCommand(result.evidence, 'append').refused).toBe(1);
    expect(byCommand(result.evidence, 'create').refused).toBe(1);
    expect(result.evidence.refusalReplies).toContain('append: Access denied');
  });

  it('rejects APPEND OK', () => {
    const h = refusedEverywhere();
    const performed = h.write('client-2', 'backup', 'append', 'ok', OK);
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(byCommand(result.evidence, 'append').performed).toBe(1);
    expect((result.evidence.performed as Array<{ index: number }>)[0].index).toBe(performed.completion.index);
  });

  it('rejects CREATE OK', () => {
    const h = refusedEverywhere();
    h.write('client-2', 'backup', 'create', 'ok', OK);
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(byCommand(result.evidence, 'create').performed).toBe(1);
  });

  it('counts STORE without effect', () => {
    const h = refusedEverywhere();
    h.write('client-2', 'backup', 'store', 'ok', OK, 'none');
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(byCommand(result.evidence, 'store')['silently-ignored']).toBe(1);
    expect((result.evidence.silentRefusals as { count: number }).count).toBe(1);
    expect(result.summary).toContain('1 of them were silent refusals');
  });

  it('accepts silent refusal alone', () => {
    const h = new HistoryBuilder();
    h.write('client-1', 'backup', 'append', 'fail', NO);
    h.write('client-1', 'backup', 'store', 'ok', OK, 'none');
    h.write('client-1', 'backup', 'expunge', 'ok', OK, 'none');
    h.write('client-1', 'backup', 'create', 'fail', { status: 'BAD' });
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect((result.evidence.silentRefusals as { count: number }).count).toBe(2);
  });

  it('rejects STORE with effect', () => {
    const h = refusedEverywhere();
    h.write('client-2', 'backup', 'store', 'ok', OK, 'applied');
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(byCommand(result.evidence, 'store').performed).toBe(1);
  });

  it('rejects EXPUNGE with effect', () => {
    const h = refusedEverywhere();
    h.write('client-2', 'backup', 'expunge', 'ok', OK, 'applied');

    expect(check(h.build()).verdict).toBe('invalid');
  });

  it('is unknown for untried kind', () => {
    const h = new HistoryBuilder();
    h.write('client-1', 'backup', 'append', 'fail', NO);
    h.write('client-1', 'backup', 'store', 'fail', NO);
    h.write('client-1', 'backup', 'expunge', 'fail', NO);
    const result = check(h.build());

    expect(result.verdict).toBe('unknown');
    expect(result.evidence.untriedWithDefiniteOutcome).toEqual(['create']);
  });

  it('is unknown for indefinite outcomes', () => {
    const h = new HistoryBuilder();
    h.write('client-1', 'backup', 'append', 'fail', NO);
    h.write('client-1', 'backup', 'store', 'fail', NO);
    h.write('client-1', 'backup', 'expunge', 'info');
    h.write('client-1', 'backup', 'create', 'fail', { status: 'BYE' });
    h.write('client-1', 'backup', 'store', 'ok', OK);
    const result = check(h.build());

    expect(result.verdict).toBe('unknown');
    expect(result.evidence.untriedWithDefiniteOutcome).toEqual(['expunge', 'create']);
    expect(byCommand(result.evidence, 'store').unknown).toBe(1);
    expect(byCommand(result.evidence, 'create').unknown).toBe(1);
  });

  it('ignores unattempted writes', () => {
    const h = new HistoryBuilder();
    h.write('client-1', 'backup', 'append', 'fail', NO);
    h.write('client-1', 'backup', 'store', 'fail', undefined, undefined, { attempted: false });
    h.write('client-1', 'backup', 'expunge', 'fail', NO);
    h.write('client-1', 'backup', 'create', 'fail', NO);
    const result = check(h.build());

    expect(result.verdict).toBe('unknown');
    expect(result.evidence.attempts).toBe(3);
    expect(result.evidence.untriedWithDefiniteOutcome).toEqual(['store']);
  });

  it('ignores seed and primary writes', () => {
    const h = refusedEverywhere();
    h.write('seed', 'backup', 'append', 'ok', OK);
    h.write('client-1', 'primary-2', 'create', 'ok', OK);
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.attempts).toBe(4);
  });

  it('prefers invalid over untried', () => {
    const h = new HistoryBuilder();
    h.write('client-1', 'backup', 'append', 'ok', OK);
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.untriedWithDefiniteOutcome).toEqual(['store', 'expunge', 'create']);
  });
});
