/** Configuration files of a dual-primary DRBD pair with OCFS2 on top, rendered for two UML nodes. */

/** One node of the pair, as DRBD and o2cb name it. */
export interface PairMember {
  /** Host name of the guest; DRBD's `on` section and o2cb's node name must equal it. */
  name: string;
  /** IPv4 address of the guest. */
  address: string;
}

/** Port of DRBD's replication connection on each node. */
export const DRBD_PORT = 7789;
/** Port of the o2cb cluster network (o2net) on each node. */
export const O2CB_PORT = 7777;
export const DRBD_RESOURCE = 'mailha';
export const DRBD_DEVICE = '/dev/drbd0';
/** The guest's second UML disk (`ubd1`), under DRBD's backing device. */
export const BACKING_DISK = '/dev/ubdb';
/** Name of the device-mapper device over {@link BACKING_DISK}; the guest's init creates it at every boot. */
export const BACKING_MAPPING = 'mailha-backing';
/**
 * DRBD's backing device: a device-mapper linear mapping of all of {@link BACKING_DISK}, so the
 * bed can make it fail with real I/O errors by loading dm's `error` target in its place.
 */
export const BACKING_DEVICE = `/dev/mapper/${BACKING_MAPPING}`;
export const OCFS2_CLUSTER = 'mailha';

/**
 * Renders the DRBD resource in the 8.4 configuration syntax, which drbd-utils 9.22 hands to its
 * `drbdadm-84` helper when the kernel module is 8.4 (Debian's UML 6.1 kernel ships 8.4.11).
 *
 * Protocol C, both nodes may be Primary at once (OCFS2 needs it), and short timeouts so a cut
 * link is noticed in about a second instead of about ten: `ping-timeout` is in tenths of a second.
 * Split-brain recovery is automatic only where no data can be lost (`discard-zero-changes`,
 * `discard-secondary`); with two primaries that both wrote, the nodes stay disconnected.
 * `on-io-error detach` makes DRBD drop a backing device that returns an I/O error and go on
 * through the peer's disk (DRBD 8.4's default is `pass_on`, which reports the error upward).
 *
 * With `fencePeer`, DRBD freezes IO when it loses the peer and runs that command
 * (`resource-and-stonith`); IO resumes when it exits 7, "peer powered off".
 *
 * `dialAddresses` replaces the `IP:PORT` this node's file gives for a member. A node binds to its
 * own entry and dials the peer's, so each node's file may name the peer differently, for example
 * through a proxy. DRBD 8.4.11 connects with files that differ this way and accepts connections
 * from the proxy's address (seen in test/bed/drbd.test.ts).
 */
export function renderDrbdResource(
  members: readonly [PairMember, PairMember],
  dialAddresses: Readonly<Record<string, string>> = {},
  fencePeer?: string,
): string {
  if (fencePeer?.includes('"')) throw new Error(`fence-peer command must not contain a double quote: ${fencePeer}`);
  const fencing = fencePeer ? `    fencing resource-and-stonith;\n` : '';
  const handlers = fencePeer ? `  handlers {\n    fence-peer "${fencePeer}";\n  }\n` : '';
  const on = members
    .map((member) => `  on ${member.name} {\n    address ${dialAddresses[member.name] ?? `${member.address}:${DRBD_PORT}`};\n  }\n`)
    .join('');
  return `resource ${DRBD_RESOURCE} {
  device ${DRBD_DEVICE};
  disk ${BACKING_DEVICE};
  meta-disk internal;
  net {
    protocol C;
    allow-two-primaries yes;
    ping-int 1;
    ping-timeout 5;
    connect-int 1;
    after-sb-0pri discard-zero-changes;
    after-sb-1pri discard-secondary;
    after-sb-2pri disconnect;
  }
  disk {
    on-io-error detach;
    c-plan-ahead 0;
    resync-rate 400M;
${fencing}  }
${handlers}${on}}
`;
}

/**
 * Renders `/etc/ocfs2/cluster.conf` for the o2cb stack. ocfs2-tools reads it as stanzas whose
 * attribute lines start with a tab, and node numbers must be unique within the cluster.
 */
export function renderClusterConf(members: readonly PairMember[]): string {
  const nodes = members
    .map((member, index) => `node:\n\tip_port = ${O2CB_PORT}\n\tip_address = ${member.address}\n\tnumber = ${index}\n\tname = ${member.name}\n\tcluster = ${OCFS2_CLUSTER}\n\n`)
    .join('');
  return `cluster:\n\tnode_count = ${members.length}\n\theartbeat_mode = local\n\tname = ${OCFS2_CLUSTER}\n\n${nodes}`;
}
