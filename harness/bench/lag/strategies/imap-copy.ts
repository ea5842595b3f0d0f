/**
 * IMAP-level replication: a copier on the backup's side logs in to the primary as each account,
 * as one IMAP server's client of another, and appends every new message to the same account
 * on the backup with its flags and INTERNALDATE.
 *
 * Debian bookworm has no imapsync package, so the copier is imapflow run by the bench. It
 * copies each folder incrementally by UID: each poll fetches the primary's messages above the
 * highest UID copied. The copier authenticates with each account's own password, which the
 * operator would have to hold for every account.
 * NOTE: Courier has no master login as another user, but courier-authlib's `administrators`
 * group reaches every account's folders through the shared namespace; the copier does not use it.
 *
 * What it does to UIDs and flags: APPEND lets the backup assign UIDs of its own under its own
 * UIDVALIDITY, so a client that fails over sees other UIDs for the same mail. Flags are copied
 * once, at APPEND; later flag changes and expunges on the primary are not replicated.
 */
import type { ImapFlow } from 'imapflow';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientProxyName } from '../../../bed/links/links.js';
import type { Account } from '../../../workload/client.js';
import { BENCH_FOLDERS } from '../config.js';
import { closeQuietly, describeImapError, highestUid, openFolder } from '../imap.js';
import type { ReplicationStrategy, StrategyContext, SyncPass } from './strategy.js';

// NOTE: the copier shares the bench process's event loop with the probe writer and the backup
// watcher. At 100 messages a second its FETCH and APPEND work delays both, which shows as a lower
// achieved rate and a longer poll (`pollMs`) in that cell. A worker thread would separate them.

/** The bed's proxy from its first client to primary-1; the copier's reads cross the WAN through it. */
const COPIER_CLIENT = 'client-1';

interface FolderCopier {
  account: Account;
  folder: string;
  source: ImapFlow;
  target: ImapFlow;
  lastUid: number;
}

export class ImapCopyStrategy implements ReplicationStrategy {
  readonly name = 'imap-copy' as const;
  readonly proxy = clientProxyName(COPIER_CLIENT, 'primary-1');
  private copiers: FolderCopier[] = [];
  private loops: Promise<void>[] = [];
  private stopped = false;
  private readonly done: SyncPass[] = [];

  constructor(private readonly context: StrategyContext) {}

  /**
   * Opens both sessions per account and folder, and starts above the primary's highest UID:
   * the bench built both stores from one archive and drained the previous cell, so older mail
   * is there.
   */
  async start(): Promise<void> {
    const { bed } = this.context;
    const route = bed.route(COPIER_CLIENT, 'primary-1');
    const backup = bed.address('backup');
    this.stopped = false;
    const pairs = this.context.accounts.flatMap((account) => BENCH_FOLDERS.map((folder) => ({ account, folder })));
    this.copiers = await Promise.all(
      pairs.map(async ({ account, folder }) => {
        const source = await openFolder(route.host, route.port, account, folder, true);
        const target = await openFolder(backup, 143, account, folder);
        return { account, folder, source, target, lastUid: await highestUid(source) };
      }),
    );
    this.loops = this.copiers.map((copier) => this.run(copier));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    await Promise.all(this.copiers.flatMap((copier) => [closeQuietly(copier.source), closeQuietly(copier.target)]));
    this.copiers = [];
  }

  passes(): SyncPass[] {
    return [...this.done];
  }

  private async run(copier: FolderCopier): Promise<void> {
    while (!this.stopped) {
      const startAt = this.context.now();
      let copied = 0;
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
          await copier.target.append(copier.folder, message.source, message.flags.filter((flag) => flag !== '\\Recent'), message.internalDate);
          copier.lastUid = message.uid;
          copied += 1;
          bytes += message.source.length;
        }
        if (copied > 0) this.done.push({ startAt, endAt: this.context.now(), ok: true, stats: { files: copied, bytes } });
      } catch (error) {
        const message = `Copying ${copier.folder} of ${copier.account.login} from primary-1 to the backup failed: ${describeImapError(error)}`;
        this.done.push({ startAt, endAt: this.context.now(), ok: false, stats: { files: copied, bytes }, error: message });
        this.context.log.warn({ strategy: this.name, account: copier.account.login, folder: copier.folder, error: message }, 'Copy failed');
        return;
      }
      await sleep(this.context.timing.imapCopyPollMs);
    }
  }
}
