/**
 * Tests sync safety on real Courier servers. Each way a Maildir copy from a primary can corrupt
 * the backup gets a test, observed over IMAP on the backup and in its files. Each test also runs a
 * broken form of the sync (or plants the state one would leave) and checks that its assertions
 * catch it. One bed serves the whole file and tests run in order, each on the state the one
 * before left synced.
 */
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ImapSession } from '../../harness/audit/imap-session.js';
import type { DockerBed } from '../../harness/bed/docker/docker-bed.js';
import { parseScenario } from '../../harness/scenario/load.js';
import type { NodeName } from '../../harness/scenario/schema.js';
import type { Account } from '../../harness/workload/client.js';
import {
  duplicates,
  internalDateDifferences,
  readAccount as readAccountOn,
  uidDisagreements,
  uidMeaningChanges,
  uidsOf,
  withImap as withImapOn,
  type AccountView,
} from './account-view.js';
import { labelled } from './docker.js';
import { MESSAGE_ID_DOMAIN, startSeededBed } from './seeded-bed.js';

const ACCOUNT: Account = { login: 'user1', password: 'sync-safety-1' };
const MAILDIR = `/srv/mail/${ACCOUNT.login}/Maildir`;
const STAGING_MAILDIR = `/srv/staging/${ACCOUNT.login}/Maildir`;
const VMAIL_UID = '5000';
const FULL_RIGHTS = 'aceilrstwx';
// sed expressions that turn mailha-sync-apply back into its two earlier, broken forms: one
// copied new/ entries that the uiddb lists, the other held nothing in a folder whose uiddb
// lists no message.
const APPLY_WITHOUT_NEW_HOLD = 's/hold_listed || //';
const APPLY_WITH_EMPTY_LIST_BUG = 's/FILENAME == ARGV\\[1\\]/NR == FNR/';
// sed expressions that cut mailha-sync-push down to its message pass, to its uiddb pass, or
// to a copy that deletes nothing.
const PUSH_MESSAGES_ONLY = '/^run_pass --filter=/d';
const PUSH_UIDDB_ONLY = '/^run_pass --delete/d';
const PUSH_WITHOUT_DELETE = 's/run_pass --delete/run_pass/';
// sed expression that drops the final exclusion of a folder apply, so its rsyncs reach the
// whole tree while the held list covers only the listed folders.
const APPLY_WITHOUT_SCOPE_END = "s/^  SCOPE_END=(--filter='- \\*')$/  SCOPE_END=()/";
// Paths of the account's INBOX and INBOX.Archive below the staging root, as mailha-sync-apply
// takes them.
const INBOX_FOLDER = `${ACCOUNT.login}/Maildir`;
const ARCHIVE_FOLDER = `${ACCOUNT.login}/Maildir/.Archive`;
const APPLY_LOOP_LOG = '/tmp/sync-safety-apply-loop.log';
const APPLY_LOOP_PID = '/tmp/sync-safety-apply-loop.pid';
const runId = `mailha-test-sync-${Date.now().toString(36)}-${process.pid}`;

const scenario = parseScenario(
  {
    name: 'sync-safety',
    question: 'Does the sync keep the backup read-only, free of expunged mail and on the primary\'s UIDs?',
    seed: 5,
    topology: { accounts: 1, seedMessagesPerFolder: 3, backup: { readOnly: 'acl' } },
    workload: { clients: 1 },
    steps: [{ action: 'run', seconds: 1 }],
  },
  'sync-safety.test.ts',
);

let bed: DockerBed;

function withImap<T>(node: NodeName, body: (client: ImapFlow) => Promise<T>): Promise<T> {
  return withImapOn(bed.address(node), ACCOUNT, body);
}

function readAccount(node: NodeName): Promise<AccountView> {
  return readAccountOn(bed.address(node), ACCOUNT);
}

/** Runs a shell script in a node. Extra arguments arrive as `$1`, `$2`, ... */
function shell(node: NodeName, script: string, ...args: string[]): Promise<string> {
  return bed.exec(node, ['sh', '-c', script, 'sh', ...args]);
}

async function syncOrThrow(): Promise<void> {
  const outcome = await bed.sync();
  if (!outcome.ok) throw new Error(`sync failed: ${outcome.error}`);
}

/** Returns the owner's rights on each folder as MYRIGHTS reports them on the backup. */
async function backupRights(folders: readonly string[]): Promise<Record<string, string>> {
  const session = await ImapSession.open(bed.address('backup'), 143);
  try {
    const login = await session.command(`LOGIN ${ACCOUNT.login} "${ACCOUNT.password}"`);
    if (login.status !== 'OK') throw new Error(`LOGIN on the backup failed: ${login.status} ${login.text}`);
    const rights: Record<string, string> = {};
    for (const folder of folders) {
      const reply = await session.command(`MYRIGHTS "${folder}"`);
      const line = reply.untagged.find((each) => each.startsWith('* MYRIGHTS'));
      rights[folder] = reply.status === 'OK' && line ? line.split(' ').at(-1)!.replace(/^"(.*)"$/, '$1') : `${reply.status} ${reply.text}`;
    }
    return rights;
  } finally {
    session.close();
  }
}

/** Returns the content of every `courierimapacl` file of the account on `node`, by path. */
async function aclFiles(node: NodeName): Promise<Record<string, string>> {
  const paths = (await shell(node, 'find "$1" -name courierimapacl -type f | sort', MAILDIR)).split('\n').filter(Boolean);
  const files: Record<string, string> = {};
  for (const path of paths) files[path] = await bed.exec(node, ['cat', path]);
  return files;
}

/** Returns the paths of message files in `new/` and `cur/` under `root` that contain `messageId`. */
async function messageFiles(node: NodeName, root: string, messageId: string): Promise<string[]> {
  const output = await shell(node, 'find "$1" -type f \\( -path "*/new/*" -o -path "*/cur/*" \\) -exec grep -lF -e "$2" {} + || true', root, messageId);
  return output.split('\n').filter(Boolean).sort();
}

/** Lists Message-IDs that more than one file in `new/` or `cur/` of the backup's live store carries. */
async function duplicateFiles(): Promise<string[]> {
  const output = await shell(
    'backup',
    'find "$1" -type f \\( -path "*/new/*" -o -path "*/cur/*" \\) -exec grep -h -i -m1 "^message-id:" {} + | tr -d "\\r" | sort | uniq -d',
    MAILDIR,
  );
  return output.split('\n').filter(Boolean);
}

/** Returns a message in RFC 5322 form with the given Message-ID (angle brackets included). */
function composeMessage(messageId: string, subject: string): string {
  return [
    `Message-ID: ${messageId}`,
    `From: sender@${MESSAGE_ID_DOMAIN}`,
    `To: ${ACCOUNT.login}@${MESSAGE_ID_DOMAIN}`,
    `Subject: ${subject}`,
    'Date: Thu, 03 Dec 2026 10:00:00 +0000',
    '',
    `Body of ${subject}.`,
    '',
  ].join('\r\n');
}

function messageId(label: string): string {
  return `<${runId}.${label}@${MESSAGE_ID_DOMAIN}>`;
}

/**
 * Writes a message file as a delivery agent would (as vmail, mtime set), at `directory/name`
 * where `name` is a Maildir base name with a correct `,S=` size.
 */
async function writeMessageFile(node: NodeName, directory: string, baseName: string, suffix: string, content: string, mtimeEpoch: number): Promise<string> {
  const path = `${directory}/${baseName},S=${Buffer.byteLength(content)}${suffix}`;
  await shell(node, 'printf "%s" "$1" > "$2" && chown "$3:$3" "$2" && touch -d "@$4" "$2"', content, path, VMAIL_UID, String(mtimeEpoch));
  return path;
}

/** Gives the owner full rights on a folder of primary-1 with `maildiracl`, run as vmail like imapd. */
async function grantFullRights(folder: string): Promise<void> {
  await shell('primary-1', 'setpriv --reuid="$1" --regid="$1" --clear-groups -- maildiracl -set "$2" "$3" owner "$4"', VMAIL_UID, MAILDIR, folder, FULL_RIGHTS);
}

/** Reads a message in the primary's INBOX as a client does: SELECT moves it to cur/ and \Seen is set. */
async function readOnPrimary(id: string): Promise<void> {
  await withImap('primary-1', async (client) => {
    await client.mailboxOpen('INBOX');
    expect(await client.messageFlagsAdd({ header: { 'message-id': id } }, ['\\Seen'])).toBe(true);
  });
}

/** Appends one message to every folder of the primary, with Message-IDs `<runId>.<label>.<folder>@...`. */
async function appendEverywhere(label: string): Promise<void> {
  await withImap('primary-1', async (client) => {
    for (const folder of (await client.list()).map((entry) => entry.path)) {
      await client.append(folder, composeMessage(messageId(`${label}.${folder}`), `${label} in ${folder}`));
    }
  });
}

/**
 * Runs mailha-sync-push on primary-1 with its script edited by a sed expression. The push goes
 * straight to the backup's rsync daemon, not through Toxiproxy.
 */
async function pushEdited(sedExpression: string): Promise<void> {
  await shell('primary-1', 'sed -e "$1" /usr/local/sbin/mailha-sync-push > /tmp/edited-push', sedExpression);
  await bed.exec('primary-1', ['bash', '/tmp/edited-push', bed.address('backup')]);
}

/** Runs mailha-sync-apply on the backup with its script edited by a sed expression. */
async function applyEdited(sedExpression: string, ...folders: string[]): Promise<string> {
  await shell('backup', 'sed -e "$1" /usr/local/sbin/mailha-sync-apply > /tmp/edited-apply', sedExpression);
  return bed.exec('backup', ['bash', '/tmp/edited-apply', ...folders]);
}

/** Appends one message to each given folder of the primary. */
async function appendTo(messages: ReadonlyArray<{ folder: string; id: string }>): Promise<void> {
  await withImap('primary-1', async (client) => {
    for (const { folder, id } of messages) await client.append(folder, composeMessage(id, `appended to ${folder}`));
  });
}

/** Returns the lines of the apply loop's log that report an apply. */
async function applyLoopLines(): Promise<string[]> {
  const log = await shell('backup', 'cat "$1" 2>/dev/null || true', APPLY_LOOP_LOG);
  return log.split('\n').filter((line) => line.includes('mailha: apply'));
}

/** Polls `check` every 200 ms until it returns true; throws with `what` after `timeoutMs`. */
async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; apply loop log:\n${(await applyLoopLines()).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs the sync as `bed.sync()` does but with edited scripts and without the read-only step. */
async function brokenSync(edits: { push?: string; apply?: string }): Promise<void> {
  await pushEdited(edits.push ?? '');
  await applyEdited(edits.apply ?? '');
}

beforeAll(async () => {
  ({ bed } = await startSeededBed(scenario, runId, [ACCOUNT]));
});

afterAll(async () => {
  await bed?.close();
  // Other engineers run beds at the same time, so only this run's label is checked.
  expect(await labelled(`mailha.run=${runId}`)).toEqual({ containers: [], networks: [], volumes: [] });
});

describe('sync safety', () => {
  test('ACLs of the backup are kept', async () => {
    const folders = [...(await readAccount('primary-1')).keys()];

    // Full rights on every folder of the primary, in ACL files of its own.
    for (const folder of folders) await grantFullRights(folder);
    const primaryAcls = await aclFiles('primary-1');
    expect(Object.keys(primaryAcls).length).toBeGreaterThanOrEqual(folders.length);
    for (const content of Object.values(primaryAcls)) expect(content).toMatch(new RegExp(`^owner ${FULL_RIGHTS}$`, 'm'));

    const aclsBefore = await aclFiles('backup');
    expect(Object.keys(aclsBefore).length).toBeGreaterThanOrEqual(folders.length);
    await syncOrThrow();
    expect(await aclFiles('backup')).toEqual(aclsBefore);
    for (const [folder, rights] of Object.entries(await backupRights(folders))) expect(rights, folder).toBe('alr');

    // A folder created on the primary arrives read-only.
    const created = 'INBOX.Created';
    await withImap('primary-1', async (client) => {
      await client.mailboxCreate(created);
      await client.append(created, composeMessage(messageId('created'), 'in a new folder'));
    });
    await grantFullRights(created);
    await syncOrThrow();
    expect((await backupRights([created]))[created]).toBe('alr');
    expect((await readAccount('backup')).get(created)?.messages.map((m) => m.messageId)).toEqual([messageId('created')]);

    // Broken variant: a push and an apply that copy ACL files, without the read-only step.
    const aclsGood = await aclFiles('backup');
    await brokenSync({ push: '/courierimap.*acl/d', apply: '/courierimap.*acl/d' });
    const brokenRights = await backupRights([...folders, created]);
    expect(Object.values(brokenRights).filter((rights) => rights !== 'alr').length, JSON.stringify(brokenRights)).toBeGreaterThan(0);
    expect(await aclFiles('backup')).not.toEqual(aclsGood);

    // The real sync makes the backup read-only again for the tests that follow.
    await syncOrThrow();
    for (const [folder, rights] of Object.entries(await backupRights([...folders, created]))) expect(rights, folder).toBe('alr');
  });

  test('expunged mail stays gone', async () => {
    const folder = 'INBOX.Sent';
    const target = (await readAccount('backup')).get(folder)!.messages[0];
    const livePaths = await messageFiles('backup', MAILDIR, target.messageId);
    expect(livePaths).toHaveLength(1);
    await shell('backup', 'cp -p "$1" /tmp/expunged-message', livePaths[0]);

    const primaryUid = (await readAccount('primary-1')).get(folder)!.messages.find((m) => m.messageId === target.messageId)!.uid;
    await withImap('primary-1', async (client) => {
      await client.mailboxOpen(folder);
      expect(await client.messageDelete(String(primaryUid), { uid: true })).toBe(true);
    });
    expect(uidsOf(await readAccount('primary-1'), target.messageId)).toEqual([]);
    await syncOrThrow();

    const backup = await readAccount('backup');
    expect(uidsOf(backup, target.messageId)).toEqual([]);
    expect(await messageFiles('backup', MAILDIR, target.messageId)).toEqual([]);
    expect(duplicates(backup)).toEqual([]);
    expect(await duplicateFiles()).toEqual([]);

    // Broken variant: what a copy without deletion leaves, namely the expunged message back in
    // cur/ and a stale new/ copy of another message.
    const other = backup.get(folder)!.messages[0];
    const otherPath = (await messageFiles('backup', MAILDIR, other.messageId))[0];
    await shell('backup', 'cp -p /tmp/expunged-message "$1" && cp -p "$2" "$3"', livePaths[0], otherPath, `${MAILDIR}/.Sent/new/1764000000.M9P9.stale`);
    const broken = await readAccount('backup');
    expect(uidsOf(broken, target.messageId)).toHaveLength(1);
    expect(duplicates(broken)).not.toEqual([]);
    expect(await duplicateFiles()).toEqual([expect.stringContaining(other.messageId)]);

    await syncOrThrow();
    const repaired = await readAccount('backup');
    expect(uidsOf(repaired, target.messageId)).toEqual([]);
    expect(duplicates(repaired)).toEqual([]);
    expect(await duplicateFiles()).toEqual([]);
  });

  test('unlisted staged message is held', async () => {
    const id = messageId('mid-copy');
    const baseName = '1764000000.M1P1.mid-copy';
    const content = composeMessage(id, 'staged without a UID');
    // In the mid-copy race a message reaches staging cur/ after its folder's uiddb was copied.
    await writeMessageFile('backup', `${STAGING_MAILDIR}/cur`, baseName, ':2,', content, 1764000000);
    expect(await bed.exec('backup', ['/usr/local/sbin/mailha-sync-apply'])).toMatch(/held=1\b/);
    expect(await messageFiles('backup', MAILDIR, id)).toEqual([]);
    expect(uidsOf(await readAccount('backup'), id)).toEqual([]);
    expect(await bed.exec('backup', ['cat', `${MAILDIR}/courierimapuiddb`])).not.toContain(baseName);

    await syncOrThrow();
    expect(uidDisagreements(await readAccount('primary-1'), await readAccount('backup'))).toEqual([]);

    // Broken variant: an apply that does not hold unlisted messages lets the backup give the
    // message a UID of its own.
    await writeMessageFile('backup', `${STAGING_MAILDIR}/cur`, baseName, ':2,', content, 1764000000);
    expect(await applyEdited('s/--exclude-from="$held"//')).toMatch(/held=1\b/);
    const broken = await readAccount('backup');
    expect(uidsOf(broken, id)).toHaveLength(1);
    expect(uidDisagreements(await readAccount('primary-1'), broken)).not.toEqual([]);

    await syncOrThrow();
    const repaired = await readAccount('backup');
    expect(uidsOf(repaired, id)).toEqual([]);
    expect(uidDisagreements(await readAccount('primary-1'), repaired)).toEqual([]);
  });

  test('unlisted message in an empty folder is held', async () => {
    const id = messageId('mid-copy-empty');
    const content = composeMessage(id, 'staged without a UID in an empty folder');
    await withImap('primary-1', async (client) => {
      await client.mailboxCreate('INBOX.Empty');
      await client.mailboxOpen('INBOX.Empty');
    });
    await syncOrThrow();
    // Line 1 of a uiddb is its header, so a one-line uiddb lists no message.
    const stagedUiddb = await bed.exec('backup', ['cat', `${STAGING_MAILDIR}/.Empty/courierimapuiddb`]);
    expect(stagedUiddb.trim().split('\n')).toHaveLength(1);

    await writeMessageFile('backup', `${STAGING_MAILDIR}/.Empty/cur`, '1764000000.M8P8.mid-copy', ':2,', content, 1764000000);
    expect(await bed.exec('backup', ['/usr/local/sbin/mailha-sync-apply'])).toMatch(/held=1\b/);
    expect(uidsOf(await readAccount('backup'), id)).toEqual([]);

    // Broken variant: the earlier apply held nothing when the uiddb listed no message, because
    // its awk then took the message names for listed names.
    expect(await applyEdited(APPLY_WITH_EMPTY_LIST_BUG)).toMatch(/held=0\b/);
    expect(uidsOf(await readAccount('backup'), id)).toHaveLength(1);

    await syncOrThrow();
    const repaired = await readAccount('backup');
    expect(uidsOf(repaired, id)).toEqual([]);
    expect(uidDisagreements(await readAccount('primary-1'), repaired)).toEqual([]);
  });

  test('reading the backup keeps UID meaning', async () => {
    const shownBefore = await readAccount('backup');
    await appendEverywhere('after-read');
    await syncOrThrow();
    const after = await readAccount('backup');
    expect(uidMeaningChanges(shownBefore, after)).toEqual([]);
    expect(uidDisagreements(await readAccount('primary-1'), after)).toEqual([]);
    expect(uidsOf(after, messageId('after-read.INBOX'))).toHaveLength(1);

    // Broken variant: a message file in the backup's live new/ that the primary never listed,
    // as an apply without holding leaves it. Reading gives it the next UID, which the primary
    // then gives to its own next message.
    await writeMessageFile('backup', `${MAILDIR}/new`, '1764000000.M3P3.backup-only', '', composeMessage(messageId('backup-only'), 'only on the backup'), 1764000000);
    const shownBroken = await readAccount('backup');
    expect(uidsOf(shownBroken, messageId('backup-only'))).toHaveLength(1);
    await appendEverywhere('after-broken-read');
    await syncOrThrow();
    const afterBroken = await readAccount('backup');
    expect(uidMeaningChanges(shownBroken, afterBroken)).toEqual([expect.stringContaining(messageId('backup-only'))]);
    expect(uidDisagreements(await readAccount('primary-1'), afterBroken)).toEqual([]);
  });

  test('INTERNALDATE survives the copy', async () => {
    // Old modification times on the primary, so a copy that drops them cannot match by chance.
    await shell('primary-1', 'find "$1/.Archive/cur" "$1/cur" -type f -exec touch -d 2020-01-02T03:04:05Z {} +', MAILDIR);
    await syncOrThrow();
    const primary = await readAccount('primary-1');
    expect(primary.get('INBOX.Archive')!.messages.map((m) => m.internalDate)).toContain('2020-01-02T03:04:05.000Z');
    expect(internalDateDifferences(primary, await readAccount('backup'))).toEqual([]);

    // Broken variant: an apply whose rsync keeps no modification times.
    await shell('primary-1', 'find "$1/.Archive/cur" -type f -exec touch -d 2019-05-06T07:08:09Z {} +', MAILDIR);
    await brokenSync({ apply: 's/rsync -a /rsync -rlpgoD /' });
    const primaryAfter = await readAccount('primary-1');
    const broken = internalDateDifferences(primaryAfter, await readAccount('backup'));
    expect(broken.length).toBe(primaryAfter.get('INBOX.Archive')!.messages.length);

    await syncOrThrow();
    expect(internalDateDifferences(primaryAfter, await readAccount('backup'))).toEqual([]);
  });

  test('stale new/ entry shows once', async () => {
    const id = messageId('delivered');
    const baseName = '1764000100.M4P4.delivery';
    await writeMessageFile('primary-1', `${MAILDIR}/new`, baseName, '', composeMessage(id, 'delivered to new/'), 1764000100);

    // The primary has not opened INBOX since the delivery, so its uiddb lacks the message and
    // the backup holds it in staging.
    await syncOrThrow();
    expect(uidsOf(await readAccount('backup'), id)).toEqual([]);
    expect(await messageFiles('backup', STAGING_MAILDIR, id)).toEqual([expect.stringContaining(`/new/${baseName}`)]);

    await readOnPrimary(id);
    expect(await messageFiles('primary-1', MAILDIR, id)).toEqual([expect.stringMatching(/\/cur\/.*:2,S$/)]);
    await syncOrThrow();
    const backup = await readAccount('backup');
    expect(uidsOf(backup, id)).toHaveLength(1);
    expect(await messageFiles('backup', MAILDIR, id)).toHaveLength(1);
    expect(duplicates(backup)).toEqual([]);
    expect(uidDisagreements(await readAccount('primary-1'), backup)).toEqual([]);

    // A push without deletion keeps the staged new/ entry beside the cur/ copy. The apply
    // holds the new/ entry, so the backup still shows the message once.
    const staleId = messageId('stale');
    await writeMessageFile('primary-1', `${MAILDIR}/new`, '1764000300.M6P6.delivery', '', composeMessage(staleId, 'left in new/'), 1764000300);
    await syncOrThrow();
    await readOnPrimary(staleId);
    await brokenSync({ push: PUSH_WITHOUT_DELETE });
    await bed.exec('backup', ['/usr/local/sbin/mailha-readonly-acl']);
    expect(await messageFiles('backup', `${STAGING_MAILDIR}/new`, staleId)).toHaveLength(1);
    expect(uidsOf(await readAccount('backup'), staleId)).toHaveLength(1);

    // Broken variant: with an apply that also copies listed new/ entries, both copies reach
    // the backup, which gives the stale one a UID of its own.
    await brokenSync({ push: PUSH_WITHOUT_DELETE, apply: APPLY_WITHOUT_NEW_HOLD });
    await bed.exec('backup', ['/usr/local/sbin/mailha-readonly-acl']);
    const broken = await readAccount('backup');
    expect(await messageFiles('backup', MAILDIR, staleId)).toHaveLength(2);
    expect(uidsOf(broken, staleId)).toHaveLength(2);
    expect(duplicates(broken)).not.toEqual([]);
    expect(await duplicateFiles()).toEqual([expect.stringContaining(staleId)]);

    await syncOrThrow();
    const repaired = await readAccount('backup');
    expect(uidsOf(repaired, staleId)).toHaveLength(1);
    expect(await messageFiles('backup', MAILDIR, staleId)).toHaveLength(1);
    expect(duplicates(repaired)).toEqual([]);
    expect(uidDisagreements(await readAccount('primary-1'), repaired)).toEqual([]);
  });

  test('message read mid-push shows once', async () => {
    // This race puts a listed message into staging new/. The primary reads the message between
    // the push's message pass and its uiddb pass.
    const id = messageId('read-mid-push');
    const baseName = '1764000200.M5P5.delivery';
    await writeMessageFile('primary-1', `${MAILDIR}/new`, baseName, '', composeMessage(id, 'read during the push'), 1764000200);
    await pushEdited(PUSH_MESSAGES_ONLY);
    await readOnPrimary(id);
    await pushEdited(PUSH_UIDDB_ONLY);
    await applyEdited('');
    await bed.exec('backup', ['/usr/local/sbin/mailha-readonly-acl']);
    expect(await bed.exec('backup', ['cat', `${STAGING_MAILDIR}/courierimapuiddb`])).toContain(baseName);
    expect(await messageFiles('backup', MAILDIR, id)).toEqual([]);
    expect(uidsOf(await readAccount('backup'), id)).toEqual([]);

    await syncOrThrow();
    const after = await readAccount('backup');
    expect(uidsOf(after, id)).toHaveLength(1);
    expect(await messageFiles('backup', MAILDIR, id)).toEqual([expect.stringMatching(/\/cur\/.*:2,S$/)]);
    expect(duplicates(after)).toEqual([]);
    expect(await duplicateFiles()).toEqual([]);
    expect(uidDisagreements(await readAccount('primary-1'), after)).toEqual([]);

    // Broken variant: an apply that copies listed new/ entries. Courier moves a new/ entry to
    // cur/ on SELECT and gives it the next UID, whatever the uiddb lists.
    const raceId = messageId('read-mid-push-2');
    await writeMessageFile('primary-1', `${MAILDIR}/new`, '1764000250.M7P7.delivery', '', composeMessage(raceId, 'read during the push again'), 1764000250);
    await pushEdited(PUSH_MESSAGES_ONLY);
    await readOnPrimary(raceId);
    await pushEdited(PUSH_UIDDB_ONLY);
    await applyEdited(APPLY_WITHOUT_NEW_HOLD);
    const raced = await readAccount('backup');
    const primaryRaced = await readAccount('primary-1');
    expect(uidsOf(raced, raceId)).toHaveLength(1);
    expect(uidsOf(raced, raceId)).not.toEqual(uidsOf(primaryRaced, raceId));
    expect(uidDisagreements(primaryRaced, raced)).not.toEqual([]);
    await syncOrThrow();
    expect(uidDisagreements(await readAccount('primary-1'), await readAccount('backup'))).toEqual([]);
  });

  test('folder apply leaves other folders', async () => {
    const archiveId = messageId('scoped.archive');
    const inboxId = messageId('scoped.inbox');
    const unlistedId = messageId('scoped.unlisted');
    await appendTo([
      { folder: 'INBOX.Archive', id: archiveId },
      { folder: 'INBOX', id: inboxId },
    ]);
    await pushEdited('');
    await writeMessageFile('backup', `${STAGING_MAILDIR}/.Archive/cur`, '1764000400.M10P10.scoped', ':2,', composeMessage(unlistedId, 'staged without a UID'), 1764000400);
    const inboxUiddbBefore = await bed.exec('backup', ['cat', `${MAILDIR}/courierimapuiddb`]);

    // Applying INBOX.Archive alone: its message arrives, the unlisted one is held, and INBOX,
    // its parent directory, keeps its files and UID database.
    expect(await bed.exec('backup', ['/usr/local/sbin/mailha-sync-apply', ARCHIVE_FOLDER])).toMatch(/scope=folders:1 held=1\b/);
    const afterArchive = await readAccount('backup');
    expect(uidsOf(afterArchive, archiveId)).toEqual(uidsOf(await readAccount('primary-1'), archiveId));
    expect(uidsOf(afterArchive, archiveId)).toHaveLength(1);
    expect(uidsOf(afterArchive, inboxId)).toEqual([]);
    expect(await messageFiles('backup', MAILDIR, inboxId)).toEqual([]);
    expect(await bed.exec('backup', ['cat', `${MAILDIR}/courierimapuiddb`])).toBe(inboxUiddbBefore);
    expect(uidsOf(afterArchive, unlistedId)).toEqual([]);
    expect(await messageFiles('backup', MAILDIR, unlistedId)).toEqual([]);

    // Applying INBOX alone: its message arrives, and INBOX.Archive, a subdirectory of it,
    // keeps its pending message staged.
    const archiveLaterId = messageId('scoped.archive-later');
    await appendTo([{ folder: 'INBOX.Archive', id: archiveLaterId }]);
    await pushEdited('');
    await writeMessageFile('backup', `${STAGING_MAILDIR}/.Archive/cur`, '1764000400.M10P10.scoped', ':2,', composeMessage(unlistedId, 'staged without a UID'), 1764000400);
    expect(await bed.exec('backup', ['/usr/local/sbin/mailha-sync-apply', INBOX_FOLDER])).toMatch(/scope=folders:1 held=0\b/);
    const afterInbox = await readAccount('backup');
    expect(uidsOf(afterInbox, inboxId)).toEqual(uidsOf(await readAccount('primary-1'), inboxId));
    expect(uidsOf(afterInbox, inboxId)).toHaveLength(1);
    expect(uidsOf(afterInbox, archiveLaterId)).toEqual([]);
    expect(await messageFiles('backup', MAILDIR, archiveLaterId)).toEqual([]);
    expect(uidsOf(afterInbox, unlistedId)).toEqual([]);

    // A folder that staging no longer has makes the apply take the whole tree.
    expect(await bed.exec('backup', ['/usr/local/sbin/mailha-sync-apply', `${ACCOUNT.login}/Maildir/.Gone`])).toMatch(/scope=full held=\d+/);
    const afterFull = await readAccount('backup');
    expect(uidsOf(afterFull, archiveLaterId)).toHaveLength(1);
    expect(uidsOf(afterFull, unlistedId)).toEqual([]);

    await syncOrThrow();
    const synced = await readAccount('backup');
    expect(uidDisagreements(await readAccount('primary-1'), synced)).toEqual([]);
    expect(duplicates(synced)).toEqual([]);

    // Broken variant: a folder apply without the final exclusion reaches INBOX too.
    const brokenInboxId = messageId('scoped.broken-inbox');
    await appendTo([
      { folder: 'INBOX.Archive', id: messageId('scoped.broken-archive') },
      { folder: 'INBOX', id: brokenInboxId },
    ]);
    await pushEdited('');
    expect(await applyEdited(APPLY_WITHOUT_SCOPE_END, ARCHIVE_FOLDER)).toMatch(/scope=folders:1\b/);
    expect(await messageFiles('backup', MAILDIR, brokenInboxId)).toHaveLength(1);

    await syncOrThrow();
    expect(uidDisagreements(await readAccount('primary-1'), await readAccount('backup'))).toEqual([]);
  });

  test('apply loop applies changed folders', async () => {
    await shell('backup', 'setsid bash -c \'echo $$ > "$1"; exec /usr/local/sbin/mailha-apply-on-change\' sh "$1" > "$2" 2>&1 < /dev/null &', APPLY_LOOP_PID, APPLY_LOOP_LOG);
    try {
      await waitFor('the first full apply', 60_000, async () => (await applyLoopLines()).length > 0);
      const first = await applyLoopLines();
      expect(first[0]).toMatch(/^mailha: apply done .* scope=full held=\d+$/);

      const id = messageId('apply-loop');
      await appendTo([{ folder: 'INBOX.Archive', id }]);
      await pushEdited('');
      await waitFor('the pushed message on the backup', 30_000, async () => uidsOf(await readAccount('backup'), id).length === 1);
      const applies = (await applyLoopLines()).slice(first.length);
      expect(applies.length).toBeGreaterThan(0);
      // Every apply after the first is a folder apply. The number of folders is not checked,
      // because Courier on the primary may rewrite files of other folders when a test reads them.
      for (const line of applies) expect(line).toMatch(/^mailha: apply done .* scope=folders:\d+ held=\d+$/);
      expect(uidDisagreements(await readAccount('primary-1'), await readAccount('backup'))).toEqual([]);
    } finally {
      await shell('backup', '[ -f "$1" ] && kill -TERM -- "-$(cat "$1")"; rm -f "$1"', APPLY_LOOP_PID);
    }
  });
});
