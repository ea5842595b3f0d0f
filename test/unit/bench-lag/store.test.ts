import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { afterAll, describe, expect, test } from 'vitest';
import { writeStoreArchive } from '../../../harness/bench/lag/store.js';

const dir = await mkdtemp(join(tmpdir(), 'mailha-store-test-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Reads every entry of a tar file into memory. */
async function readArchive(file: string): Promise<Map<string, { content: Buffer; uid: number; mode: number }>> {
  const entries = new Map<string, { content: Buffer; uid: number; mode: number }>();
  const reader = extract();
  createReadStream(file).pipe(reader);
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    entries.set(entry.header.name, { content: Buffer.concat(chunks), uid: entry.header.uid ?? -1, mode: entry.header.mode ?? 0 });
  }
  return entries;
}

describe('store archive', () => {
  const accounts = [
    { login: 'user1', password: 'a' },
    { login: 'user2', password: 'b' },
    { login: 'user3', password: 'c' },
  ];

  test('spreads messages and lists each in the uiddb', async () => {
    const file = join(dir, 'store.tar');
    const summary = await writeStoreArchive(file, accounts, 10, 1);
    const entries = await readArchive(file);

    expect(summary.messages).toBe(10);
    const perAccount = accounts.map((account) => [...entries.keys()].filter((name) => name.startsWith(`${account.login}/Maildir/cur/`) && !name.endsWith('/')).length);
    expect(perAccount).toEqual([4, 3, 3]);

    for (const account of accounts) {
      const uiddb = entries.get(`${account.login}/Maildir/courierimapuiddb`)!.content.toString().trimEnd().split('\n');
      const files = [...entries.keys()].filter((name) => name.startsWith(`${account.login}/Maildir/cur/`) && !name.endsWith('/'));
      const [version, uidValidity, nextUid] = uiddb[0].split(' ').map(Number);
      expect(version).toBe(1);
      expect(uidValidity).toBeGreaterThan(0);
      expect(nextUid).toBe(files.length + 1);
      const listed = uiddb.slice(1).map((line) => line.split(' '));
      expect(listed.map(([uid]) => Number(uid))).toEqual(files.map((_, i) => i + 1));
      // Each listed base name is a message file without its ":2,FLAGS" suffix.
      expect(listed.map(([, base]) => base).sort()).toEqual(files.map((name) => name.split('/').at(-1)!.split(':')[0]).sort());
    }
  });

  test('probe folder is empty with a uiddb', async () => {
    const file = join(dir, 'store-probes.tar');
    await writeStoreArchive(file, accounts, 6, 4);
    const entries = await readArchive(file);

    for (const account of accounts) {
      const folder = `${account.login}/Maildir/.Probes`;
      expect(entries.has(`${folder}/maildirfolder`), folder).toBe(true);
      expect(entries.has(`${folder}/cur/`), folder).toBe(true);
      const uiddb = entries.get(`${folder}/courierimapuiddb`)!.content.toString();
      expect(uiddb).toMatch(/^1 \d+ 1\n$/);
      expect([...entries.keys()].filter((name) => name.startsWith(`${folder}/cur/`) && !name.endsWith('/'))).toEqual([]);
    }
  });

  test('messages are whole corpus mail with LF endings', async () => {
    const file = join(dir, 'store-2.tar');
    const summary = await writeStoreArchive(file, accounts.slice(0, 1), 5, 2);
    const entries = await readArchive(file);
    const messages = [...entries].filter(([name]) => name.includes('/cur/') && !name.endsWith('/'));

    expect(messages).toHaveLength(5);
    let bytes = 0;
    for (const [name, entry] of messages) {
      const text = entry.content.toString('latin1');
      expect(text).not.toContain('\r\n');
      expect(text).toMatch(/^Message-ID: <store\.user1\.\d+@mailha\.test>$/m);
      // Courier reads the size from ",S=" in the name instead of calling stat.
      expect(name).toContain(`,S=${entry.content.length}:2,`);
      expect(entry.uid).toBe(5000);
      bytes += entry.content.length;
    }
    expect(summary.bytes).toBe(bytes);
  });

  test('same seed gives the same archive', async () => {
    const first = await readArchive((await writeStoreArchive(join(dir, 'a.tar'), accounts, 6, 3), join(dir, 'a.tar')));
    const second = await readArchive((await writeStoreArchive(join(dir, 'b.tar'), accounts, 6, 3), join(dir, 'b.tar')));
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [name, entry] of first) expect(second.get(name)!.content.equals(entry.content), name).toBe(true);
  });
});
