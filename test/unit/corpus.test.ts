/** Corpus mail the workload appends: only messages that survive a round trip through the server unchanged. */
import { describe, expect, it } from 'vitest';
import { composeMessage, contentHash, isAppendable } from '../../harness/workload/corpus.js';
import { SeededRandom } from '../../harness/workload/random.js';

describe('isAppendable', () => {
  it('accepts a message with a header and a body', () => {
    expect(isAppendable('Subject: a\n\nbody\n')).toBe(true);
  });

  it('rejects a bare CR, which the server would change', () => {
    expect(isAppendable('Subject: a\n\nline one\rline two\n')).toBe(false);
  });

  it('rejects a message without a body separator', () => {
    expect(isAppendable('Subject: a\n')).toBe(false);
  });
});

describe('composeMessage', () => {
  it('builds CRLF messages without a bare CR', () => {
    const random = new SeededRandom(7, 'corpus-test');
    for (let i = 0; i < 300; i += 1) {
      const message = composeMessage(random, `<test.${i}@mailha.test>`);
      const text = message.raw.toString('latin1');
      expect(/\r(?!\n)/.test(text), message.source).toBe(false);
      expect(message.hash).toBe(contentHash(text.replace(/\r\n/g, '\n')));
    }
  });
});
