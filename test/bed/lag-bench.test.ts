/**
 * The replication lag bench on real containers: the CI smoke configuration through the command
 * line, a delay injected into the replication link that the bench must report as lag, and the
 * IMAP copier's administrative login with what it does to UIDs and flags.
 */
import { execa } from 'execa';
import type { ImapFlow } from 'imapflow';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { describe, expect, test } from 'vitest';
import type { Bed, NodeShell } from '../../harness/bed/bed.js';
import { benchAccounts, benchAdmin, startBenchBed } from '../../harness/bench/lag/bench-bed.js';
import { DEFAULT_TIMING, LINK_PROFILES, PROBE_FOLDER, type Cell } from '../../harness/bench/lag/config.js';
import { closeQuietly, describeImapError, highestUid, openFolder } from '../../harness/bench/lag/imap.js';
import type { BenchRecord } from '../../harness/bench/lag/output.js';
import { runCell } from '../../harness/bench/lag/run-cell.js';
import { fillStores } from '../../harness/bench/lag/store.js';
import { createStrategy } from '../../harness/bench/lag/strategies/index.js';
import type { Account } from '../../harness/workload/client.js';

const BIN = 'harness/cli/bin.js';

/** Names of containers whose name starts with the bench's run prefix `mailha-lag-`. */
async function benchContainers(): Promise<string[]> {
  const { stdout } = await execa('docker', ['ps', '--all', '--filter', 'name=mailha-lag-', '--format', '{{.Names}}']);
  return stdout.split('\n').filter(Boolean);
}

describe('mailha bench lag', () => {
  test('smoke configuration measures lag', async () => {
    const out = await mkdtemp(join(tmpdir(), 'mailha-lag-'));
    const before = await benchContainers();

    const result = await execa('node', [BIN, 'bench', 'lag', '--smoke', '--out', out, '--progress', 'plain'], { reject: false, all: true });

    expect(result.exitCode, result.all).toBe(0);
    const [stampDir] = await readdir(join(out, 'bench-lag'));
    const dir = join(out, 'bench-lag', stampDir);
    const record = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as BenchRecord;
    expect(record.cells).toHaveLength(1);
    const [cell] = record.cells;
    expect(cell.error).toBeUndefined();
    expect(cell.probes.acknowledged).toBeGreaterThan(0);
    expect(cell.probes.seen).toBe(cell.probes.acknowledged);
    expect(cell.sync.passes).toBeGreaterThan(0);
    expect(cell.lagMs.p50).toBeGreaterThan(0);
    expect(cell.lagMs.max).toBeGreaterThanOrEqual(cell.lagMs.p99!);
    // rsync runs at an interval, so no probe can beat the link's bound.
    expect(cell.lagMs.p50).toBeGreaterThan(cell.lowerBoundMs);
    expect(cell.wireBytes).toBeGreaterThan(0);
    expect(cell.pollMs.p50).toBeLessThan(10);
    for (const file of ['results.csv', 'probes.csv', 'summary.md', 'lag-by-store-size.svg', 'lag-over-time.svg']) {
      expect((await readFile(join(dir, file), 'utf8')).length, file).toBeGreaterThan(100);
    }
    expect(await benchContainers()).toEqual(before);
  });

  test('injected link delay shows as lag', async () => {
    const log = pino({ level: 'silent' });
    const accounts = benchAccounts(7);
    const admin = benchAdmin(7);
    const logDir = await mkdtemp(join(tmpdir(), 'mailha-lag-nodes-'));
    const timing = { ...DEFAULT_TIMING, probeSeconds: 4, drainSeconds: 60, rsyncIntervalSeconds: 1 };
    // 1.5 s each way on the replication link: every rsync round trip gains 3 s.
    const injected = { name: 'injected-delay', latencyMs: 1500, rateKBps: null };
    const cell = (link: Cell['link']): Cell => ({ storeSize: 200, ratePerSecond: 5, link, strategy: 'rsync-interval' });
    let bed: (Bed & NodeShell) | undefined;
    try {
      bed = await startBenchBed(`mailha-lag-test-${process.pid}`, accounts, admin, log, logDir);
      await fillStores(bed, accounts, 200, 7);
      const context = { bed, accounts, admin, timing, log, seed: 7 };

      const baseline = await runCell(cell(LINK_PROFILES.lan), { ...context, tag: 'baseline' });
      const delayed = await runCell(cell(injected), { ...context, tag: 'delayed' });

      expect(baseline.error).toBeUndefined();
      expect(delayed.error).toBeUndefined();
      expect(delayed.probes.seen).toBe(delayed.probes.acknowledged);
      expect(delayed.lowerBoundMs).toBeGreaterThanOrEqual(3000);
      expect(delayed.lagMs.p50).toBeGreaterThan(3000);
      expect(delayed.lagMs.p50!).toBeGreaterThan(baseline.lagMs.p50! + 2000);
      expect(delayed.sync.durationMs.p50!).toBeGreaterThan(baseline.sync.durationMs.p50! + 3000);
    } finally {
      await bed?.close();
    }
  });

  test('imap-copy admin login copies probes', async () => {
    const log = pino({ level: 'silent' });
    const accounts = benchAccounts(8);
    const admin = benchAdmin(8);
    const logDir = await mkdtemp(join(tmpdir(), 'mailha-lag-nodes-'));
    const timing = { ...DEFAULT_TIMING, probeSeconds: 4, drainSeconds: 30, imapCopyLogin: 'admin' as const };
    let bed: (Bed & NodeShell) | undefined;
    try {
      bed = await startBenchBed(`mailha-lag-test-${process.pid}`, accounts, admin, log, logDir);
      await fillStores(bed, accounts, 200, 8);

      // The bench bed has no sync, so only the copier's admin sessions can bring probes to the backup.
      const cell: Cell = { storeSize: 200, ratePerSecond: 5, link: LINK_PROFILES.lan, strategy: 'imap-copy' };
      const result = await runCell(cell, { bed, accounts, admin, timing, log, seed: 8, tag: 'admin-copy' });

      expect(result.error).toBeUndefined();
      expect(result.probes.acknowledged).toBeGreaterThan(0);
      expect(result.probes.seen).toBe(result.probes.acknowledged);
      expect(result.sync.passes).toBeGreaterThan(0);
      expect(result.sync.failed).toBe(0);

      await checkUidsAndFlags(bed, accounts[PROBE_ACCOUNTS_NOT_PROBED], admin, timing, log);
    } finally {
      await bed?.close();
    }
  });
});

/** An account past the four that receive probes, so its probe folder holds only this check's mail. */
const PROBE_ACCOUNTS_NOT_PROBED = 5;

interface Copy {
  uid: number;
  flags: string[];
  internalDate: string;
}

/** Reads UIDVALIDITY and, by Message-ID, the UID, flags and INTERNALDATE of every message in the selected folder. */
async function readFolder(imap: ImapFlow): Promise<{ uidValidity: bigint; byMessageId: Map<string, Copy> }> {
  await imap.noop();
  const byMessageId = new Map<string, Copy>();
  for await (const message of imap.fetch('1:*', { uid: true, flags: true, internalDate: true, envelope: true })) {
    const id = message.envelope?.messageId;
    if (!id) continue;
    byMessageId.set(id, { uid: message.uid, flags: [...(message.flags ?? [])].sort(), internalDate: new Date(message.internalDate as Date).toISOString() });
  }
  return { uidValidity: imap.mailbox ? imap.mailbox.uidValidity : 0n, byMessageId };
}

/**
 * Appends three messages with different flags to one account's probe folder on primary-1 while the
 * copier runs with the admin login, then reads both sides as the account itself. The flags and
 * INTERNALDATE must be copied, the backup's UIDs must be its own, and a later flag change must not be copied.
 */
async function checkUidsAndFlags(bed: Bed & NodeShell, account: Account, admin: Account, timing: typeof DEFAULT_TIMING, log: Logger): Promise<void> {
  const strategy = createStrategy('imap-copy', { bed, accounts: [account], admin, timing, now: () => performance.now(), log });
  const primary = await openFolder(bed.address('primary-1'), 143, account, PROBE_FOLDER);
  // SELECT, not EXAMINE: Courier rejects APPEND to the folder a session has open with EXAMINE
  // ("NO Current box is selected READ-ONLY.").
  const backup = await openFolder(bed.address('backup'), 143, account, PROBE_FOLDER);
  try {
    await strategy.start();
    const messages = [
      { id: '<uid-check-1@mailha.test>', flags: [] as string[] },
      { id: '<uid-check-2@mailha.test>', flags: ['\\Seen'] },
      { id: '<uid-check-3@mailha.test>', flags: ['\\Flagged', '\\Answered', '$Label1'] },
    ];
    const date = new Date('2024-02-03T04:05:06Z');
    // Both sides start with the same empty probe folder and one uiddb from the bench's archive. A
    // message on the backup alone moves its UIDNEXT ahead, so copies cannot keep their UIDs by chance.
    await backup.append(PROBE_FOLDER, 'Message-ID: <backup-only@mailha.test>\r\nSubject: backup only\r\n\r\nbody\r\n').catch((error) => {
      throw new Error(`APPEND to ${PROBE_FOLDER} of ${account.login} on the backup failed: ${describeImapError(error)}`);
    });
    const backupBefore = await readFolder(backup);
    // Courier 5.0.13 sends no UIDNEXT with SELECT, so highestUid reads it with STATUS.
    const backupUidNext = (await highestUid(backup)) + 1;
    for (const message of messages) {
      await primary.append(PROBE_FOLDER, `Message-ID: ${message.id}\r\nSubject: uid check\r\n\r\nbody\r\n`, message.flags, date);
    }

    let copied = backupBefore;
    for (let tries = 0; tries < 100 && !messages.every((message) => copied.byMessageId.has(message.id)); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      copied = await readFolder(backup);
    }
    const source = await readFolder(primary);
    for (const message of messages) {
      const onPrimary = source.byMessageId.get(message.id);
      const onBackup = copied.byMessageId.get(message.id);
      expect(onPrimary, `${message.id} on primary-1`).toBeDefined();
      expect(onBackup, `${message.id} on the backup`).toBeDefined();
      expect(onPrimary!.flags, `${message.id} flags on primary-1`).toEqual([...message.flags].sort());
      expect(onBackup!.flags, `${message.id} flags`).toEqual(onPrimary!.flags);
      expect(onBackup!.internalDate, `${message.id} INTERNALDATE`).toBe(onPrimary!.internalDate);
    }
    // The backup numbers the copies from its own UIDNEXT, in the primary's order.
    const backupUids = messages.map((message) => copied.byMessageId.get(message.id)!.uid);
    const primaryUids = messages.map((message) => source.byMessageId.get(message.id)!.uid);
    expect(backupUids).toEqual([backupUidNext, backupUidNext + 1, backupUidNext + 2]);
    expect(backupUids).not.toEqual(primaryUids);

    // A flag change on the primary after the copy stays on the primary.
    const first = source.byMessageId.get(messages[0].id)!;
    await primary.messageFlagsAdd(String(first.uid), ['\\Seen'], { uid: true });
    await new Promise((resolve) => setTimeout(resolve, 20 * timing.imapCopyPollMs));
    expect((await readFolder(primary)).byMessageId.get(messages[0].id)!.flags).toEqual(['\\Seen']);
    expect((await readFolder(backup)).byMessageId.get(messages[0].id)!.flags).toEqual([]);
  } finally {
    await strategy.stop();
    await closeQuietly(primary);
    await closeQuietly(backup);
  }
}
