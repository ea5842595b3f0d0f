/** The mbsync configuration of the routine: one IMAP far store, one Maildir near store, one channel. */
import { join } from 'node:path';
import type { ClientTarget } from './routine.js';

export const CHANNEL = 'backup';
/** Courier's personal namespace prefix; mbsync's box names are the folder names below it. */
const NAMESPACE_PREFIX = 'INBOX.';

/**
 * Maps a Courier folder to mbsync's box name: `INBOX` stays, `INBOX.Archive.2024` becomes
 * `Archive/2024` because the far store's Path is the `INBOX.` prefix. Throws for a folder
 * outside that namespace, which the channel could not reach.
 */
export function boxName(folder: string): string {
  if (folder === 'INBOX') return 'INBOX';
  if (!folder.startsWith(NAMESPACE_PREFIX)) throw new Error(`folder "${folder}" is outside the ${NAMESPACE_PREFIX} namespace, so the mbsync channel cannot reach it`);
  return folder.slice(NAMESPACE_PREFIX.length).split('.').join('/');
}

/** Maildir directory of a box under `root`, as the near store with `SubFolders Verbatim` lays it out. */
export function maildirOf(root: string, box: string): string {
  return join(root, 'mail', ...box.split('/'));
}

function quoted(value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * Renders the configuration for isync 1.4, which names the plain-text setting `SSLType None`
 * (isync 1.5 renamed it to `TLSType`). Sync, Create and Expunge stay at their defaults here
 * and are set per run on the command line. The near store and sync state live under `root`.
 */
export function renderMbsyncConfig(target: ClientTarget, root: string): string {
  return [
    `IMAPAccount ${CHANNEL}`,
    `Host ${target.host}`,
    `Port ${target.port}`,
    `User ${quoted(target.login)}`,
    `Pass ${quoted(target.password)}`,
    'SSLType None',
    'AuthMechs LOGIN',
    'Timeout 30',
    '',
    `IMAPStore ${CHANNEL}-far`,
    `Account ${CHANNEL}`,
    `Path ${NAMESPACE_PREFIX}`,
    '',
    `MaildirStore ${CHANNEL}-near`,
    `Path ${quoted(`${join(root, 'mail')}/`)}`,
    `Inbox ${quoted(join(root, 'mail', 'INBOX'))}`,
    'SubFolders Verbatim',
    '',
    `Channel ${CHANNEL}`,
    `Far :${CHANNEL}-far:`,
    `Near :${CHANNEL}-near:`,
    'Patterns *',
    `SyncState ${quoted(`${join(root, 'state')}/`)}`,
    '',
  ].join('\n');
}
