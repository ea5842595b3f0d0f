/**
 * Two UML nodes with real DRBD in dual-primary mode (protocol C), OCFS2 on the o2cb stack on
 * top, and Courier serving IMAP from the shared file system on both.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { getContainerRuntimeClient } from 'testcontainers';
import type { Account } from '../../workload/client.js';
import { createInternalNetwork } from '../docker/internal-network.js';
import { removeLabelled } from '../docker/labels.js';
import { proxySpecs, STORAGE_PROXY } from '../links/links.js';
import { startToxiproxyContainer } from '../links/toxiproxy-container.js';
import type { ToxiproxyLinks } from '../links/toxiproxy-links.js';
import type { DiskFailMode } from '../../scenario/schema.js';
import { BACKING_DISK, BACKING_MAPPING, DRBD_DEVICE, DRBD_PORT, DRBD_RESOURCE, OCFS2_CLUSTER, renderClusterConf, renderDrbdResource, type PairMember } from './config.js';
import { formatDrbdState, parseProcDrbd, type DrbdState } from './status.js';
import { StonithFencer } from './stonith.js';
import { UmlNode } from './uml-node.js';

/** Host octets of the two nodes in the run's /24, the same as the container bed's primaries. */
const NODE_OCTETS = { 'primary-1': 10, 'primary-2': 11 } as const;
const TOXIPROXY_OCTET = 5;
/**
 * Port that primary-2 dials for primary-1, where nothing listens: the refused attempts leave
 * primary-1 to dial every DRBD connection, through the storage proxy.
 */
const CLOSED_PORT = 7788;
export type PairNodeName = keyof typeof NODE_OCTETS;
const MAIL_ROOT = '/srv/mail';
const STATE_POLL_MS = 250;

/** Settings of a pair. */
export interface DrbdPairOptions {
  runId: string;
  /** Tag of the `mailha/uml-node` image. */
  image: string;
  accounts: readonly Account[];
  log: Logger;
  /** Directory for one `<node>.log` per node with its console. */
  logDir: string;
  /** Size of each node's DRBD backing disk in MiB. The initial full sync copies all of it. */
  diskMiB?: number;
  /**
   * Toxiproxy image that {@link DrbdPair.start} runs to carry DRBD's replication link as the
   * bed's `storage` proxy. Without it the nodes connect directly.
   */
  toxiproxy?: { image: string; real: boolean };
  /** More files written into each guest at every boot, such as the rsync password. */
  extraFiles?: Array<{ path: string; content: string; mode: string }>;
  /**
   * Fence the peer on a lost connection: DRBD freezes IO and its fence-peer handler has the bed
   * power the peer off (see {@link StonithFencer}). Without it, DRBD does no fencing.
   */
  fencing?: boolean;
}

/**
 * Seconds each node's fence-peer handler waits before it asks the bed to power the peer off.
 * When both lose the link at once, primary-1 asks first and primary-2 is powered off while it
 * waits, so exactly one node survives.
 */
const FENCE_DELAY_SECONDS: Record<PairNodeName, number> = { 'primary-1': 0, 'primary-2': 3 };

/** Network, Docker client and proxy server that a pair's nodes use. */
export interface PairPlacement {
  docker: Dockerode;
  /** Name of the run's internal network. */
  network: string;
  /** First three octets of the network; the nodes take host octets 10 and 11. */
  prefix: string;
  /** Toxiproxy server with the storage proxy; without it the nodes connect directly. */
  links?: ToxiproxyLinks;
  toxiproxyAddress: string;
}

/** Milliseconds from the start of {@link DrbdPair.startOn} at which each stage was reached. */
export interface PairTimings {
  /** Both guests run their command agents. */
  booted: number;
  /** DRBD connected, before the initial sync. */
  connected: number;
  /** Both disks UpToDate after the initial full sync. */
  upToDate: number;
  /** OCFS2 mounted on both nodes. */
  mounted: number;
  /** Courier accepts IMAP connections on both nodes. */
  imapReady: number;
}

/**
 * o2cb timeouts shorter than ocfs2-tools' defaults (31 heartbeats of 2 s, 30 s idle), so a lost
 * node is declared dead in about 14 s instead of about 60 s. Both nodes must use the same values.
 */
const O2CB_TIMEOUTS = { deadThreshold: 7, idleTimeoutMs: 10_000, keepaliveDelayMs: 2_000, reconnectDelayMs: 2_000 };

/**
 * Gamin configuration that makes its file monitor poll OCFS2 once a second instead of relying on
 * inotify, which reports only changes made on the local node.
 *
 * Courier 5.0.13 (IMAP_USELOCKS=1, Debian's default) locks a folder with the dot-lock
 * `tmp/courier.lock` while it updates `courierimapuiddb`. When the lock exists, imapd registers it
 * with FAM (gamin here) and waits up to 120 s for a deletion event: `maildir_lock` in
 * courier-libs' maildir/maildirlock.c and `maildirwatch_unlock` in maildirwatch.c. Inotify sends
 * no event when the other node removes the lock, so an IMAP command that met the peer's lock hung
 * for 120 s (120.5 s measured), although the lock was gone within milliseconds. With polling, such
 * a command waited 1 to 3.6 s. Syntax from gamin 0.1.10's config.html: `fsset FSTYPE poll SECONDS`.
 */
const GAMINRC = 'fsset ocfs2 poll 1\n';

export class DrbdPair {
  readonly timings: Partial<PairTimings> = {};
  /** Fencer of the pair, set when `fencing` is on. Its `events` list every fence request. */
  readonly fencer: StonithFencer | undefined;
  private closed = false;

  private constructor(
    private readonly options: DrbdPairOptions,
    private readonly docker: Dockerode,
    readonly nodes: Record<PairNodeName, UmlNode>,
    /** The storage proxy's server, when DRBD's link goes through it. */
    readonly links: ToxiproxyLinks | undefined,
    /** Address of the Toxiproxy server, meaningful only when {@link links} is set. */
    readonly toxiproxyAddress: string,
  ) {
    if (options.fencing) this.fencer = new StonithFencer([nodes['primary-1'], nodes['primary-2']], options.log);
  }

  /**
   * Creates an internal network, a Toxiproxy server with the storage proxy when
   * `options.toxiproxy` is set, and the pair on them (see {@link startOn}). On any failure it
   * removes what it created and rethrows.
   */
  static async start(options: DrbdPairOptions): Promise<DrbdPair> {
    const client = await getContainerRuntimeClient();
    const docker = (client.container as unknown as { dockerode: Dockerode }).dockerode;
    try {
      const network = `${options.runId}-net`;
      const prefix = await createInternalNetwork(docker, network, options.runId, options.log);
      const toxiproxyAddress = `${prefix}.${TOXIPROXY_OCTET}`;
      let links: ToxiproxyLinks | undefined;
      if (options.toxiproxy) {
        ({ links } = await startToxiproxyContainer({ ...options.toxiproxy, runId: options.runId, network, address: toxiproxyAddress, log: options.log }));
        const storage = proxySpecs(0).filter((spec) => spec.name === STORAGE_PROXY);
        await links.createProxies(storage, (node) => `${prefix}.${NODE_OCTETS[node as PairNodeName]}`);
      }
      return await DrbdPair.startOn({ docker, network, prefix, links, toxiproxyAddress }, options);
    } catch (error) {
      options.log.error({ err: error, runId: options.runId }, 'Failed to start DRBD pair');
      await removeLabelled(docker, options.runId);
      throw error;
    }
  }

  /**
   * Starts both nodes on an existing network and builds the storage stack from empty disks:
   * DRBD metadata, an initial full sync from primary-1, both Primary, OCFS2 formatted on
   * primary-1 and mounted on both, Courier started on both. With `placement.links`, the storage
   * proxy must already lead to primary-2. The caller removes the containers on failure, as they
   * carry the run's labels.
   */
  static async startOn(placement: PairPlacement, options: DrbdPairOptions): Promise<DrbdPair> {
    const started = Date.now();
    const { docker, network, prefix } = placement;
    const start = (name: PairNodeName) =>
      UmlNode.start({ name, image: options.image, runId: options.runId, network, address: `${prefix}.${NODE_OCTETS[name]}`, log: options.log, logDir: options.logDir, diskMiB: options.diskMiB }, docker);
    const [first, second] = await Promise.all([start('primary-1'), start('primary-2')]);
    const pair = new DrbdPair(options, docker, { 'primary-1': first, 'primary-2': second }, placement.links, placement.toxiproxyAddress);
    pair.timings.booted = Date.now() - started;
    pair.fencer?.start();
    try {
      await pair.bootstrap(started);
    } catch (error) {
      await pair.fencer?.stop();
      throw error;
    }
    return pair;
  }

  private get members(): [PairMember, PairMember] {
    return [
      { name: 'primary-1', address: this.nodes['primary-1'].address },
      { name: 'primary-2', address: this.nodes['primary-2'].address },
    ];
  }

  private async bootstrap(started: number): Promise<void> {
    const both = Object.values(this.nodes);
    await Promise.all(both.map((node) => this.configure(node)));

    await Promise.all(both.map((node) => node.exec(`drbdadm create-md --force ${DRBD_RESOURCE} && drbdadm up ${DRBD_RESOURCE}`)));
    await this.waitForState((state) => state.connection === 'Connected', 'Connected', 60_000);
    this.timings.connected = Date.now() - started;

    await this.nodes['primary-1'].exec(`drbdadm primary --force ${DRBD_RESOURCE}`);
    const diskMiB = this.options.diskMiB ?? 256;
    // The initial sync copies the whole disk; about 30 MB/s was measured between two UML nodes.
    await this.waitForState((state) => state.disk === 'UpToDate' && state.peerDisk === 'UpToDate', 'UpToDate/UpToDate', 60_000 + diskMiB * 200);
    this.timings.upToDate = Date.now() - started;
    await this.nodes['primary-2'].exec(`drbdadm primary ${DRBD_RESOURCE}`);

    await this.nodes['primary-1'].exec(
      `mkfs.ocfs2 -q -F -b 4K -C 4K -N 2 -J size=8M -L mailha -T mail --cluster-stack=o2cb --cluster-name=${OCFS2_CLUSTER} ${DRBD_DEVICE}`,
      120_000,
    );
    await Promise.all(both.map((node) => this.startO2cb(node)));
    // One at a time, so each node joins the heartbeat and the lock domain alone.
    for (const node of both) await this.mount(node);
    this.timings.mounted = Date.now() - started;

    await Promise.all(both.map((node) => this.startCourier(node)));
    this.timings.imapReady = Date.now() - started;
    this.options.log.info({ runId: this.options.runId, timings: this.timings }, 'Started DRBD pair');
  }

  /** Returns the addresses that replace the members' own in a node's resource file, so DRBD's link crosses the storage proxy. */
  private dialAddresses(node: string): Record<string, string> {
    if (!this.links) return {};
    const storage = proxySpecs(0).find((spec) => spec.name === STORAGE_PROXY)!;
    if (storage.upstreamNode !== 'primary-2' || storage.upstreamPort !== DRBD_PORT) {
      throw new Error(`the ${STORAGE_PROXY} proxy leads to ${storage.upstreamNode}:${storage.upstreamPort}, expected primary-2:${DRBD_PORT}`);
    }
    if (node === 'primary-1') return { 'primary-2': `${this.toxiproxyAddress}:${storage.listenPort}` };
    return { 'primary-1': `${this.nodes['primary-1'].address}:${CLOSED_PORT}` };
  }

  /** Writes the DRBD resource, cluster.conf, gamin's configuration and the accounts into the guest, whose /etc is new at every boot. */
  private async configure(node: UmlNode): Promise<void> {
    const name = node.name as PairNodeName;
    const fencePeer = this.options.fencing ? `/mailha/fence-peer ${FENCE_DELAY_SECONDS[name]}` : undefined;
    const resource = renderDrbdResource(this.members, this.dialAddresses(name), fencePeer);
    const clusterConf = renderClusterConf(this.members);
    const accounts = this.options.accounts.map((account) => `${account.login} ${account.password}\n`).join('');
    await node.exec(
      [
        writeFileScript(`/etc/drbd.d/${DRBD_RESOURCE}.res`, resource, '0644'),
        'install -d -m 0755 /etc/ocfs2',
        writeFileScript('/etc/ocfs2/cluster.conf', clusterConf, '0644'),
        'install -d -m 0755 /etc/gamin',
        writeFileScript('/etc/gamin/gaminrc', GAMINRC, '0644'),
        writeFileScript('/etc/mailha/accounts', accounts, '0600'),
        ...(this.options.extraFiles ?? []).map((file) => writeFileScript(file.path, file.content, file.mode)),
      ].join('\n'),
    );
  }

  /** Registers the o2cb cluster from cluster.conf and sets its timeouts, before any mount starts the heartbeat. */
  private async startO2cb(node: UmlNode): Promise<void> {
    const cluster = `/sys/kernel/config/cluster/${OCFS2_CLUSTER}`;
    await node.exec(
      [
        `o2cb register-cluster ${OCFS2_CLUSTER}`,
        `echo ${O2CB_TIMEOUTS.deadThreshold} > ${cluster}/heartbeat/dead_threshold`,
        `echo ${O2CB_TIMEOUTS.idleTimeoutMs} > ${cluster}/idle_timeout_ms`,
        `echo ${O2CB_TIMEOUTS.keepaliveDelayMs} > ${cluster}/keepalive_delay_ms`,
        `echo ${O2CB_TIMEOUTS.reconnectDelayMs} > ${cluster}/reconnect_delay_ms`,
      ].join(' && '),
    );
  }

  private async mount(node: UmlNode): Promise<void> {
    await node.exec(`mount -t ocfs2 ${DRBD_DEVICE} ${MAIL_ROOT}`, 120_000);
  }

  /**
   * Starts Courier's authdaemon and imapd in the guest with the same script as the courier
   * image, detached, and waits for its ready line. Its output goes to /var/log/mailha-courier.log.
   */
  private async startCourier(node: UmlNode): Promise<void> {
    await node.exec(
      [
        'setsid /mailha/courier-start >/var/log/mailha-courier.log 2>&1 </dev/null &',
        'for i in $(seq 1 300); do grep -q "imapd ready\\|start failed" /var/log/mailha-courier.log && break; sleep 0.1; done',
        'cat /var/log/mailha-courier.log',
        'grep -q "imapd ready" /var/log/mailha-courier.log',
      ].join('\n'),
      45_000,
    );
  }

  /**
   * Powers a node on again after a kill or fence and brings it back into the pair: DRBD up on the
   * disk it kept, a resync from the peer until both are UpToDate, then Primary, OCFS2 mounted and
   * Courier started. The peer must be running and Primary.
   */
  async rejoin(name: PairNodeName): Promise<void> {
    const node = this.nodes[name];
    const started = Date.now();
    this.options.log.info({ node: name }, 'Rejoining DRBD pair...');
    await node.powerOn();
    await this.configure(node);
    await node.exec(`drbdadm up ${DRBD_RESOURCE}`);
    const diskMiB = this.options.diskMiB ?? 256;
    await this.waitForState((state) => state.connection === 'Connected' && state.disk === 'UpToDate' && state.peerDisk === 'UpToDate', 'Connected UpToDate/UpToDate', 60_000 + diskMiB * 200);
    const upToDateMs = Date.now() - started;
    await node.exec(`drbdadm primary ${DRBD_RESOURCE}`);
    await this.startO2cb(node);
    await this.mount(node);
    await this.startCourier(node);
    this.options.log.info({ node: name, upToDateMs, imapReadyMs: Date.now() - started }, 'Rejoined DRBD pair');
  }

  /**
   * Powers nodes on again and brings them into service. A node whose peer runs rejoins it (see
   * {@link rejoin}). Two nodes, or one whose peer is off, come up together or alone: DRBD up on
   * the disks they kept, Connected when both run, then Primary, OCFS2 and Courier. Alone, the
   * promotion calls the fence-peer handler, so it succeeds only with fencing on and an UpToDate
   * or Consistent disk, as on real hardware.
   */
  async restart(names: readonly PairNodeName[]): Promise<void> {
    const peerOf = (name: PairNodeName): PairNodeName => (name === 'primary-1' ? 'primary-2' : 'primary-1');
    if (names.length === 1 && (await this.nodes[peerOf(names[0]!)].isRunning())) {
      await this.rejoin(names[0]!);
      return;
    }
    // NOTE: this path (both nodes, or one whose peer is off) has not been run by any test yet.
    const nodes = names.map((name) => this.nodes[name]);
    this.options.log.info({ nodes: names }, 'Restarting DRBD nodes...');
    await Promise.all(nodes.map((node) => node.powerOn()));
    await Promise.all(nodes.map((node) => this.configure(node)));
    await Promise.all(nodes.map((node) => node.exec(`drbdadm up ${DRBD_RESOURCE}`)));
    if (nodes.length === 2) {
      await this.waitForState((state) => state.connection === 'Connected' && state.disk === 'UpToDate' && state.peerDisk === 'UpToDate', 'Connected UpToDate/UpToDate', 120_000);
    }
    for (const node of nodes) await node.exec(`drbdadm primary ${DRBD_RESOURCE}`, 90_000);
    await Promise.all(nodes.map((node) => this.startO2cb(node)));
    for (const node of nodes) await this.mount(node);
    await Promise.all(nodes.map((node) => this.startCourier(node)));
    this.options.log.info({ nodes: names }, 'Restarted DRBD nodes');
  }

  /** Returns the DRBD and device-mapper lines of a node's kernel log, oldest first. */
  async storageKernelLog(name: PairNodeName): Promise<string[]> {
    const output = await this.nodes[name].exec('dmesg', 10_000);
    return output.split('\n').filter((line) => /drbd|device-mapper/.test(line));
  }

  /**
   * Fails a node's backing disk, waits until DRBD reads it as Diskless, and returns the DRBD and
   * device-mapper kernel log lines written meanwhile: with `io-error` they show the I/O error
   * and DRBD's "Local IO failed ... Detaching", which an admin detach does not log.
   *
   * `io-error` loads device-mapper's `error` target in place of the linear mapping under DRBD,
   * so every read and write of the backing device returns EIO from the block layer. One direct
   * read of the DRBD device then reaches the failed disk at once instead of at the next write.
   * DRBD's `on-io-error detach` policy detaches the disk on that error and serves the read from
   * the peer. `detach` runs `drbdadm detach`, with no I/O error.
   *
   * @throws GuestCommandError when a command fails in the guest, or Error when the disk does not
   *   read Diskless within 30 s.
   */
  async failDisk(name: PairNodeName, mode: DiskFailMode): Promise<string[]> {
    const node = this.nodes[name];
    const logBefore = await this.storageKernelLog(name);
    let output: string;
    if (mode === 'io-error') {
      output = await node.exec(
        [
          'set -e',
          `dmsetup suspend ${BACKING_MAPPING}`,
          `dmsetup load ${BACKING_MAPPING} --table "0 $(blockdev --getsz ${BACKING_DISK}) error"`,
          `dmsetup resume ${BACKING_MAPPING}`,
          // After the local EIO, DRBD serves this read from the peer's disk. Without an UpToDate
          // peer the read fails, but DRBD still detaches, which the wait below checks.
          `dd if=${DRBD_DEVICE} of=/dev/null bs=4096 count=1 iflag=direct status=none || echo "the read of ${DRBD_DEVICE} failed: no peer served it"`,
        ].join('\n'),
      );
    } else {
      output = await node.exec(`drbdadm detach ${DRBD_RESOURCE}`);
    }
    await this.waitForNodeState(name, (state) => state.disk === 'Diskless', 'disk Diskless', 30_000);
    // NOTE: this assumes the kernel's ring buffer did not wrap during the fault. The new lines are those past the old count.
    const kernelLog = (await this.storageKernelLog(name)).slice(logBefore.length);
    this.options.log.info({ node: name, mode, output: output.trim(), kernelLog }, 'Failed DRBD backing disk');
    return kernelLog;
  }

  /**
   * Repairs a node's backing disk: loads the linear mapping over the whole UML disk again (a
   * no-op after a `detach` fault) and attaches it to DRBD, which resyncs the blocks written
   * meanwhile from the peer. Returns once the attach command succeeds, before the resync ends.
   * A disk DRBD already has attached is left attached: a node restarted since the fault boots
   * with the linear mapping and attaches its disk when it rejoins.
   *
   * @throws GuestCommandError when a command fails in the guest.
   */
  async repairDisk(name: PairNodeName): Promise<void> {
    const output = await this.nodes[name].exec(
      [
        'set -e',
        `dmsetup suspend ${BACKING_MAPPING}`,
        `dmsetup load ${BACKING_MAPPING} --table "0 $(blockdev --getsz ${BACKING_DISK}) linear ${BACKING_DISK} 0"`,
        `dmsetup resume ${BACKING_MAPPING}`,
        // drbdadm dstate prints the local and the peer's disk state, e.g. Diskless/UpToDate.
        `if [ "$(drbdadm dstate ${DRBD_RESOURCE} | cut -d/ -f1)" = Diskless ]; then drbdadm attach ${DRBD_RESOURCE}; else echo "already attached: $(drbdadm dstate ${DRBD_RESOURCE})"; fi`,
      ].join('\n'),
    );
    this.options.log.info({ node: name, output: output.trim() }, 'Repaired DRBD backing disk');
  }

  /**
   * Polls one node's DRBD state until `predicate` holds.
   *
   * @throws Error naming the node, `description`, the limit and the last state seen.
   */
  async waitForNodeState(name: PairNodeName, predicate: (state: DrbdState) => boolean, description: string, timeoutMs: number): Promise<DrbdState> {
    const deadline = Date.now() + timeoutMs;
    let last: DrbdState | undefined;
    while (Date.now() < deadline) {
      last = await this.stateOf(name);
      if (predicate(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, STATE_POLL_MS));
    }
    throw new Error(`DRBD on ${name} did not reach ${description} within ${timeoutMs} ms (last seen ${last ? formatDrbdState(last) : 'no state read'})`);
  }

  /** Reads one node's DRBD state from its kernel. */
  async stateOf(name: PairNodeName): Promise<DrbdState> {
    return parseProcDrbd(await this.nodes[name].readProc('drbd'));
  }

  /** Reads the DRBD state of each node from its kernel. */
  async states(): Promise<Record<PairNodeName, DrbdState>> {
    const read = async (node: UmlNode) => parseProcDrbd(await node.readProc('drbd'));
    const [first, second] = await Promise.all([read(this.nodes['primary-1']), read(this.nodes['primary-2'])]);
    return { 'primary-1': first, 'primary-2': second };
  }

  /**
   * Polls both nodes' DRBD state until `predicate` holds for both.
   *
   * @throws Error naming `description`, the limit and the last states seen.
   */
  async waitForState(predicate: (state: DrbdState) => boolean, description: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: Record<PairNodeName, DrbdState> | undefined;
    while (Date.now() < deadline) {
      last = await this.states();
      if (predicate(last['primary-1']) && predicate(last['primary-2'])) return;
      await new Promise((resolve) => setTimeout(resolve, STATE_POLL_MS));
    }
    const seen = last ? Object.entries(last).map(([node, state]) => `${node}: ${formatDrbdState(state)}`).join(', ') : 'no state read';
    throw new Error(`DRBD did not reach ${description} on both nodes within ${timeoutMs} ms (last seen ${seen})`);
  }

  /** Writes each running node's kernel log to `<node>.dmesg` in the log directory; failures are logged, not thrown. */
  private async saveKernelLogs(): Promise<void> {
    for (const node of Object.values(this.nodes)) {
      try {
        if (!(await node.isRunning())) continue;
        await writeFile(join(this.options.logDir, `${node.name}.dmesg`), await node.exec('dmesg', 10_000));
      } catch (error) {
        this.options.log.warn({ node: node.name, err: error }, 'Failed to save kernel log');
      }
    }
  }

  /** Removes both nodes and the network. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fencer?.stop();
    await this.saveKernelLogs();
    const report = await removeLabelled(this.docker, this.options.runId);
    for (const problem of report.errors) this.options.log.warn({ runId: this.options.runId, problem }, 'Failed to remove a DRBD pair resource');
    this.options.log.info({ runId: this.options.runId, containers: report.containers.length, networks: report.networks.length }, 'Removed DRBD pair');
  }
}

/** Returns a shell step that writes `content` to `path` with `mode` through a quoted here-document. */
function writeFileScript(path: string, content: string, mode: string): string {
  const marker = 'MAILHA_EOF';
  if (content.includes(marker)) throw new Error(`${path}: content contains the here-document marker ${marker}`);
  return `cat > ${path} <<'${marker}'\n${content}${content.endsWith('\n') || content === '' ? '' : '\n'}${marker}\nchmod ${mode} ${path}`;
}
