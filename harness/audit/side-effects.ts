/**
 * Changes that a sequence of IMAP commands made to a mail store, from two listings taken before and
 * after it. Courier writes to the Maildir while it only reads (it moves messages from `new/` to
 * `cur/`, assigns UIDs, writes inherited ACL files), so the audit lists the store around its
 * reading routine and names each change.
 */
import { byPath, type StoreEntry } from '../bed/bed.js';

export type StoreChangeKind =
  | 'moved-new-to-cur'
  | 'message-flags-renamed'
  | 'uid-database'
  | 'acl-file'
  | 'keywords'
  | 'subscriptions'
  | 'temporary-file'
  | 'message-file'
  | 'other';

export interface StoreChange {
  kind: StoreChangeKind;
  /** `added`, `removed` or `changed` (size, modification time or mode). For a rename, the new path. */
  change: 'added' | 'removed' | 'changed' | 'renamed';
  path: string;
  /** The old path of a rename. */
  from?: string;
}

/** Base name of a Maildir message file: the part before `:2,FLAGS`. */
function messageBase(path: string): string | undefined {
  const match = /(?:^|\/)(?:cur|new)\/([^/:]+)(?::2,[^/]*)?$/.exec(path);
  return match?.[1];
}

function folderOf(path: string): string {
  return path.replace(/\/?(?:cur|new)\/[^/]+$/, '');
}

/** Names the kind of a changed path from where it sits in the Maildir. */
export function kindOf(path: string): StoreChangeKind {
  const name = path.split('/').at(-1) ?? '';
  if (name === 'courierimapuiddb') return 'uid-database';
  if (name === 'courierimapacl' || path.includes('courierimaphieracl')) return 'acl-file';
  if (path.includes('courierimapkeywords')) return 'keywords';
  if (name === 'courierimapsubscribed') return 'subscriptions';
  if (/(?:^|\/)tmp\//.test(path)) return 'temporary-file';
  if (messageBase(path) !== undefined) return 'message-file';
  return 'other';
}

/**
 * Compares two listings of one store. Directories count only when added or removed, because a
 * directory's modification time changes with every entry written in it. A message file that
 * disappears from `new/` and reappears under `cur/` with the same base name is one move. One
 * that changes only its `:2,FLAGS` suffix is one flag change.
 */
export function diffStore(before: readonly StoreEntry[], after: readonly StoreEntry[]): StoreChange[] {
  const old = new Map(before.map((entry) => [entry.path, entry]));
  const now = new Map(after.map((entry) => [entry.path, entry]));
  const removed = before.filter((entry) => !now.has(entry.path));
  const added = after.filter((entry) => !old.has(entry.path));
  const changes: StoreChange[] = [];

  const addedMessages = new Map<string, StoreEntry>();
  for (const entry of added) {
    const base = messageBase(entry.path);
    if (entry.type === 'file' && base) addedMessages.set(`${folderOf(entry.path)}\0${base}`, entry);
  }
  const paired = new Set<string>();
  for (const entry of removed) {
    const base = messageBase(entry.path);
    const match = base ? addedMessages.get(`${folderOf(entry.path)}\0${base}`) : undefined;
    if (entry.type === 'file' && match) {
      paired.add(match.path);
      const moved = /(?:^|\/)new\//.test(entry.path) && /(?:^|\/)cur\//.test(match.path);
      changes.push({ kind: moved ? 'moved-new-to-cur' : 'message-flags-renamed', change: 'renamed', path: match.path, from: entry.path });
    } else {
      changes.push({ kind: kindOf(entry.path), change: 'removed', path: entry.path });
    }
  }
  for (const entry of added) {
    if (!paired.has(entry.path)) changes.push({ kind: kindOf(entry.path), change: 'added', path: entry.path });
  }
  for (const entry of after) {
    const previous = old.get(entry.path);
    if (!previous || entry.type === 'directory') continue;
    if (previous.size !== entry.size || previous.mtimeMs !== entry.mtimeMs || previous.mode !== entry.mode) {
      changes.push({ kind: kindOf(entry.path), change: 'changed', path: entry.path });
    }
  }
  return changes.sort(byPath);
}

/** Counts changes by kind, for summaries. */
export function countByKind(changes: readonly StoreChange[]): Partial<Record<StoreChangeKind, number>> {
  const counts: Partial<Record<StoreChangeKind, number>> = {};
  for (const change of changes) counts[change.kind] = (counts[change.kind] ?? 0) + 1;
  return counts;
}
