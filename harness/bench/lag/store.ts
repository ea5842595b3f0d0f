/**
 * Builds a large Maildir store without IMAP: corpus messages written straight into a tar archive
 * with a `courierimapuiddb` per folder, so Courier serves them with the UIDs listed there. One
 * archive goes into the primaries' store and the backup's live and staging trees, so every
 * strategy starts with both sites identical and the sync that follows sends only new mail.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { pack as tarPack } from 'tar-stream';
import type { NodeShell } from '../../bed/bed.js';
import type { Account } from '../../workload/client.js';
import { composeMessage } from '../../workload/corpus.js';
import { SeededRandom } from '../../workload/random.js';
import { PROBE_FOLDER } from './config.js';

const VMAIL_ID = 5000;
/** Modification time of every stored message (Courier reports it as INTERNALDATE). */
const STORE_MTIME = new Date('2026-01-01T00:00:00Z');
/** Share of stored messages flagged \Seen, as in a mailbox its owner reads. */
const SEEN_PERCENT = 70;

export interface StoreSummary {
  messages: number;
  bytes: number;
  archiveBytes: number;
  /** Time to write the archive on the host, and to copy it into the nodes, in ms. */
  buildMs: number;
  copyMs: number;
}

/**
 * Writes `total` messages spread evenly over the INBOX of `accounts` into a tar archive at
 * `file`, and an empty probe folder per account. Messages use LF line endings, as Courier
 * stores them.
 */
export async function writeStoreArchive(file: string, accounts: readonly Account[], total: number, seed: number): Promise<{ messages: number; bytes: number }> {
  const random = new SeededRandom(seed, 'store');
  const archive = tarPack();
  const output = createWriteStream(file);
  archive.pipe(output);
  const base = { uid: VMAIL_ID, gid: VMAIL_ID, mtime: STORE_MTIME };
  const mtimeSeconds = Math.floor(STORE_MTIME.getTime() / 1000);
  let bytes = 0;
  let written = 0;

  for (const [index, account] of accounts.entries()) {
    const count = Math.floor(total / accounts.length) + (index < total % accounts.length ? 1 : 0);
    const maildir = `${account.login}/Maildir`;
    for (const dir of [account.login, maildir, `${maildir}/cur`, `${maildir}/new`, `${maildir}/tmp`]) {
      archive.entry({ ...base, name: `${dir}/`, type: 'directory', mode: 0o700 });
    }
    const uidLines: string[] = [];
    for (let n = 1; n <= count; n += 1) {
      const messageId = `<store.${account.login}.${n}@mailha.test>`;
      const text = composeMessage(random, messageId).raw.toString('latin1').replace(/\r\n/g, '\n');
      const body = Buffer.from(text, 'latin1');
      // Courier's own name form: time, a unique part, host, and the size so imapd need not stat.
      const baseName = `${mtimeSeconds}.M${n}P1V0I${index}.mailha-store,S=${body.length}`;
      const flags = random.int(1, 100) <= SEEN_PERCENT ? 'S' : '';
      archive.entry({ ...base, name: `${maildir}/cur/${baseName}:2,${flags}`, mode: 0o644, size: body.length }, body);
      uidLines.push(`${n} ${baseName}`);
      bytes += body.length;
      written += 1;
      // Yield now and then so the file stream drains the archive instead of it filling memory.
      if (written % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // Line 1 is "VERSION UIDVALIDITY NEXTUID", as Courier-IMAP 5 writes it; then "UID BASENAME".
    const uidValidity = mtimeSeconds + index;
    const uiddb = Buffer.from([`1 ${uidValidity} ${count + 1}`, ...uidLines].join('\n') + '\n');
    archive.entry({ ...base, name: `${maildir}/courierimapuiddb`, mode: 0o644, size: uiddb.length }, uiddb);

    // Maildir++ keeps folder INBOX.Name in the directory .Name, marked by a maildirfolder file.
    const probes = `${maildir}/.${PROBE_FOLDER.slice('INBOX.'.length)}`;
    for (const dir of [probes, `${probes}/cur`, `${probes}/new`, `${probes}/tmp`]) {
      archive.entry({ ...base, name: `${dir}/`, type: 'directory', mode: 0o700 });
    }
    archive.entry({ ...base, name: `${probes}/maildirfolder`, mode: 0o644, size: 0 }, Buffer.alloc(0));
    const emptyUiddb = Buffer.from(`1 ${uidValidity + accounts.length} 1\n`);
    archive.entry({ ...base, name: `${probes}/courierimapuiddb`, mode: 0o644, size: emptyUiddb.length }, emptyUiddb);
  }
  archive.finalize();
  await finished(output);
  return { messages: written, bytes };
}

/** Builds the store archive and extracts it into the primaries' store and both backup trees. */
export async function fillStores(bed: NodeShell, accounts: readonly Account[], total: number, seed: number): Promise<StoreSummary> {
  const dir = await mkdtemp(join(tmpdir(), 'mailha-store-'));
  const file = join(dir, 'store.tar');
  try {
    let started = performance.now();
    const { messages, bytes } = await writeStoreArchive(file, accounts, total, seed);
    const buildMs = performance.now() - started;
    const { size: archiveBytes } = await stat(file);

    started = performance.now();
    for (const node of ['primary-1', 'backup'] as const) {
      await bed.putArchive(node, '/srv/mail', createReadStream(file));
      // Docker extracts as root; imapd and the rsync module run as vmail.
      await bed.exec(node, ['chown', '-R', `${VMAIL_ID}:${VMAIL_ID}`, '/srv/mail']);
    }
    // A local copy keeps the mtimes, so rsync's quick check finds staging equal to the primary.
    await bed.exec('backup', ['cp', '-a', '/srv/mail/.', '/srv/staging/']);
    return { messages, bytes, archiveBytes, buildMs, copyMs: performance.now() - started };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
