/**
 * The bed contract: what the scenario runner needs from whatever runs the nodes. The container
 * bed implements it today; a simulator or a multi-host runtime can implement it later without
 * touching scenarios, history or checkers.
 */
import type { DiskFailMode, NodeName } from '../scenario/schema.js';

/** A component that is not the real thing, named in every report. */
export interface StandIn {
  component: string;
  standsFor: string;
  reason: string;
}

/** Result of one replication run from a primary to the backup. */
export interface SyncOutcome {
  ok: boolean;
  from: NodeName | null;
  durationMs: number;
  /**
   * Files and bytes transferred, when the transport reported them, and the time in ms of the push
   * and of the apply step with the read-only pass that follows it (`pushMs`, `applyMs`).
   */
  stats: Record<string, number>;
  /** Error text when `ok` is false. */
  error?: string;
}

export interface DnsUpdateOutcome {
  ok: boolean;
  addresses: string[];
  output: string;
}

/** Toxics on named proxies (see `links/links.ts` for the proxy names). */
export interface LinkControl {
  addToxic(proxy: string, toxic: { name: string; type: string; stream: 'upstream' | 'downstream'; toxicity: number; attributes: Record<string, number> }): Promise<void>;
  removeToxic(proxy: string, toxicName: string): Promise<void>;
  /** Removes every toxic and re-enables every proxy. */
  reset(): Promise<void>;
  /** Describes each toxic still present and each disabled or missing proxy. */
  leftovers(): Promise<string[]>;
}

/**
 * Replication state of one primary's block device, as DRBD names it: connection state (cs),
 * roles (ro) and disk states (ds) of the node and its peer. A node that is powered off reads as
 * connection `Off` with null roles and disks.
 */
export interface StorageState {
  connection: string;
  role: string | null;
  peerRole: string | null;
  disk: string | null;
  peerDisk: string | null;
  /** KiB not yet in sync with the peer; null when not known. */
  outOfSyncKiB: number | null;
}

/** One file or directory of a mail store; `path` is relative to the store's root. */
export interface StoreEntry {
  path: string;
  type: 'file' | 'directory' | 'other';
  size: number;
  /** Modification time in milliseconds since the epoch. */
  mtimeMs: number;
  /** Permission bits in octal, e.g. `644`. */
  mode: string;
}

/** A node the bed powered off by itself, outside any scenario step. */
export interface NodeLoss {
  node: NodeName;
  /** Cause of the power-off, e.g. `fence`. */
  cause: string;
  /** Facts about the loss, such as the node that requested the fence. */
  detail: Record<string, unknown>;
}

/** Orders store entries or changes by path, by UTF-16 code units as `find` lists them in the C locale. */
export function byPath(a: { path: string }, b: { path: string }): number {
  if (a.path < b.path) return -1;
  if (a.path > b.path) return 1;
  return 0;
}

export interface Bed {
  readonly runId: string;
  readonly standIns: readonly StandIn[];
  readonly zone: string;
  /** The name clients resolve to find the IMAP service, e.g. `imap.mailha.test`. */
  readonly imapHostname: string;
  /** `IP:PORT` of the DNS server clients query. */
  readonly dnsServer: string;
  /** IMAP address of a node (stable across kill and start). */
  address(node: NodeName): string;
  /** Topology node serving an address, or null for an address the bed does not own. */
  nodeOf(address: string): NodeName | null;
  isRunning(node: NodeName): boolean;
  /** Kills nodes at once (SIGKILL, no shutdown). */
  kill(nodes: readonly NodeName[]): Promise<void>;
  /** Stops nodes gracefully (SIGTERM, then SIGKILL after a grace period). */
  stop(nodes: readonly NodeName[]): Promise<void>;
  /** Freezes every process of the nodes. Their sockets stay open, but nothing responds. */
  pause(nodes: readonly NodeName[]): Promise<void>;
  /** Thaws paused nodes. */
  resume(nodes: readonly NodeName[]): Promise<void>;
  /** Starts killed or stopped nodes again and waits until each serves IMAP (or DNS). */
  start(nodes: readonly NodeName[]): Promise<void>;
  /**
   * Address and port a health check dials to read a node's IMAP greeting. It does not pass
   * through the client links, so link faults on those links do not reach it.
   */
  probeAddress(node: NodeName): { host: string; port: number };
  /** Address and port of the proxy a workload client dials to reach a node. */
  route(client: string, node: NodeName): { host: string; port: number };
  /** Toxics on the bed's links. */
  readonly links: LinkControl;
  /** Describes every node that is not running, or is paused; empty when all match the topology. */
  nodeProblems(): Promise<string[]>;
  /**
   * Runs one replication pass from a running primary into the backup's staging tree, applies it
   * to the backup's live store only when the whole push succeeded, then re-applies read-only mode.
   */
  sync(): Promise<SyncOutcome>;
  /**
   * Every file and directory of a node's mail store, with size, modification time and mode,
   * so that a caller can tell what a sequence of IMAP commands wrote to disk.
   */
  listStore(node: NodeName): Promise<StoreEntry[]>;
  /**
   * Reads the replicated block device's state on each primary, or returns null when the bed
   * has no replicated storage (the shared-volume stand-in).
   */
  readStorageStates(): Promise<Partial<Record<NodeName, StorageState>> | null>;
  /**
   * Fails the backing disk under a primary's replicated device and returns once DRBD reads it as
   * Diskless. The node goes on serving through its peer's disk. `io-error` makes the backing
   * device return I/O errors, so DRBD detaches by its own policy, and `detach` detaches it by
   * command. Returns the node's kernel log lines about the failure. Throws when the bed has no
   * replicated storage.
   */
  failDisk(node: NodeName, mode: DiskFailMode): Promise<string[]>;
  /** Makes the failed disk work again and attaches it, and DRBD resyncs it from the peer. */
  repairDisk(node: NodeName): Promise<void>;
  /**
   * Registers a listener for nodes the bed powers off by itself: with DRBD storage, the
   * fence-peer handler has the bed kill a primary. The node then counts as not running.
   */
  onNodeLoss(listener: (loss: NodeLoss) => void): void;
  /** Replaces the A records of the IMAP hostname with a TSIG-signed dynamic update. */
  updateDns(addresses: readonly string[]): Promise<DnsUpdateOutcome>;
  /** Removes every container, network and volume of the run. Safe to call twice. */
  close(): Promise<void>;
}

/** CPU time of each node's processes and bytes through the link proxies, as cumulative counters. */
export interface ResourceUsage {
  /** CPU time in microseconds used by each node since it started. */
  cpuMicros: Partial<Record<NodeName, number>>;
  /** Bytes received plus bytes sent by the proxy host, over every link; each byte crosses it twice. */
  proxyBytes: number;
}

/**
 * Abilities a benchmark needs beyond the scenario contract: shell access to a node, bulk file
 * copies into it, and resource counters. Optional, so a bed without them still runs scenarios.
 */
export interface NodeShell {
  /** Runs a command in a node; resolves with its output, rejects naming node, container and command on a non-zero exit. */
  exec(node: NodeName, command: string[]): Promise<string>;
  /** Extracts a tar archive, read from `archive`, into `directory` of a node. */
  putArchive(node: NodeName, directory: string, archive: NodeJS.ReadableStream): Promise<void>;
  /** `HOST:PORT` at which a primary reaches the backup's rsync module through the replication link. */
  replicationTarget(): string;
  /** Reads the cumulative counters; callers subtract two readings. */
  usage(): Promise<ResourceUsage>;
}
