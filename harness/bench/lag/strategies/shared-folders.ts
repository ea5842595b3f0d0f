/**
 * Names of other accounts' folders in Courier-IMAP's virtual shared namespace, as Courier lists them to an
 * administrator (authlib group `administrators`) once the account is in Courier's shared index.
 * Measured on Debian bookworm's courier-imap 5.0.13: NAMESPACE returns `(("#shared." "."))` among
 * the shared namespaces, an account's INBOX is `#shared.LOGIN` and its folder `INBOX.Probes` is
 * `#shared.LOGIN.Probes`.
 */

/** Prefix of Courier's virtual shared namespace, with its hierarchy separator. */
export const SHARED_NAMESPACE = '#shared.';

const PERSONAL_PREFIX = 'INBOX.';

/**
 * Returns the shared-namespace name of `folder` (`INBOX` or `INBOX.NAME`, Courier's personal
 * names) of account `login`. Throws for a login with a `.` in it, because the separator would
 * split it into two hierarchy levels, and for a folder outside the personal namespace.
 */
export function sharedFolderPath(login: string, folder: string): string {
  if (login === '' || login.includes('.')) {
    throw new Error(`Login ${JSON.stringify(login)} cannot name a folder in Courier's shared namespace: it must be non-empty and contain no "." (the hierarchy separator)`);
  }
  if (folder.toUpperCase() === 'INBOX') return `${SHARED_NAMESPACE}${login}`;
  if (folder.startsWith(PERSONAL_PREFIX) && folder.length > PERSONAL_PREFIX.length) {
    return `${SHARED_NAMESPACE}${login}.${folder.slice(PERSONAL_PREFIX.length)}`;
  }
  throw new Error(`Folder ${JSON.stringify(folder)} of ${login} is not INBOX or INBOX.NAME, so it has no name in Courier's shared namespace`);
}
