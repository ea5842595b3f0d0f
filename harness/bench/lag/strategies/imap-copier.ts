/**
 * The IMAP copier of the `imap-copy` strategy, run in a worker thread so that its FETCH and
 * APPEND work does not delay the probe writer and the backup watcher in the bench's event loop.
 *
 * Messages to the parent (`CopierMessage`): `started` once every session is open, `pass` after
 * each poll that copied mail or failed, `stopped` once every loop has ended and every session is
 * closed after a `stop` request. Pass times are `performance.timeOrigin + performance.now()` in
 * this thread, because each thread's `performance.now()` counts from its own origin.
 */
import type { ImapFlow } from 'imapflow';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { Account } from '../../../workload/client.js';
import { closeQuietly, describeImapError, highestUid, openFolder } from '../imap.js';
import type { CopierLogin } from '../config.js';
import type { Endpoint } from '../probes.js';
import { sharedFolderPath } from './shared-folders.js';

export interface CopierSettings {
  /** Primary-1 as the copier reaches it, through the proxy that carries the WAN toxics. */
  source: Endpoint;
  backup: Endpoint;
  accounts: readonly Account[];
  folders: readonly string[];
  pollMs: number;
  /**
   * `admin`: every session logs in as `admin`, a Courier administrator, and opens the account's
   * folder as `#shared.LOGIN[.FOLDER]`. `per-account`: each account's sessions log in as that
   * account and open the folder by its own name.
   */
  login: CopierLogin;
  admin: Account;
}

/** A copy pass, with times in ms since the Unix epoch (see the file header). */
export interface CopierPass {
  account: string;
  folder: string;
  startAt: number;
  endAt: number;
  ok: boolean;
  files: number;
  bytes: number;
  error?: string;
}

export type CopierMessage = { type: 'started' } | { type: 'start-failed'; error: string } | { type: 'pass'; pass: CopierPass } | { type: 'stopped' };

export type CopierRequest = { type: 'stop' };

interface FolderCopier {
  account: Account;
  folder: string;
  /** The folder's name in both sessions: `folder`, or its `#shared.` name for the admin login. */
  path: string;
  source: ImapFlow;
  target: ImapFlow;
  lastUid: number;
}

if (!parentPort) throw new Error('imap-copier.ts must run in a worker thread; start it through imap-copier-worker.js');
const port = parentPort;
const settings = workerData as CopierSettings;
const epochNow = () => performance.timeOrigin + performance.now();
const send = (message: CopierMessage) => port.postMessage(message);
let stopped = false;

/** Copies one folder's new messages every `pollMs` until stopped or until a pass fails. */
async function run(copier: FolderCopier): Promise<void> {
  while (!stopped) {
    const startAt = epochNow();
    let files = 0;
    let bytes = 0;
    try {
      await copier.source.noop();
      const found: Array<{ uid: number; source: Buffer; flags: string[]; internalDate?: Date }> = [];
      for await (const message of copier.source.fetch(`${copier.lastUid + 1}:*`, { uid: true, flags: true, internalDate: true, source: true }, { uid: true })) {
        if (message.uid <= copier.lastUid || !message.source) continue;
        found.push({ uid: message.uid, source: message.source, flags: [...(message.flags ?? [])], internalDate: message.internalDate as Date | undefined });
      }
      // APPEND only after the FETCH completes: imapflow runs one command at a time per session.
      for (const message of found.sort((a, b) => a.uid - b.uid)) {
        await copier.target.append(copier.path, message.source, message.flags.filter((flag) => flag !== '\\Recent'), message.internalDate);
        copier.lastUid = message.uid;
        files += 1;
        bytes += message.source.length;
      }
      if (files > 0) send({ type: 'pass', pass: { account: copier.account.login, folder: copier.folder, startAt, endAt: epochNow(), ok: true, files, bytes } });
    } catch (error) {
      const message = `Copying ${copier.folder} of ${copier.account.login} from primary-1 to the backup failed: ${describeImapError(error)}`;
      send({ type: 'pass', pass: { account: copier.account.login, folder: copier.folder, startAt, endAt: epochNow(), ok: false, files, bytes, error: message } });
      return;
    }
    await sleep(settings.pollMs);
  }
}

/**
 * Opens both sessions per account and folder, and starts above the primary's highest UID:
 * the bench built both stores from one archive and drained the previous cell, so older mail
 * is there. When a session fails to open, the parent terminates the thread, which closes the rest.
 * With the admin login every session authenticates as the one administrator; each still selects
 * one folder, because a poll needs its folder selected.
 */
async function open(): Promise<FolderCopier[]> {
  const pairs = settings.accounts.flatMap((account) => settings.folders.map((folder) => ({ account, folder })));
  const asAdmin = settings.login === 'admin';
  return Promise.all(
    pairs.map(async ({ account, folder }) => {
      const identity = asAdmin ? settings.admin : account;
      const path = asAdmin ? sharedFolderPath(account.login, folder) : folder;
      const source = await openFolder(settings.source.host, settings.source.port, identity, path, true, asAdmin);
      const target = await openFolder(settings.backup.host, settings.backup.port, identity, path, false, asAdmin);
      return { account, folder, path, source, target, lastUid: await highestUid(source) };
    }),
  );
}

async function main(): Promise<void> {
  let copiers: FolderCopier[];
  try {
    copiers = await open();
  } catch (error) {
    send({ type: 'start-failed', error: (error as Error).message ?? String(error) });
    return;
  }
  const loops = copiers.map(run);
  port.on('message', async (request: CopierRequest) => {
    if (request.type !== 'stop' || stopped) return;
    stopped = true;
    await Promise.all(loops);
    await Promise.all(copiers.flatMap((copier) => [closeQuietly(copier.source), closeQuietly(copier.target)]));
    send({ type: 'stopped' });
    port.close();
  });
  send({ type: 'started' });
}

await main();
