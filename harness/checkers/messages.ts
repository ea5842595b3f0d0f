/** What the history says about each tracked message: where it was appended, and when. */
import type { HistoryEntry, OperationEntry } from '../history/types.js';
import type { FolderObservation, MailboxSnapshot, MessageObservation } from '../history/snapshot.js';
import { completedOperations } from './timeline.js';

export interface AcknowledgedAppend {
  messageId: string;
  hash: string;
  account: string;
  folder: string;
  node: string | null;
  uid: number | null;
  uidValidity: number | null;
  invokedAt: number;
  acknowledgedAt: number;
}

export interface ExpungeRecord {
  messageId: string;
  account: string;
  folder: string;
  node: string | null;
  invokedAt: number;
  completedAt: number;
  type: OperationEntry['type'];
}

/** Appends the server acknowledged with OK, from any process (clients and the seeding step). */
export function acknowledgedAppends(history: readonly HistoryEntry[]): AcknowledgedAppend[] {
  return completedOperations(history)
    .filter(({ invoke, completion }) => invoke.f === 'append' && completion.type === 'ok')
    .map(({ invoke, completion }) => ({
      messageId: String(invoke.value?.messageId),
      hash: String(invoke.value?.hash),
      account: String(invoke.account),
      folder: String(invoke.folder),
      node: completion.node,
      uid: typeof completion.value?.uid === 'number' ? completion.value.uid : null,
      uidValidity: typeof completion.value?.uidValidity === 'number' ? completion.value.uidValidity : null,
      invokedAt: invoke.time,
      acknowledgedAt: completion.time,
    }));
}

/** Every expunge attempt that names a tracked message, whatever its outcome. */
export function expungeAttempts(history: readonly HistoryEntry[]): ExpungeRecord[] {
  return completedOperations(history)
    .filter(({ invoke }) => invoke.f === 'expunge' && typeof invoke.value?.messageId === 'string')
    .map(({ invoke, completion }) => ({
      messageId: String(invoke.value?.messageId),
      account: String(invoke.account),
      folder: String(invoke.folder),
      node: completion.node,
      invokedAt: invoke.time,
      completedAt: completion.time,
      type: completion.type,
    }));
}

/** Looks a message up by Message-ID in one folder of a snapshot; returns every copy found. */
export function findInFolder(folder: FolderObservation | undefined, messageId: string): MessageObservation[] {
  return folder ? folder.messages.filter((message) => message.messageId === messageId) : [];
}

/** Finds every copy of a message in any folder of an account. */
export function findInAccount(
  snapshot: MailboxSnapshot,
  account: string,
  messageId: string,
): Array<{ folder: string; message: MessageObservation }> {
  const folders = snapshot.accounts[account] ?? {};
  return Object.entries(folders).flatMap(([folder, state]) =>
    findInFolder(state, messageId).map((message) => ({ folder, message })),
  );
}
