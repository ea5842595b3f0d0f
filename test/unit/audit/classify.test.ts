/** Classification of audited commands from their reply and the state re-read around them. */
import { describe, expect, test } from 'vitest';
import { classify, isFinding, isViolation, judge } from '../../../harness/audit/classify.js';

const OK = { status: 'OK' as const, text: 'STORE completed.' };
const NO = { status: 'NO' as const, text: 'Access denied for APPEND on INBOX (ACL "i" required)' };
const BYE = { status: 'BYE' as const, code: 'ALERT', text: 'Fatal error: Read-only file system' };

const unseen = { exists: 3, uidNext: 4, flags: { '1': [], '2': [], '3': [] } };
const seen = { exists: 3, uidNext: 4, flags: { '1': ['\\Seen'], '2': [], '3': [] } };
const appended = { exists: 4, uidNext: 5, flags: { '1': [], '2': [], '3': [], '4': [] } };

describe('classify', () => {
  test('read with OK is read-ok', () => {
    expect(classify('read', OK, undefined, undefined)).toBe('read-ok');
  });

  test('read with NO is read-failed', () => {
    expect(classify('read', NO, undefined, undefined)).toBe('read-failed');
  });

  test('read ending the session is read-failed', () => {
    expect(classify('read', BYE, undefined, undefined)).toBe('read-failed');
  });

  test('write with NO and no change is refused', () => {
    expect(classify('write', NO, unseen, structuredClone(unseen))).toBe('write-refused');
  });

  test('write with OK and no change is silently ignored', () => {
    expect(classify('write', OK, unseen, structuredClone(unseen))).toBe('write-silently-ignored');
  });

  test('write with OK and a flag change is performed', () => {
    expect(classify('write', OK, unseen, seen)).toBe('write-performed');
  });

  test('write with NO that still changed state is performed', () => {
    expect(classify('write', NO, unseen, appended)).toBe('write-performed');
  });

  test('write ending the session with no change is refused', () => {
    expect(classify('write', BYE, ['* LSUB () "." "INBOX"'], ['* LSUB () "." "INBOX"'])).toBe('write-refused');
  });

  test('list lines differing only in a flag count as a change', () => {
    const before = ['* LIST (\\HasChildren) "." "INBOX.Archive"'];
    const after = ['* LIST (\\Noselect \\HasChildren) "." "INBOX.Archive"'];
    expect(classify('write', OK, before, after)).toBe('write-performed');
  });
});

describe('judge', () => {
  test('violations and findings are counted', () => {
    expect(isViolation('write-performed')).toBe(true);
    expect(isViolation('read-failed')).toBe(true);
    expect(isViolation('write-silently-ignored')).toBe(false);
    expect(isFinding('write-silently-ignored')).toBe(true);
    expect(isFinding('write-refused')).toBe(false);
  });

  test('only refusals and reads are valid', () => {
    expect(judge(['read-ok', 'write-refused', 'write-silently-ignored'])).toEqual({ verdict: 'valid', violations: 0, findings: 1 });
  });

  test('one performed write is invalid', () => {
    expect(judge(['read-ok', 'write-performed', 'write-silently-ignored'])).toEqual({ verdict: 'invalid', violations: 1, findings: 1 });
  });

  test('one failed read is invalid', () => {
    expect(judge(['read-failed'])).toEqual({ verdict: 'invalid', violations: 1, findings: 0 });
  });
});
