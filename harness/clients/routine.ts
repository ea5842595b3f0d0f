/**
 * A client routine: what one real IMAP client does against a server, reads first and then each
 * write on its own, with every step judged by the state that an independent session re-reads.
 */
import { classify, type Classification, type CommandKind, type ReplySummary } from '../audit/classify.js';

/** The server and account a routine runs against. */
export interface ClientTarget {
  host: string;
  port: number;
  login: string;
  password: string;
  /** Folders to read, parents before children (for example INBOX, INBOX.Archive, INBOX.Archive.2024). */
  folders: readonly string[];
}

/** One operation of a routine and its judged outcome. */
export interface ClientStep {
  kind: CommandKind;
  /** Operation in the client's own terms (for example `SELECT`, `push new message`). */
  operation: string;
  folder?: string;
  outcome: Classification;
  /** The client's own error text, or the server's reply when the client reported success. */
  detail: string;
}

export interface ClientReport {
  client: string;
  /** Version of the client as it reports it (for example `isync 1.4.4`, `imapflow 1.7.8`). */
  version: string;
  account: string;
  steps: ClientStep[];
}

/**
 * A real IMAP client driven through a fixed routine.
 *
 * Contract: `run` resolves with one step per operation, also when the server refuses an
 * operation or a read fails. It rejects only when the routine cannot run at all, for example
 * when the client is not installed or the independent state reader cannot log in. It writes
 * only under `workDir` on the local disk, and sends traffic only to `target`.
 */
export interface ClientRoutine {
  readonly name: string;
  run(target: ClientTarget, workDir: string): Promise<ClientReport>;
}

/**
 * Judges one step. A read is judged by whether the client reported success. A write is judged
 * by the state re-read before and after it: any change means performed, and no change after a
 * reported success means the server ignored the write without saying so.
 */
export function judgeStep(kind: CommandKind, clientSucceeded: boolean, before: unknown, after: unknown): Classification {
  const reply: ReplySummary = { status: clientSucceeded ? 'OK' : 'NO', text: '' };
  return classify(kind, reply, before, after);
}
