/** The imapflow logger that keeps the server's tagged replies. */
import { describe, expect, test } from 'vitest';
import { ReplyRecorder } from '../../../harness/clients/imapflow.js';

describe('ReplyRecorder', () => {
  test('keeps tagged replies in order', () => {
    const recorder = new ReplyRecorder();
    recorder.debug({ src: 's', msg: '22 NO Access denied for COPY on INBOX.Sent (ACL "i" required)' });
    recorder.debug({ src: 's', msg: '23 OK STORE completed.' });
    expect(recorder.replies).toEqual(['22 NO Access denied for COPY on INBOX.Sent (ACL "i" required)', '23 OK STORE completed.']);
  });

  test('skips untagged, continuation and client lines', () => {
    const recorder = new ReplyRecorder();
    recorder.debug({ src: 's', msg: '* OK [PERMANENTFLAGS (\\* \\Seen)] Limited' });
    recorder.debug({ src: 's', msg: '+ OK' });
    recorder.debug({ src: 'c', msg: '20 APPEND INBOX {120}' });
    expect(recorder.replies).toEqual([]);
  });

  test('clear empties the list', () => {
    const recorder = new ReplyRecorder();
    recorder.debug({ src: 's', msg: '9 OK [READ-ONLY] Ok' });
    recorder.clear();
    expect(recorder.replies).toEqual([]);
  });
});
