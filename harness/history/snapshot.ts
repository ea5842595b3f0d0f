/** What an observer saw of one server's mailboxes at one instant, as the checkers read it. */

export interface MessageObservation {
  uid: number;
  /** Message-ID header, angle brackets included; null when the message has none. */
  messageId: string | null;
  /** sha256 of the message with CRLF normalised to LF (see `contentHash`). */
  hash: string;
  flags: string[];
}

export interface FolderObservation {
  uidValidity: number;
  uidNext: number;
  messages: MessageObservation[];
}

export interface MailboxSnapshot {
  label: string;
  /** Same clock as the history. */
  time: number;
  node: string;
  address: string;
  /** account → folder path → folder state. */
  accounts: Record<string, Record<string, FolderObservation>>;
  /** Set when the observer could not read everything; the snapshot is then partial. */
  errors: string[];
}
