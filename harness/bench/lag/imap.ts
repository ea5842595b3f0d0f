/** IMAP sessions of the bench: plain imapflow connections with errors that name the server and account. */
import { ImapFlow } from 'imapflow';
import type { Account } from '../../workload/client.js';

/**
 * Opens an IMAP session as `account` on `host:port`, with `folder` selected (EXAMINE when
 * `readOnly`). With `verbatimPaths`, folder names go to the server as given, e.g. a name in
 * Courier's `#shared.` namespace.
 */
export async function openFolder(host: string, port: number, account: Account, folder: string, readOnly = false, verbatimPaths = false): Promise<ImapFlow> {
  const imap = new ImapFlow({
    host,
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: account.login, pass: account.password },
    logger: false,
    disableAutoIdle: true,
    // The 1 Mbit/s profile can hold a large FETCH reply for many seconds.
    socketTimeout: 120_000,
  });
  // A socket error also rejects the pending command, which is where the bench reports it.
  imap.on('error', () => {});
  try {
    await imap.connect();
    if (verbatimPaths) sendPathsVerbatim(imap);
    await imap.mailboxOpen(folder, { readOnly });
  } catch (error) {
    imap.close();
    throw new Error(`Opening ${folder} of ${account.login} on ${host}:${port} failed: ${describeImapError(error)}`, { cause: error });
  }
  return imap;
}

/**
 * Makes imapflow send folder names unchanged. imapflow 1.7.8 prefixes every name that does not
 * start with the personal namespace's prefix (Courier's `INBOX.`) with that prefix, in SELECT,
 * APPEND and STATUS alike, so `#shared.user1` would go out as `INBOX.#shared.user1`. It has no
 * option for other namespaces, so this empties the session's personal prefix.
 * NOTE: `namespace` is imapflow's internal state, not in its type declarations; an imapflow
 * upgrade may need this revisited.
 */
function sendPathsVerbatim(imap: ImapFlow): void {
  const state = imap as unknown as { namespace?: { prefix: string; delimiter: string | null } };
  if (!state.namespace) throw new Error('imapflow set no namespace after login; sendPathsVerbatim needs revisiting for this imapflow version');
  state.namespace = { ...state.namespace, prefix: '' };
}

/** Closes a session politely, or drops it when LOGOUT fails. */
export async function closeQuietly(imap: ImapFlow): Promise<void> {
  await imap.logout().catch(() => imap.close());
}

/** Returns the server's reply text when imapflow has one, otherwise the error message. */
export function describeImapError(error: unknown): string {
  const imapError = error as { responseText?: string; responseStatus?: string; message?: string };
  if (imapError.responseText) return `${imapError.responseStatus ?? 'NO'} ${imapError.responseText}`;
  return imapError.message ?? String(error);
}

/** Returns the highest UID of the selected folder so far: UIDNEXT - 1 from SELECT, or from STATUS when SELECT gave none. */
export async function highestUid(imap: ImapFlow): Promise<number> {
  if (!imap.mailbox) throw new Error('no folder is selected');
  const fromSelect = Number(imap.mailbox.uidNext);
  if (Number.isFinite(fromSelect)) return fromSelect - 1;
  const status = await imap.status(imap.mailbox.path, { uidNext: true });
  const uidNext = Number(status.uidNext);
  if (!Number.isFinite(uidNext)) throw new Error(`the server reported no UIDNEXT for ${imap.mailbox.path}`);
  return uidNext - 1;
}
