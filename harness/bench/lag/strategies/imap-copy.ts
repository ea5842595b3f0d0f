/**
 * IMAP-level replication: a copier on the backup's side reads every account's folders on the
 * primary, as one IMAP server's client of another, and appends every new message to the same
 * folder on the backup with its flags and INTERNALDATE.
 *
 * Debian bookworm has no imapsync package, so the copier is imapflow run by the bench. It
 * copies each folder incrementally by UID: each poll fetches the primary's messages above the
 * highest UID copied.
 *
 * Authentication (`Timing.imapCopyLogin`): with `admin`, the default, every session logs in as
 * the bed's one Courier administrator. The courier image's start script gives the accounts in
 * /etc/mailha/admin-accounts the authlib option `group=administrators` and writes Courier's
 * shared index. The copier then opens `#shared.LOGIN` for an account's INBOX and
 * `#shared.LOGIN.FOLDER` for its other folders, on the primary and on the backup alike.
 * Courier-IMAP 5.0.13 gives an
 * administrator every ACL right on every folder, past the backup's read-only `owner alr` ACLs,
 * so its password reads and changes all mail on both sites: the operator trades that for not
 * keeping every account's password at the backup site. With `per-account`, each account's
 * sessions log in with the account's own password. Courier has no master login as another user.
 *
 * What it does to UIDs and flags (read on both sides by the bed test `imap-copy admin login
 * copies probes`): APPEND lets the backup assign UIDs of its own, in copy order under its own
 * UIDVALIDITY, so a client that fails over reads other UIDs for the same mail unless both folders
 * happened to start identical. Flags other than `\Recent` and INTERNALDATE are copied once, at
 * APPEND; later flag changes and expunges on the primary are not replicated.
 */
import { Worker } from 'node:worker_threads';
import { clientProxyName } from '../../../bed/links/links.js';
import { BENCH_FOLDERS } from '../config.js';
import type { CopierMessage, CopierPass, CopierRequest, CopierSettings } from './imap-copier.js';
import type { ReplicationStrategy, StrategyContext, SyncPass } from './strategy.js';

/** The bed's proxy from its first client to primary-1; the copier's reads cross the WAN through it. */
const COPIER_CLIENT = 'client-1';

/**
 * Runs the copier (`imap-copier.ts`) in a worker thread: in the bench's event loop, its FETCH and
 * APPEND work at 100 messages a second delayed the probe writer and lengthened the backup
 * watcher's polls. The worker reports each pass by message.
 */
export class ImapCopyStrategy implements ReplicationStrategy {
  readonly name = 'imap-copy' as const;
  readonly proxy = clientProxyName(COPIER_CLIENT, 'primary-1');
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly done: SyncPass[] = [];

  constructor(private readonly context: StrategyContext) {}

  /** Starts the worker and resolves once it has opened every session; see `imap-copier.ts`. */
  async start(): Promise<void> {
    const { bed } = this.context;
    const route = bed.route(COPIER_CLIENT, 'primary-1');
    const settings: CopierSettings = {
      source: { host: route.host, port: route.port },
      backup: { host: bed.address('backup'), port: 143 },
      accounts: this.context.accounts,
      folders: BENCH_FOLDERS,
      pollMs: this.context.timing.imapCopyPollMs,
      login: this.context.timing.imapCopyLogin,
      admin: this.context.admin,
    };
    const worker = new Worker(new URL('./imap-copier-worker.js', import.meta.url), { workerData: settings });
    this.worker = worker;
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: CopierMessage) => {
      if (message.type === 'pass') this.record(message.pass);
    });
    worker.on('error', (error) => this.context.log.warn({ strategy: this.name, err: error }, "The IMAP copier's worker thread failed"));
    try {
      await new Promise<void>((resolve, reject) => {
        worker.on('message', (message: CopierMessage) => {
          if (message.type === 'started') resolve();
          if (message.type === 'start-failed') reject(new Error(message.error));
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`The IMAP copier's worker thread exited with code ${code} before it started`)));
      });
    } catch (error) {
      await worker.terminate();
      this.worker = undefined;
      throw error;
    }
  }

  /** Asks the worker to end its loops and close its sessions, and resolves once the thread has exited. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    worker.postMessage({ type: 'stop' } satisfies CopierRequest);
    await this.exited;
  }

  passes(): SyncPass[] {
    return [...this.done];
  }

  /** Stores a pass on the bench clock, converting from the worker's epoch times. */
  private record(pass: CopierPass): void {
    const offset = this.context.now() - (performance.timeOrigin + performance.now());
    const stats = { files: pass.files, bytes: pass.bytes };
    if (pass.ok) {
      this.done.push({ startAt: pass.startAt + offset, endAt: pass.endAt + offset, ok: true, stats });
      return;
    }
    this.done.push({ startAt: pass.startAt + offset, endAt: pass.endAt + offset, ok: false, stats, error: pass.error });
    this.context.log.warn({ strategy: this.name, account: pass.account, folder: pass.folder, error: pass.error }, 'Copy failed');
  }
}
