/** Parsing of the untagged lines the audit's state reader compares. */
import { describe, expect, test } from 'vitest';
import { parseFetchFlags, parseListName, quote } from '../../../harness/audit/state.js';

describe('parseListName', () => {
  test('quoted name', () => {
    expect(parseListName('* LIST (\\HasNoChildren) "." "INBOX.Sent"')).toBe('INBOX.Sent');
  });

  test('atom name and LSUB', () => {
    expect(parseListName('* LSUB (\\Noselect) "." INBOX.Archive')).toBe('INBOX.Archive');
  });

  test('escaped quote in name', () => {
    expect(parseListName('* LIST () "." "INBOX.a\\"b"')).toBe('INBOX.a"b');
  });

  test('other lines are ignored', () => {
    expect(parseListName('* 3 EXISTS')).toBeUndefined();
  });
});

describe('parseFetchFlags', () => {
  test('flags by UID in either order, sorted', () => {
    const flags = parseFetchFlags([
      '* 1 FETCH (UID 7 FLAGS (\\Seen \\Flagged))',
      '* 2 FETCH (FLAGS () UID 9)',
      '* OK [UIDNEXT 10] ignored',
    ]);
    expect(flags).toEqual({ '7': ['\\Flagged', '\\Seen'], '9': [] });
  });
});

describe('quote', () => {
  test('escapes backslash and quote', () => {
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});
