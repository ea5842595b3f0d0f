/** DRBD 8.4 state of one resource as `/proc/drbd` shows it. */

/** Connection, role and disk state of the local node and of its peer, as DRBD names them. */
export interface DrbdState {
  /** Connection state, e.g. `Connected`, `WFConnection`, `SyncSource`, `StandAlone`, `Unconfigured`. */
  connection: string;
  /** `Primary`, `Secondary` or `Unknown`; null when the resource is unconfigured. */
  role: string | null;
  peerRole: string | null;
  /** Disk state, e.g. `UpToDate`, `Inconsistent`, `Diskless`; null when unconfigured. */
  disk: string | null;
  peerDisk: string | null;
  /** Data not yet in sync with the peer, in KiB (the `oos:` field); null when not shown. */
  outOfSyncKiB: number | null;
}

/**
 * Parses the state of minor `minor` from the text of `/proc/drbd` (DRBD 8.4 format: a line
 * ` 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----` and a counter line with
 * `oos:`). A minor that is missing reads as `Unconfigured`.
 */
export function parseProcDrbd(text: string, minor = 0): DrbdState {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => new RegExp(`^\\s*${minor}: cs:`).test(line));
  if (index < 0) return { connection: 'Unconfigured', role: null, peerRole: null, disk: null, peerDisk: null, outOfSyncKiB: null };

  const stateLine = lines[index]!;
  const connection = /cs:(\S+)/.exec(stateLine)![1]!;
  const roles = /ro:(\w+)\/(\w+)/.exec(stateLine);
  const disks = /ds:(\w+)\/(\w+)/.exec(stateLine);
  const counters = lines[index + 1] ?? '';
  const outOfSync = /\boos:(\d+)/.exec(counters);
  return {
    connection,
    role: roles?.[1] ?? null,
    peerRole: roles?.[2] ?? null,
    disk: disks?.[1] ?? null,
    peerDisk: disks?.[2] ?? null,
    outOfSyncKiB: outOfSync ? Number(outOfSync[1]) : null,
  };
}

/** Formats a state as `/proc/drbd` does, e.g. `Connected Primary/Primary UpToDate/UpToDate`. */
export function formatDrbdState(state: DrbdState): string {
  if (state.role === null) return state.connection;
  return `${state.connection} ${state.role}/${state.peerRole} ${state.disk}/${state.peerDisk}`;
}
