import { describe, expect, it } from 'vitest';
import { FAILOVER_CHECKERS, runCheckers, worstVerdict } from '../../../harness/checkers/index.js';
import type { Checker, CheckInput } from '../../../harness/checkers/types.js';
import { HistoryBuilder, messageIdOf, PRIMARIES, scenarioWith, SnapshotBuilder } from '../history-builder.js';

const EMPTY_INPUT: CheckInput = { scenario: scenarioWith(), history: [], snapshots: [] };

function fixed(name: string, verdict: 'valid' | 'invalid' | 'unknown'): Checker {
  return { name, description: name, check: () => ({ name, verdict, summary: verdict, evidence: {} }) };
}

const throwing: Checker = {
  name: 'throws',
  description: 'always throws',
  check() {
    throw new Error('snapshot has no accounts');
  },
};

describe('runCheckers', () => {
  it('turns a throw into unknown', () => {
    const results = runCheckers([fixed('first', 'valid'), throwing, fixed('last', 'invalid')], EMPTY_INPUT);

    expect(results.map((result) => result.name)).toEqual(['first', 'throws', 'last']);
    expect(results.map((result) => result.verdict)).toEqual(['valid', 'unknown', 'invalid']);
    expect(results[1].summary).toBe('Checker failed: snapshot has no accounts');
    expect(String(results[1].evidence.error)).toContain('snapshot has no accounts');
  });

  it('leaves input unchanged', () => {
    const h = new HistoryBuilder();
    const sent = h.append('client-1', 'primary-1', 'user1', 'INBOX', messageIdOf('a'), { uid: 1, uidValidity: 100 });
    h.sync();
    h.fault('kill', PRIMARIES);
    h.connect('client-1', 'backup');
    h.read('client-1', 'backup', 'fetch');
    h.write('client-1', 'backup', 'append', 'fail', { status: 'NO' });
    const snapshot = new SnapshotBuilder('during-outage', 'backup', h.observe('during-outage', 'backup')).holding([sent]).build();
    const input: CheckInput = { scenario: scenarioWith(), history: h.build(), snapshots: [snapshot] };
    const copy = structuredClone(input);
    const results = runCheckers(FAILOVER_CHECKERS, input);

    expect(input).toEqual(copy);
    expect(results.map((result) => result.name)).toEqual([
      'synced-mail-on-backup',
      'data-loss-window',
      'backup-reads-succeed',
      'backup-writes-refused',
      'failover-time',
      'uid-identity',
      'errors-by-phase',
    ]);
    for (const result of results) expect(result.summary, result.name).not.toMatch(/^Checker failed/);
  });
});

describe('worstVerdict', () => {
  it('returns valid for no verdicts', () => {
    expect(worstVerdict([])).toBe('valid');
  });

  it('ranks unknown above valid', () => {
    expect(worstVerdict(['valid', 'unknown', 'valid'])).toBe('unknown');
  });

  it('ranks invalid above unknown', () => {
    expect(worstVerdict(['unknown', 'invalid', 'valid'])).toBe('invalid');
    expect(worstVerdict(['invalid', 'unknown'])).toBe('invalid');
  });
});
