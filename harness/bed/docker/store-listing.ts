/** Reads a node's mail store as a list of entries with `find -printf`, which every image has. */
import { byPath, type StoreEntry } from '../bed.js';

/** `find -printf %y` letters of the entry types the listing distinguishes. */
const ENTRY_TYPES: Record<string, StoreEntry['type']> = { f: 'file', d: 'directory' };

/** Builds the `find` command whose output {@link parseStoreListing} reads, with one NUL-terminated record per entry. */
export function storeListingCommand(root: string): string[] {
  return ['find', root, '-mindepth', '1', '-printf', '%y\\t%s\\t%T@\\t%m\\t%P\\0'];
}

/** Parses the output of {@link storeListingCommand}; throws on a record it cannot read, naming it. */
export function parseStoreListing(output: string): StoreEntry[] {
  const entries: StoreEntry[] = [];
  for (const record of output.split('\0')) {
    if (record.trim() === '') continue;
    const [kind, size, mtime, mode, ...path] = record.replace(/^\n/, '').split('\t');
    const seconds = Number(mtime);
    if (path.length === 0 || !Number.isFinite(seconds) || !/^\d+$/.test(size ?? '')) {
      throw new Error(`unreadable store listing record: ${JSON.stringify(record)}`);
    }
    entries.push({
      path: path.join('\t'),
      type: ENTRY_TYPES[kind] ?? 'other',
      size: Number(size),
      mtimeMs: Math.round(seconds * 1000),
      mode: mode ?? '',
    });
  }
  return entries.sort(byPath);
}
