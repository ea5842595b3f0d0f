/**
 * Captures the tagged server reply of the last IMAP command from imapflow's debug log.
 * imapflow resolves some commands with `false` instead of throwing (STORE, EXPUNGE, SEARCH), and
 * never exposes the text of an OK, so the history reads the reply off the wire log instead.
 */
import type { ImapReply } from '../history/types.js';

const TAGGED = /^(?<tag>[A-Za-z0-9.]+) (?<status>OK|NO|BAD)(?: \[(?<code>[^\]]*)\])? ?(?<text>.*)$/s;
const BYE = /^\* BYE(?: \[(?<code>[^\]]*)\])? ?(?<text>.*)$/s;

interface LogRecord {
  src?: string;
  msg?: unknown;
}

/** A pino-shaped logger for imapflow that keeps only the last tagged reply. */
export class ReplyCapture {
  last: ImapReply | undefined;

  reset(): void {
    this.last = undefined;
  }

  readonly logger = {
    debug: (record: LogRecord) => this.observe(record),
    trace: (record: LogRecord) => this.observe(record),
    info: () => {},
    warn: () => {},
    error: () => {},
  };

  private observe(record: LogRecord): void {
    if (record?.src !== 's' || typeof record.msg !== 'string') return;
    const bye = BYE.exec(record.msg);
    if (bye?.groups) {
      this.last = { status: 'BYE', code: bye.groups.code, text: bye.groups.text.trim() };
      return;
    }
    const tagged = TAGGED.exec(record.msg);
    if (tagged?.groups) {
      const status = tagged.groups.status as ImapReply['status'];
      this.last = { status, ...(tagged.groups.code ? { code: tagged.groups.code } : {}), text: tagged.groups.text.trim() };
    }
  }
}
