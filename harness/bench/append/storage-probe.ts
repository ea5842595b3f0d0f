/**
 * A direct check that a latency toxic sits on DRBD's write path: synchronous 4 KiB writes on
 * primary-1's OCFS2 file system, timed inside the guest. With protocol C each write completes
 * only after primary-2 has it, so the time per write grows by at least the link's added round trip.
 */
import type { UmlNode } from '../../bed/drbd/uml-node.js';

/** Number of writes per probe; one dd process does them all, so fork time in the guest is not counted. */
export const PROBE_WRITES = 20;
const PROBE_FILE = '/srv/mail/.mailha-bench-probe';

/**
 * Parses the seconds from dd's summary line, e.g.
 * `81920 bytes (82 kB, 80 KiB) copied, 0.0412 s, 2.0 MB/s` (GNU coreutils 9).
 *
 * @throws Error quoting the output when no such line is found.
 */
export function parseDdSeconds(output: string): number {
  const match = /copied, ([0-9.]+(?:e-?\d+)?) s,/.exec(output);
  if (!match) throw new Error(`dd printed no "copied, N s" line: ${output.trim().slice(-300)}`);
  return Number(match[1]);
}

/** Returns the mean milliseconds per O_DIRECT and O_DSYNC 4 KiB write on the node's mail file system. */
export async function probeSyncWriteMs(node: UmlNode): Promise<number> {
  const output = await node.exec(
    `dd if=/dev/zero of=${PROBE_FILE} bs=4096 count=${PROBE_WRITES} oflag=direct,dsync conv=notrunc 2>&1; status=$?; rm -f ${PROBE_FILE}; exit $status`,
    120_000,
  );
  return (parseDdSeconds(output) * 1000) / PROBE_WRITES;
}
