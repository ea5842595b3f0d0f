/** Reading mbsync's error lines and version; the fixture is output of isync 1.4.4 against Courier 5.0.13. */
import { describe, expect, test } from 'vitest';
import { describeRun, parseMbsyncOutput, parseMbsyncVersion } from '../../../harness/clients/mbsync-output.js';

const REFUSED_APPEND = [
  '*** IMAP Warning *** Password is being sent in the clear',
  'Maildir notice: sleeping due to recent directory modification.',
  'IMAP command \'APPEND "INBOX" \' returned an error: NO Access denied for APPEND on INBOX (ACL "i" required)',
  'Warning: far side refuses to store message 4 from near side.',
].join('\n');

describe('parseMbsyncOutput', () => {
  test('refused APPEND is an error line', () => {
    const output = parseMbsyncOutput(REFUSED_APPEND);
    expect(output.errors).toEqual(['IMAP command \'APPEND "INBOX" \' returned an error: NO Access denied for APPEND on INBOX (ACL "i" required)']);
  });

  test('warnings are kept apart', () => {
    expect(parseMbsyncOutput(REFUSED_APPEND).warnings).toEqual(['*** IMAP Warning *** Password is being sent in the clear', 'Warning: far side refuses to store message 4 from near side.']);
  });

  test('notices are neither', () => {
    expect(parseMbsyncOutput('Maildir notice: no UIDVALIDITY, creating new.')).toEqual({ errors: [], warnings: [] });
  });

  test('Error: prefix and CRLF lines', () => {
    const output = parseMbsyncOutput('*** IMAP Warning *** Password is being sent in the clear\r\nError: channel backup: near side box mailha-imapflow cannot be opened.\r\n');
    expect(output.errors).toEqual(['Error: channel backup: near side box mailha-imapflow cannot be opened.']);
  });
});

describe('parseMbsyncVersion', () => {
  test('reads the isync line', () => {
    expect(parseMbsyncVersion('isync 1.4.4\n')).toBe('isync 1.4.4');
  });

  test('rejects other output', () => {
    expect(() => parseMbsyncVersion('mbsync: unknown option')).toThrow(/no "isync X.Y.Z" line/);
  });
});

describe('describeRun', () => {
  test('quotes the error lines with the exit code', () => {
    expect(describeRun(0, parseMbsyncOutput(REFUSED_APPEND))).toBe('exit code 0: IMAP command \'APPEND "INBOX" \' returned an error: NO Access denied for APPEND on INBOX (ACL "i" required)');
  });

  test('names the exit code without error lines', () => {
    expect(describeRun(0, { errors: [], warnings: ['w'] })).toBe('exit code 0, no error line');
  });
});
