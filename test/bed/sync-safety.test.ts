/**
 * Sync safety on real Courier servers: each way a Maildir copy from a primary can corrupt the
 * backup gets one test, observed over IMAP on the backup and in its files. Every test also runs
 * the broken sync (or plants the state it would leave) and checks that its assertion catches it.
 * One bed serves the whole file and tests run in order, because each builds on the synced state.
 */
import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ImapSession } from '../../harness/audit/imap-session.js';
import type { DockerBed } from '../../harness/bed/docker/docker-bed.js';
import { parseScenario } from '../../harness/scenario/load.js';
import type { NodeName } from '../../harness/scenario/schema.js';
import type { Account } from '../../harness/workload/client.js';
import { labelled } from './docker.js';
import { MESSAGE_ID_DOMAIN, startSeededBed } from './seeded-bed.js';

const ACCOUNT: Account = { login: 'user1', password: 'sync-safety-1' };
const MAILDIR = `/srv/mail/${ACCOUNT.login}/Maildir`;
const STAGING_MAILDIR = `/srv/staging/${ACCOUNT.login}/Maildir`;
const VMAIL = '5000:5000';
const FULL_RIGHTS = 'aceilrstwx';
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

interface MessageView {
  uid: number;
  messageId: string;
  internalDate: string;
  hash: string;
}

interface MailboxView {
  uidValidity: number;
  uidNext: number;
  messages: MessageView[];
}

/** Folder name to what a client sees in it after SELECT and FETCH. */
type AccountView = Map<string, MailboxView>;

let bed: DockerBed;

function imapClient(node: NodeName): ImapFlow {
  const client = new ImapFlow({
    host: bed.address(node),
    port: 143,
    secure: false,
    doSTARTTLS: false,
    auth: { user: ACCOUNT.login, pass: ACCOUNT.password },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => {});
  return client;
}

/** Opens one session, runs `body` and logs out, also when `body` throws. */
async function withImap<T>(node: NodeName, body: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = imapClient(node);
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** SELECTs every folder of the account on `node` and FETCHes every message, as a client would. */
async function readAccount(node: NodeName): Promise<AccountView> {
  return withImap(node, async (client) => {
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

/** Runs a shell script in a node; extra arguments arrive as `$1`, `$2`, ... */
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

/** Path to content of every `courierimapacl` file of the account on `node`. */
async function aclFiles(node: NodeName): Promise<Record<string, string>> {
  const paths = (await shell(node, 'find "$1" -name courierimapacl -type f | sort', MAILDIR)).split('\n').filter(Boolean);
  const files: Record<string, string> = {};
  for (const path of paths) files[path] = await bed.exec(node, ['cat', path]);
  return files;
}

/** Lists each problem that makes the backup's UIDs disagree with the primary's. */
function uidDisagreements(primary: AccountView, backup: AccountView): string[] {
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
function uidMeaningChanges(before: AccountView, after: AccountView): string[] {
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
function duplicates(view: AccountView): string[] {
  const counts = new Map<string, number>();
  for (const [folder, mailbox] of view) {
    for (const message of mailbox.messages) {
      for (const key of [`${folder} Message-ID ${message.messageId}`, `${folder} sha256 ${message.hash}`]) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].filter(([, count]) => count > 1).map(([key, count]) => `${key} appears ${count} times`);
}

/** Returns the UIDs under which the message with `messageId` appears, per folder. */
function uidsOf(view: AccountView, messageId: string): string[] {
  const found: string[] = [];
  for (const [folder, mailbox] of view) {
    for (const message of mailbox.messages) if (message.messageId === messageId) found.push(`${folder} UID ${message.uid}`);
  }
  return found;
}

/** Returns the paths of message files in `new/` and `cur/` under `root` that contain `messageId`. */
async function messageFiles(node: NodeName, root: string, messageId: string): Promise<string[]> {
  const output = await shell(node, 'find "$1" -type f \\( -path "*/new/*" -o -path "*/cur/*" \\) -exec grep -lF -e "$2" {} + || true', root, messageId);
  return output.split('\n').filter(Boolean).sort();
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
  await shell(node, 'printf "%s" "$1" > "$2" && chown "$3" "$2" && touch -d "@$4" "$2"', content, path, VMAIL, String(mtimeEpoch));
  return path;
}

/**
 * Runs the sync with its scripts edited by sed expressions, as `bed.sync()` runs it but without
 * the read-only step. The push goes straight to the backup's rsync daemon, not through Toxiproxy.
 */
async function brokenSync(edits: { push?: string; apply?: string }): Promise<void> {
  await shell('primary-1', 'sed -e "$1" /usr/local/sbin/mailha-sync-push > /tmp/broken-push', edits.push ?? '');
  await shell('backup', 'sed -e "$1" /usr/local/sbin/mailha-sync-apply > /tmp/broken-apply', edits.apply ?? '');
  await bed.exec('primary-1', ['bash', '/tmp/broken-push', bed.address('backup')]);
  await bed.exec('backup', ['bash', '/tmp/broken-apply']);
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
    for (const folder of folders) {
      await shell('primary-1', 'setpriv --reuid=5000 --regid=5000 --clear-groups -- maildiracl -set "$1" "$2" owner "$3"', MAILDIR, folder, FULL_RIGHTS);
    }
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
    await shell('primary-1', 'setpriv --reuid=5000 --regid=5000 --clear-groups -- maildiracl -set "$1" "$2" owner "$3"', MAILDIR, created, FULL_RIGHTS);
    await syncOrThrow();
    expect((await backupRights([created]))[created]).toBe('alr');
    expect((await readAccount('backup')).get(created)?.messages.map((m) => m.messageId)).toEqual([messageId('created')]);

    // Broken variant: a push and an apply that copy ACL files, without the read-only step.
    const aclsGood = await aclFiles('backup');
    await brokenSync({ push: "/courierimap.*acl/d", apply: "/courierimap.*acl/d" });
    const brokenRights = await backupRights([...folders, created]);
    expect(Object.values(brokenRights).filter((rights) => rights !== 'alr').length, JSON.stringify(brokenRights)).toBeGreaterThan(0);
    expect(await aclFiles('backup')).not.toEqual(aclsGood);

    // The real sync makes the backup read-only again for the tests that follow.
    await syncOrThrow();
    for (const [folder, rights] of Object.entries(await backupRights([...folders, created]))) expect(rights, folder).toBe('alr');
  });
});

