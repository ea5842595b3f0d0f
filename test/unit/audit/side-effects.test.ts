/** What reading wrote to a store, from two listings. */
import { describe, expect, test } from 'vitest';
import type { StoreEntry } from '../../../harness/bed/bed.js';
import { countByKind, diffStore, kindOf } from '../../../harness/audit/side-effects.js';
import { parseStoreListing, storeListingCommand } from '../../../harness/bed/docker/store-listing.js';

function file(path: string, mtimeMs = 1000, size = 10, mode = '644'): StoreEntry {
  return { path, type: 'file', size, mtimeMs, mode };
}
function dir(path: string, mtimeMs = 1000): StoreEntry {
  return { path, type: 'directory', size: 4096, mtimeMs, mode: '755' };
}

const BASE = 'user1/Maildir';
const before = [dir(BASE), dir(`${BASE}/cur`), dir(`${BASE}/new`), file(`${BASE}/courierimapuiddb`), file(`${BASE}/new/1700.M1P1.host,S=10`), file(`${BASE}/cur/1700.M2P1.host,S=10:2,`)];

describe('diffStore', () => {
  test('an unchanged store has no changes, even when directory times change', () => {
    const after = before.map((entry) => (entry.type === 'directory' ? { ...entry, mtimeMs: 2000 } : entry));
    expect(diffStore(before, after)).toEqual([]);
  });

  test('a message moved from new/ to cur/ is one move', () => {
    const after = before.filter((entry) => !entry.path.includes('/new/1700')).concat(file(`${BASE}/cur/1700.M1P1.host,S=10:2,`));
    expect(diffStore(before, after)).toEqual([{ kind: 'moved-new-to-cur', change: 'renamed', path: `${BASE}/cur/1700.M1P1.host,S=10:2,`, from: `${BASE}/new/1700.M1P1.host,S=10` }]);
  });

  test('a flag suffix change is a flag rename', () => {
    const after = before.filter((entry) => !entry.path.endsWith(':2,')).concat(file(`${BASE}/cur/1700.M2P1.host,S=10:2,S`));
    expect(diffStore(before, after).map((change) => change.kind)).toEqual(['message-flags-renamed']);
  });

  test('a rewritten UID database and a new ACL file are named', () => {
    const after = before.map((entry) => (entry.path.endsWith('courierimapuiddb') ? { ...entry, size: 99 } : entry)).concat(file(`${BASE}/.Sent/courierimapacl`));
    const changes = diffStore(before, after);
    expect(countByKind(changes)).toEqual({ 'uid-database': 1, 'acl-file': 1 });
    expect(changes.find((change) => change.kind === 'acl-file')?.change).toBe('added');
  });

  test('a removed message is reported as removed', () => {
    const after = before.filter((entry) => !entry.path.endsWith(':2,'));
    expect(diffStore(before, after)).toEqual([{ kind: 'message-file', change: 'removed', path: `${BASE}/cur/1700.M2P1.host,S=10:2,` }]);
  });
});

describe('kindOf', () => {
  test.each([
    ['user1/Maildir/tmp/1700.M3P2_imapuid_0.host', 'temporary-file'],
    ['user1/Maildir/courierimapkeywords/:list', 'keywords'],
    ['user1/Maildir/courierimapsubscribed', 'subscriptions'],
    ['user1/Maildir/courierimaphieracl/INBOX.Archive', 'acl-file'],
    ['user1/Maildir/maildirfolder', 'other'],
  ])('%s is %s', (path, kind) => {
    expect(kindOf(path)).toBe(kind);
  });
});

describe('parseStoreListing', () => {
  test('reads find -printf records, sorted by path', () => {
    const output = 'f\t61\t1733350000.5000000000\t444\tuser1/Maildir/cur/a:2,S\0d\t4096\t1733350000.0000000000\t555\tuser1/Maildir\0';
    expect(parseStoreListing(output)).toEqual([
      { path: 'user1/Maildir', type: 'directory', size: 4096, mtimeMs: 1733350000000, mode: '555' },
      { path: 'user1/Maildir/cur/a:2,S', type: 'file', size: 61, mtimeMs: 1733350000500, mode: '444' },
    ]);
  });

  test('rejects a record it cannot read, quoting it', () => {
    expect(() => parseStoreListing('garbage\0')).toThrow(/unreadable store listing record: "garbage"/);
  });

  test('the command lists below the root only', () => {
    expect(storeListingCommand('/srv/mail').slice(0, 4)).toEqual(['find', '/srv/mail', '-mindepth', '1']);
  });
});
