import { describe, expect, it } from 'vitest';
import { primaryWritesAccepted } from '../../../harness/checkers/primary-writes-accepted.js';
import type { HistoryEntry, ImapReply } from '../../../harness/history/types.js';
import { HistoryBuilder, PRIMARIES, scenarioWith } from '../history-builder.js';

const scenario = scenarioWith();
const OK: ImapReply = { status: 'OK', text: 'Completed.' };
const NO: ImapReply = { status: 'NO', code: 'OVERQUOTA', text: 'Quota exceeded' };
const BAD: ImapReply = { status: 'BAD', text: 'Error in IMAP command' };

function check(history: HistoryEntry[]) {
  return primaryWritesAccepted.check({ scenario, history, snapshots: [] });
}

/** Records one accepted write of every kind, spread over both primaries. */
function acceptedWrites(): HistoryBuilder {
  const h = new HistoryBuilder();
  h.write('client-1', 'primary-1', 'append', 'ok', OK);
  h.write('client-1', 'primary-1', 'store', 'ok', OK, 'applied');
  h.write('client-2', 'primary-2', 'expunge', 'ok', OK, 'applied');
  h.write('client-2', 'primary-2', 'create', 'ok', OK);
  return h;
}

describe('primary-writes-accepted', () => {
  it('accepts OK writes', () => {
    const result = check(acceptedWrites().build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.writes).toBe(4);
    expect(result.evidence.refused).toBe(0);
  });

  it('rejects NO on primary', () => {
    const h = acceptedWrites();
    const refused = h.write('client-1', 'primary-2', 'append', 'fail', NO);
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.refused).toBe(1);
    expect(result.evidence.sample).toEqual([{ index: refused.completion.index, process: 'client-1', f: 'append', node: 'primary-2', reply: NO }]);
  });

  it('rejects BAD on primary', () => {
    const h = acceptedWrites();
    h.write('client-2', 'primary-1', 'store', 'fail', BAD);
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.refused).toBe(1);
  });

  it('ignores failure without reply', () => {
    const h = acceptedWrites();
    h.write('client-1', 'primary-1', 'append', 'fail');
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.writes).toBe(5);
  });

  it('ignores writes on backup', () => {
    const h = acceptedWrites();
    h.fault('kill', PRIMARIES);
    h.write('client-1', 'backup', 'append', 'fail', NO);
    h.write('client-2', 'backup', 'create', 'fail', BAD);
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.writes).toBe(4);
  });

  it('ignores unattempted writes', () => {
    const h = acceptedWrites();
    h.write('client-1', 'primary-1', 'expunge', 'fail', NO, undefined, { attempted: false });
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.writes).toBe(4);
  });

  it('ignores seed process', () => {
    const h = acceptedWrites();
    h.write('seed', 'primary-1', 'create', 'fail', NO);
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
  });

  it('counts unknown outcome apart', () => {
    const h = acceptedWrites();
    h.write('client-1', 'primary-1', 'append', 'info');
    h.write('client-2', 'primary-2', 'store', 'info');
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.unknownOutcome).toBe(2);
    expect(result.evidence.refused).toBe(0);
  });

  it('is unknown without primary writes', () => {
    const h = new HistoryBuilder();
    h.read('client-1', 'primary-1', 'fetch');
    h.write('client-1', 'backup', 'append', 'fail', NO);
    const result = check(h.build());

    expect(result.verdict).toBe('unknown');
    expect(result.evidence.writes).toBe(0);
  });
});
