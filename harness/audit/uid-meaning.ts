/**
 * Whether a UID keeps its meaning across a sync: every (UIDVALIDITY, UID) that clients saw on the
 * backup must name the same message afterwards, or a client that caches by UID shows one message
 * under another's UID.
 */
import type { UidMap } from './state.js';

export interface UidMeaningChange {
  account: string;
  folder: string;
  /** `uidvalidity` when the folder's UIDVALIDITY changed, `uid` when a UID now names another message or none. */
  kind: 'uidvalidity' | 'uid';
  uid?: string;
  before: string | number | null;
  after: string | number | null;
}

export interface FolderUidMaps {
  account: string;
  folder: string;
  before: UidMap | { error: string };
  after: UidMap | { error: string };
}

/**
 * Lists every UID whose meaning changed. A UID that disappears counts too: under the same
 * UIDVALIDITY a client keeps showing the message it cached. A folder that could be read only
 * before or only after is reported as a UIDVALIDITY change from or to the error text. A folder
 * that could be read neither time is skipped.
 */
export function uidMeaningChanges(folders: readonly FolderUidMaps[]): UidMeaningChange[] {
  const changes: UidMeaningChange[] = [];
  for (const { account, folder, before, after } of folders) {
    // A folder unreadable both times has no UIDs a client could have cached; its failed reads are violations already.
    if ('error' in before && 'error' in after) continue;
    if ('error' in before || 'error' in after) {
      changes.push({ account, folder, kind: 'uidvalidity', before: 'error' in before ? before.error : before.uidValidity, after: 'error' in after ? after.error : after.uidValidity });
      continue;
    }
    if (before.uidValidity !== after.uidValidity) {
      changes.push({ account, folder, kind: 'uidvalidity', before: before.uidValidity, after: after.uidValidity });
      continue;
    }
    for (const [uid, messageId] of Object.entries(before.messageIds)) {
      const now = after.messageIds[uid] ?? null;
      if (now !== messageId) changes.push({ account, folder, kind: 'uid', uid, before: messageId, after: now });
    }
  }
  return changes;
}
