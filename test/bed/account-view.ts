/** What a client sees of an account over IMAP, and comparisons of two such views by Message-ID. */
import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import type { Account } from '../../harness/workload/client.js';

export interface MessageView {
  uid: number;
  messageId: string;
  internalDate: string;
  hash: string;
}

export interface MailboxView {
  uidValidity: number;
  uidNext: number;
  messages: MessageView[];
}

/** Map from folder name to what a client sees in it after SELECT and FETCH. */
export type AccountView = Map<string, MailboxView>;

/** Opens one session to `host` port 143, runs `body` and logs out, also when `body` throws. */
export async function withImap<T>(host: string, account: Account, body: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host,
    port: 143,
    secure: false,
    doSTARTTLS: false,
    auth: { user: account.login, pass: account.password },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** SELECTs every folder of the account and FETCHes every message, as a client would. */
export async function readAccount(host: string, account: Account): Promise<AccountView> {
  return withImap(host, account, async (client) => {
    const view: AccountView = new Map();
    const folders = (await client.list()).map((entry) => entry.path).sort();
    for (const folder of folders) {
      const mailbox = await client.mailboxOpen(folder);
      const messages: MessageView[] = [];
      if (mailbox.exists > 0) {
        for await (const message of client.fetch('1:*', { uid: true, envelope: true, internalDate: true, source: true })) {
          messages.push({
            uid: message.uid,
            messageId: message.envelope?.messageId ?? '',
            internalDate: new Date(message.internalDate!).toISOString(),
            hash: createHash('sha256').update(message.source!).digest('hex'),
          });
        }
      }
      messages.sort((a, b) => a.uid - b.uid);
      view.set(folder, { uidValidity: Number(mailbox.uidValidity), uidNext: mailbox.uidNext, messages });
      await client.mailboxClose();
    }
    return view;
  });
}

/** Lists each problem that makes the backup's UIDs disagree with the primary's. */
export function uidDisagreements(primary: AccountView, backup: AccountView): string[] {
  const problems: string[] = [];
  for (const [folder, expected] of primary) {
    const actual = backup.get(folder);
    if (!actual) {
      problems.push(`${folder}: missing on the backup`);
      continue;
    }
    if (actual.uidValidity !== expected.uidValidity) problems.push(`${folder}: UIDVALIDITY ${actual.uidValidity} on the backup, ${expected.uidValidity} on the primary`);
    const expectedMap = new Map(expected.messages.map((m) => [m.uid, m.messageId]));
    const actualMap = new Map(actual.messages.map((m) => [m.uid, m.messageId]));
    for (const uid of new Set([...expectedMap.keys(), ...actualMap.keys()])) {
      if (expectedMap.get(uid) !== actualMap.get(uid)) {
        problems.push(`${folder} UID ${uid}: ${actualMap.get(uid) ?? 'none'} on the backup, ${expectedMap.get(uid) ?? 'none'} on the primary`);
      }
    }
  }
  return problems;
}

/**
 * Lists each (UIDVALIDITY, UID) shown in `before` that names another Message-ID in `after`.
 * A UID that vanished (its message was expunged) is not a change of meaning.
 */
export function uidMeaningChanges(before: AccountView, after: AccountView): string[] {
  const problems: string[] = [];
  for (const [folder, earlier] of before) {
    const later = after.get(folder);
    if (!later || later.uidValidity !== earlier.uidValidity) continue;
    const laterMap = new Map(later.messages.map((m) => [m.uid, m.messageId]));
    for (const message of earlier.messages) {
      const now = laterMap.get(message.uid);
      if (now !== undefined && now !== message.messageId) problems.push(`${folder} (${earlier.uidValidity}, ${message.uid}): ${message.messageId} before, ${now} after`);
    }
  }
  return problems;
}

/** Lists Message-IDs and content hashes that occur more than once in the account. */
export function duplicates(view: AccountView): string[] {
  const counts = new Map<string, number>();
  for (const [folder, mailbox] of view) {
    for (const message of mailbox.messages) {
      for (const key of [`${folder} Message-ID ${message.messageId}`, `${folder} sha256 ${message.hash}`]) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].filter(([, count]) => count > 1).map(([key, count]) => `${key} appears ${count} times`);
}

/** Returns the UIDs under which the message with `messageId` appears, per folder. */
export function uidsOf(view: AccountView, messageId: string): string[] {
  const found: string[] = [];
  for (const [folder, mailbox] of view) {
    for (const message of mailbox.messages) if (message.messageId === messageId) found.push(`${folder} UID ${message.uid}`);
  }
  return found;
}

/** Lists each message whose INTERNALDATE on the backup differs from the primary's, by Message-ID. */
export function internalDateDifferences(primary: AccountView, backup: AccountView): string[] {
  const problems: string[] = [];
  for (const [folder, expected] of primary) {
    const actual = new Map((backup.get(folder)?.messages ?? []).map((m) => [m.messageId, m.internalDate]));
    for (const message of expected.messages) {
      const date = actual.get(message.messageId);
      if (date !== message.internalDate) problems.push(`${folder} ${message.messageId}: ${date ?? 'missing'} on the backup, ${message.internalDate} on the primary`);
    }
  }
  return problems;
}
