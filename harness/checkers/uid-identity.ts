/**
 * UID identity: for every folder, UIDVALIDITY never changes, and a (UIDVALIDITY, UID) pair names
 * the same message on every server and at every observation. Clients that cache by UID (offlineimap,
 * mbsync, K-9) throw their cache away when UIDVALIDITY changes, and show the wrong message when a
 * pair is reused.
 */
import type { Checker, CheckInput, CheckResult } from './types.js';
import { completedOperations } from './timeline.js';

const NAME = 'uid-identity';

interface Sighting {
  messageId: string;
  source: string;
}

export const uidIdentity: Checker = {
  name: NAME,
  description:
    'Every folder keeps one UIDVALIDITY across servers and time, and each (UIDVALIDITY, UID) pair names one message, from APPENDUID replies, searches and every observation.',

  check({ history, snapshots }: CheckInput): CheckResult {
    const names = new Map<string, Sighting>();
    const validities = new Map<string, Map<number, string>>();
    const conflicts: unknown[] = [];
    let sightings = 0;

    const seeValidity = (account: string, folder: string, uidValidity: number, source: string) => {
      const key = `${account}/${folder}`;
      const seen = validities.get(key) ?? new Map<number, string>();
      if (!seen.has(uidValidity)) seen.set(uidValidity, source);
      validities.set(key, seen);
    };
    const see = (account: string, folder: string, uidValidity: number, uid: number, messageId: string, source: string) => {
      sightings += 1;
      seeValidity(account, folder, uidValidity, source);
      const key = `${account}/${folder}/${uidValidity}/${uid}`;
      const earlier = names.get(key);
      if (!earlier) names.set(key, { messageId, source });
      else if (earlier.messageId !== messageId) {
        conflicts.push({ account, folder, uidValidity, uid, first: earlier, then: { messageId, source } });
      }
    };

    for (const { invoke, completion } of completedOperations(history)) {
      if (completion.type !== 'ok' || !invoke.account || !invoke.folder) continue;
      const value = completion.value ?? {};
      const where = `${invoke.f} entry ${completion.index} on ${completion.node}`;
      if (invoke.f === 'append' && typeof value.uid === 'number' && typeof value.uidValidity === 'number') {
        see(invoke.account, invoke.folder, value.uidValidity, value.uid, String(invoke.value?.messageId), where);
      }
      if (invoke.f === 'search' && typeof value.uidValidity === 'number' && Array.isArray(value.uids) && value.uids.length === 1) {
        see(invoke.account, invoke.folder, value.uidValidity, value.uids[0] as number, String(invoke.value?.messageId), where);
      }
      if (invoke.f === 'fetch' && typeof value.uidValidity === 'number') seeValidity(invoke.account, invoke.folder, value.uidValidity, where);
    }
    for (const snapshot of snapshots) {
      for (const [account, folders] of Object.entries(snapshot.accounts)) {
        for (const [folder, state] of Object.entries(folders)) {
          const where = `observation "${snapshot.label}" of ${snapshot.node}`;
          seeValidity(account, folder, state.uidValidity, where);
          for (const message of state.messages) {
            if (message.messageId) see(account, folder, state.uidValidity, message.uid, message.messageId, where);
          }
        }
      }
    }

    const changed = [...validities.entries()]
      .filter(([, seen]) => seen.size > 1)
      .map(([folder, seen]) => ({
        folder,
        values: [...seen.entries()].map(([uidValidity, firstSeen]) => ({ uidValidity, firstSeen })),
        cachingClient: 'discards its cache of the folder and downloads it again; offline copies may be deleted',
      }));
    const evidence = {
      sightings,
      folders: validities.size,
      uidValidityChanged: { count: changed.length, sample: changed.slice(0, 20) },
      pairReused: { count: conflicts.length, sample: conflicts.slice(0, 20) },
    };
    if (changed.length + conflicts.length > 0) {
      return {
        name: NAME,
        verdict: 'invalid',
        summary: `${changed.length} folders changed UIDVALIDITY and ${conflicts.length} (UIDVALIDITY, UID) pairs named two different messages across ${sightings} sightings.`,
        evidence,
      };
    }
    if (sightings === 0) return { name: NAME, verdict: 'unknown', summary: 'Cannot check: no UID was seen in the history or the observations.', evidence };
    return {
      name: NAME,
      verdict: 'valid',
      summary: `All ${validities.size} folders kept one UIDVALIDITY, and ${sightings} sightings of UIDs agreed on every server.`,
      evidence,
    };
  },
};
