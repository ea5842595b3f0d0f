/**
 * Both primaries serve the same mail: at the latest observation that read both, every folder has
 * the same UIDVALIDITY on each, and each UID names the same message (Message-ID and content).
 * With DRBD this shows that a node that returned, resynced or ran diskless serves its peer's data.
 */
import type { FolderObservation, MailboxSnapshot } from '../history/snapshot.js';
import type { HistoryEntry } from '../history/types.js';
import type { Checker, CheckInput, CheckResult } from './types.js';
import { completedOperations } from './timeline.js';

const NAME = 'primaries-agree';
const PRIMARIES = ['primary-1', 'primary-2'] as const;
/** Differences kept as evidence; the count covers them all. */
const SAMPLE_SIZE = 20;

/** Returns the latest label observed on both primaries, preferring the final observation. */
function latestPairLabel(snapshots: readonly MailboxSnapshot[]): string | null {
  const labels = (node: string) => new Set(snapshots.filter((snapshot) => snapshot.node === node).map((snapshot) => snapshot.label));
  const [first, second] = PRIMARIES.map(labels);
  const shared = [...first!].filter((label) => second!.has(label));
  if (shared.includes('final')) return 'final';
  const latest = (label: string) => Math.max(...snapshots.filter((snapshot) => snapshot.label === label).map((snapshot) => snapshot.time));
  return shared.sort((a, b) => latest(b) - latest(a))[0] ?? null;
}

/**
 * Returns the Message-IDs of APPENDs whose outcome is unknown. The server may still be writing
 * such a message after the client gave up, so it can land between the two observations.
 */
function unknownAppends(history: readonly HistoryEntry[]): Set<string> {
  const ids = new Set<string>();
  for (const { invoke, completion } of completedOperations(history)) {
    if (invoke.f === 'append' && completion.type === 'info' && typeof invoke.value?.messageId === 'string') ids.add(invoke.value.messageId);
  }
  return ids;
}

/**
 * Lists how two observations of one folder differ, as sentences. A message on one node only
 * whose Message-ID is in `inFlight` goes to `pending` instead.
 */
function folderDifferences(where: string, first: FolderObservation | undefined, second: FolderObservation | undefined, inFlight: ReadonlySet<string>, pending: string[]): string[] {
  if (!first || !second) return [`${where}: observed on ${first ? 'primary-1' : 'primary-2'} only`];
  const differences: string[] = [];
  if (first.uidValidity !== second.uidValidity) differences.push(`${where}: UIDVALIDITY ${first.uidValidity} on primary-1, ${second.uidValidity} on primary-2`);
  const byUid = new Map(second.messages.map((message) => [message.uid, message]));
  for (const message of first.messages) {
    const other = byUid.get(message.uid);
    byUid.delete(message.uid);
    if (!other) (message.messageId && inFlight.has(message.messageId) ? pending : differences).push(`${where}: UID ${message.uid} (${message.messageId}) on primary-1 only`);
    else if (other.messageId !== message.messageId || other.hash !== message.hash) {
      differences.push(`${where}: UID ${message.uid} is ${message.messageId} on primary-1 but ${other.messageId} on primary-2`);
    }
  }
  for (const message of byUid.values()) {
    (message.messageId && inFlight.has(message.messageId) ? pending : differences).push(`${where}: UID ${message.uid} (${message.messageId}) on primary-2 only`);
  }
  return differences;
}

export const primariesAgree: Checker = {
  name: NAME,
  description:
    'At the latest observation of both primaries (the final one when there is one), each folder has the same UIDVALIDITY on both and each UID names the same message, by Message-ID and content. A message on one primary only whose APPEND had an unknown outcome is counted apart, as it may have landed between the two observations.',

  check({ history, snapshots }: CheckInput): CheckResult {
    const label = latestPairLabel(snapshots);
    if (!label) return { name: NAME, verdict: 'unknown', summary: 'Cannot check: no observation read both primaries.', evidence: {} };
    const [first, second] = PRIMARIES.map((node) => snapshots.filter((snapshot) => snapshot.node === node && snapshot.label === label).at(-1)!);
    const errors = [...first!.errors, ...second!.errors];
    const differences: string[] = [];
    const pending: string[] = [];
    const inFlight = unknownAppends(history);
    let messages = 0;
    const accounts = new Set([...Object.keys(first!.accounts), ...Object.keys(second!.accounts)]);
    // An account missing from an observation that reported errors was not read, which proves no difference.
    const unread = [...accounts].filter((account) => [first!, second!].some((snapshot) => !(account in snapshot.accounts) && snapshot.errors.length > 0));
    for (const account of accounts) {
      if (unread.includes(account)) continue;
      const folders = new Set([...Object.keys(first!.accounts[account] ?? {}), ...Object.keys(second!.accounts[account] ?? {})]);
      for (const folder of folders) {
        const onFirst = first!.accounts[account]?.[folder];
        messages += onFirst?.messages.length ?? 0;
        differences.push(...folderDifferences(`${account}/${folder}`, onFirst, second!.accounts[account]?.[folder], inFlight, pending));
      }
    }
    const evidence = { label, messages, differences: differences.length, sample: differences.slice(0, SAMPLE_SIZE), unknownOutcomeOnOneNode: pending, unreadAccounts: unread, observationErrors: errors };
    if (differences.length > 0) {
      return { name: NAME, verdict: 'invalid', summary: `${differences.length} differences between the primaries at observation "${label}", e.g. ${differences[0]}.`, evidence };
    }
    if (errors.length > 0) {
      return { name: NAME, verdict: 'unknown', summary: `The observation "${label}" could not read everything (${errors[0]}), so the primaries may differ where it did not look.`, evidence };
    }
    const apart = pending.length > 0 ? ` ${pending.length} message${pending.length === 1 ? '' : 's'} whose APPEND had an unknown outcome ${pending.length === 1 ? 'was' : 'were'} on one primary only.` : '';
    return { name: NAME, verdict: 'valid', summary: `Both primaries served the same ${messages} messages with the same UIDs at observation "${label}".${apart}`, evidence };
  },
};
