/** Reads a server's mailboxes over IMAP (EXAMINE, never SELECT) into a snapshot for the checkers. */
import { ImapFlow } from 'imapflow';
import type { MailboxSnapshot, FolderObservation } from '../history/snapshot.js';
import type { Account } from './client.js';
import { contentHash } from './corpus.js';

export interface ObserveOptions {
  label: string;
  node: string;
  address: string;
  accounts: readonly Account[];
  /** Clock of the history, so the snapshot's time lines up with the operations. */
  now: () => number;
}

/** Observes every folder of every account; failures are recorded in `errors`, never thrown. */
export async function observeMailboxes(options: ObserveOptions): Promise<MailboxSnapshot> {
  const snapshot: MailboxSnapshot = {
    label: options.label,
    time: options.now(),
    node: options.node,
    address: options.address,
    accounts: {},
    errors: [],
  };
  for (const account of options.accounts) {
    try {
      snapshot.accounts[account.login] = await observeAccount(options.address, account);
    } catch (error) {
      const { responseText, message } = error as { responseText?: string; message?: string };
      snapshot.errors.push(`${account.login} on ${options.address}: ${responseText ?? message}`);
    }
  }
  return snapshot;
}

async function observeAccount(address: string, account: Account): Promise<Record<string, FolderObservation>> {
  const imap = new ImapFlow({
    host: address,
    port: 143,
    secure: false,
    doSTARTTLS: false,
    auth: { user: account.login, pass: account.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 30_000,
  });
  imap.on('error', () => {});
  await imap.connect();
  const folders: Record<string, FolderObservation> = {};
  try {
    for (const mailbox of await imap.list()) {
      if (mailbox.flags.has('\\Noselect')) continue;
      const opened = await imap.mailboxOpen(mailbox.path, { readOnly: true });
      const messages: FolderObservation['messages'] = [];
      if (opened.exists > 0) {
        for await (const message of imap.fetch('1:*', { uid: true, flags: true, envelope: true, source: true })) {
          messages.push({
            uid: message.uid,
            messageId: message.envelope?.messageId ?? null,
            hash: message.source ? contentHash(message.source) : '',
            flags: [...(message.flags ?? [])].sort(),
          });
        }
      }
      folders[mailbox.path] = { uidValidity: Number(opened.uidValidity), uidNext: opened.uidNext, messages };
    }
  } finally {
    await imap.logout().catch(() => imap.close());
  }
  return folders;
}
