/**
 * The container bed: every node a real server in a Docker container on one `--internal` network,
 * with fixed addresses so a killed node comes back where DNS and peers expect it.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:net';
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';
import type { Bed, DnsUpdateOutcome, LinkControl, NodeLoss, NodeShell, ResourceUsage, StandIn, StorageState, StoreEntry, SyncOutcome } from '../bed.js';
import { clientProxyName, proxySpecs, REPLICATION_PROXY, type ImapNode } from '../links/links.js';
import { startToxiproxyContainer } from '../links/toxiproxy-container.js';
import type { ToxiproxyLinks } from '../links/toxiproxy-links.js';
import type { DiskFailMode, NodeName, Scenario } from '../../scenario/schema.js';
import { TOPOLOGY_NODES } from '../../scenario/topology.js';
import { generateTsigSecret, renderBindConfig, renderTsigKeyFile, TSIG_KEY_PATH, NAMED_CONF_PATH } from '../../images/bind-config.js';
import type { Account } from '../../workload/client.js';
import { removeLabelled, runLabels, LABEL_NODE } from './labels.js';
import { backupStoreMounts, readOnlyCommands } from './read-only.js';
import { createInternalNetwork } from './internal-network.js';
import { StaticIpContainer } from './static-ip-container.js';
import { parseStoreListing, storeListingCommand } from './store-listing.js';
import { DrbdPair, type PairNodeName } from '../drbd/drbd-pair.js';

const HOST_OCTET: Record<NodeName, number> = { 'primary-1': 10, 'primary-2': 11, backup: 20, dns: 30 };
const TOXIPROXY_OCTET = 5;
const IMAP_PORT = 143;
const STOP_GRACE_SECONDS = 10;
const TSIG_KEY_NAME = 'mailha-update';
const START_TIMEOUT_MS = 90_000;
const EXEC_TIMEOUT_MS = 120_000;

export interface DockerBedOptions {
  scenario: Scenario;
  runId: string;
  accounts: readonly Account[];
  /**
   * Courier administrators (authlib group `administrators`) on the container nodes: each can read
   * and write every account's folders as `#shared.LOGIN` and `#shared.LOGIN.FOLDER`, past the
   * backup's read-only ACLs. None by default.
   * NOTE: the DRBD primaries (UML nodes) do not get them.
   */
  adminAccounts?: readonly Account[];
  /** `umlNode` is required when the scenario's `topology.storage` is `drbd`. */
  images: { courier: string; bind: string; toxiproxy: string; umlNode?: string };
  /** True when `images.toxiproxy` is Shopify's Toxiproxy rather than mailha's compatible server. */
  realToxiproxy: boolean;
  log: Logger;
  /** Directory that receives one `<node>.log` per container with its output. */
  logDir: string;
}

/** Raised when a command run inside a node fails; names the node, container and command. */
export class NodeCommandError extends Error {
  constructor(node: string, containerId: string, command: string[], exitCode: number, output: string) {
    super(`${command.join(' ')} failed in ${node} (container ${containerId.slice(0, 12)}) with exit code ${exitCode}: ${output.trim().slice(-2000)}`);
    this.name = 'NodeCommandError';
  }
}

export const SHARED_VOLUME_STAND_IN: StandIn = {
  component: 'site A shared storage: one Docker volume mounted by both primaries',
  standsFor: 'DRBD-replicated block device with a cluster file system (OCFS2 or GFS2)',
  reason: 'the scenario\'s topology.storage is shared-volume; set it to drbd to run the primaries on real DRBD with OCFS2',
};

export const STONITH_STAND_IN: StandIn = {
  component: 'DRBD fencing: the fence-peer handler has the bed kill the peer\'s container',
  standsFor: 'a STONITH device (a power switch or a management board) that powers the peer off',
  reason: 'the nodes are containers on one host, with no power hardware of their own',
};

/** Named when a scenario fails a disk with `mode: io-error`. */
export const DISK_ERROR_STAND_IN: StandIn = {
  component: 'failing disk: device-mapper\'s error target under DRBD\'s backing device, returning EIO for every read and write',
  standsFor: 'a dying disk or controller, which may also fail partly, intermittently or slowly',
  reason:
    'the nodes\' disks are files on one host and cannot fail as hardware does. The EIO still comes from the guest kernel\'s block layer, ' +
    'and DRBD\'s detach on it (on-io-error detach) and the resync after the repair are real',
};

/** Named when a scenario fails a disk with `mode: detach`. */
export const DISK_DETACH_STAND_IN: StandIn = {
  component: 'failing disk: `drbdadm detach`, with no I/O error',
  standsFor: 'a backing disk that returns I/O errors, on which DRBD detaches by its on-io-error policy',
  reason: 'the scenario\'s disk-fail step has mode: detach; mode: io-error makes the backing device itself fail',
};

/** Returns the stand-ins of a scenario's storage: the shared volume, or DRBD's fencing and each disk-fail mode it uses. */
export function storageStandIns(scenario: Scenario): StandIn[] {
  if (scenario.topology.storage !== 'drbd') return [SHARED_VOLUME_STAND_IN];
  const standIns = [STONITH_STAND_IN];
  const diskFailModes = new Set(scenario.steps.flatMap((step) => (step.action === 'disk-fail' ? [step.mode] : [])));
  if (diskFailModes.has('io-error')) standIns.push(DISK_ERROR_STAND_IN);
  if (diskFailModes.has('detach')) standIns.push(DISK_DETACH_STAND_IN);
  return standIns;
}

export const TOXIPROXY_STAND_IN: StandIn = {
  component: 'Toxiproxy: mailha\'s own Toxiproxy-compatible server (harness/toxiproxy)',
  standsFor: 'Shopify Toxiproxy 2.12',
  reason: 'no Shopify Toxiproxy image was found on this Docker host (mailha never pulls one; set MAILHA_TOXIPROXY_IMAGE to use one)',
};

export class DockerBed implements Bed, NodeShell {
  readonly standIns: StandIn[];
  private linkControl?: ToxiproxyLinks;
  readonly zone: string;
  readonly imapHostname: string;
  private readonly containers = new Map<NodeName, StartedTestContainer>();
  private readonly running = new Set<NodeName>();
  private toxiproxyContainer?: StartedTestContainer;
  private subnetPrefix = '';
  private networkName = '';
  private closed = false;
  /** The primaries as UML nodes with DRBD and OCFS2, when `topology.storage` is `drbd`. */
  private pair?: DrbdPair;
  private readonly lossListeners: Array<(loss: NodeLoss) => void> = [];

  private constructor(
    private readonly options: DockerBedOptions,
    private readonly docker: Dockerode,
  ) {
    this.zone = options.scenario.topology.zone;
    this.imapHostname = `imap.${this.zone}`;
    this.standIns = storageStandIns(options.scenario);
  }

  get runId(): string {
    return this.options.runId;
  }

  /** The UML primaries with DRBD and OCFS2, when `topology.storage` is `drbd`; their `timings` include boot to UpToDate. */
  get drbdPair(): DrbdPair | undefined {
    return this.pair;
  }

  get dnsServer(): string {
    return `${this.address('dns')}:53`;
  }

  /** Creates the network, volumes and every node; on any failure removes what it made and rethrows. */
  static async start(options: DockerBedOptions): Promise<DockerBed> {
    const client = await getContainerRuntimeClient();
    const docker = (client.container as unknown as { dockerode: Dockerode }).dockerode;
    const bed = new DockerBed(options, docker);
    if (!options.realToxiproxy) bed.standIns.push(TOXIPROXY_STAND_IN);
    try {
      await bed.createNetwork();
      await bed.createVolumes();
      await bed.startToxiproxy();
      const createProxies = () => bed.linkControl!.createProxies(proxySpecs(options.scenario.workload.clients), (node) => bed.address(node));
      // DRBD's link goes through the storage proxy, so in that mode the proxies come first.
      if (options.scenario.topology.storage === 'drbd') await createProxies();
      await bed.startNodes();
      if (options.scenario.topology.storage !== 'drbd') await createProxies();
      return bed;
    } catch (error) {
      options.log.error({ err: error, runId: options.runId }, 'Failed to start bed');
      await bed.close();
      throw error;
    }
  }

  address(node: NodeName): string {
    return `${this.subnetPrefix}.${HOST_OCTET[node]}`;
  }

  nodeOf(address: string): NodeName | null {
    return TOPOLOGY_NODES.find((node) => this.address(node.name) === address)?.name ?? null;
  }

  isRunning(node: NodeName): boolean {
    return this.running.has(node);
  }

  get links(): LinkControl {
    if (!this.linkControl) throw new Error(`the links of run ${this.runId} are not set up`);
    return this.linkControl;
  }

  probeAddress(node: NodeName): { host: string; port: number } {
    return { host: this.address(node), port: IMAP_PORT };
  }

  route(client: string, node: NodeName): { host: string; port: number } {
    const spec = proxySpecs(this.options.scenario.workload.clients).find((each) => each.name === clientProxyName(client, node as ImapNode));
    if (!spec) throw new Error(`no proxy for ${client} to ${node}`);
    return { host: this.toxiproxyAddress, port: spec.listenPort };
  }

  private get toxiproxyAddress(): string {
    return `${this.subnetPrefix}.${TOXIPROXY_OCTET}`;
  }

  async stop(nodes: readonly NodeName[]): Promise<void> {
    await this.onEachNode(nodes, 'Stopped node', false, (container) => container.stop({ t: STOP_GRACE_SECONDS }));
  }

  // NOTE: with DRBD storage, a paused primary stops answering DRBD's pings, so its peer fences
  // it and the bed kills its container; a later resume then fails on a stopped container.
  async pause(nodes: readonly NodeName[]): Promise<void> {
    await this.onEachNode(nodes, 'Paused node', false, (container) => container.pause());
  }

  async resume(nodes: readonly NodeName[]): Promise<void> {
    await this.onEachNode(nodes, 'Resumed node', true, (container) => container.unpause());
  }

  /** Applies one Docker action to the nodes' containers at once, then records whether they run. */
  private async onEachNode(
    nodes: readonly NodeName[],
    logMessage: string,
    runningAfter: boolean,
    action: (container: Dockerode.Container) => Promise<unknown>,
  ): Promise<void> {
    await Promise.all(
      nodes.map(async (node) => {
        const id = this.container(node).getId();
        await action(this.docker.getContainer(id));
        if (runningAfter) this.running.add(node);
        else this.running.delete(node);
        this.options.log.info({ node, containerId: id.slice(0, 12) }, logMessage);
      }),
    );
  }

  async nodeProblems(): Promise<string[]> {
    const problems: string[] = [];
    for (const [node, container] of this.containers) {
      try {
        const { State } = await this.docker.getContainer(container.getId()).inspect();
        if (!State.Running) problems.push(`node ${node} is not running (status ${State.Status})`);
        else if (State.Paused) problems.push(`node ${node} is paused`);
      } catch (error) {
        problems.push(`node ${node}: inspecting container ${container.getId().slice(0, 12)} failed: ${(error as Error).message}`);
      }
    }
    return problems;
  }

  async kill(nodes: readonly NodeName[]): Promise<void> {
    await this.onEachNode(nodes, 'Killed node', false, (container) => container.kill({ signal: 'SIGKILL' }));
  }

  async start(nodes: readonly NodeName[]): Promise<void> {
    const drbdNodes = this.pair ? nodes.filter((node): node is PairNodeName => node === 'primary-1' || node === 'primary-2') : [];
    const restartDrbd = async () => {
      if (drbdNodes.length === 0) return;
      this.options.log.info({ nodes: drbdNodes }, 'Starting node...');
      await this.pair!.restart(drbdNodes);
      for (const node of drbdNodes) {
        await waitForGreeting(this.address(node), IMAP_PORT, START_TIMEOUT_MS, true);
        this.running.add(node);
        this.options.log.info({ node, containerId: this.container(node).getId().slice(0, 12) }, 'Started node');
      }
    };
    await Promise.all([
      restartDrbd(),
      ...nodes.filter((node) => !(drbdNodes as NodeName[]).includes(node)).map(async (node) => {
        const id = this.container(node).getId();
        this.options.log.info({ node, containerId: id.slice(0, 12) }, 'Starting node...');
        await this.docker.getContainer(id).start();
        await waitForGreeting(this.address(node), node === 'dns' ? 53 : IMAP_PORT, START_TIMEOUT_MS, node !== 'dns');
        this.running.add(node);
        this.options.log.info({ node, containerId: id.slice(0, 12) }, 'Started node');
      }),
    ]);
  }

  async sync(): Promise<SyncOutcome> {
    const started = Date.now();
    const from = (['primary-1', 'primary-2'] as const).find((node) => this.running.has(node)) ?? null;
    const fail = (error: string): SyncOutcome => ({ ok: false, from, durationMs: Date.now() - started, stats: {}, error });
    if (!from) return fail('no primary is running');
    if (!this.running.has('backup')) return fail('the backup is not running');

    let output: string;
    try {
      const target = this.replicationTarget();
      // A UML primary runs the same push script from its guest, over the same proxy.
      output = this.pair ? await this.pair.nodes[from].exec(`/mailha/sync-push ${target}`, EXEC_TIMEOUT_MS) : await this.exec(from, ['/usr/local/sbin/mailha-sync-push', target]);
    } catch (error) {
      return fail((error as Error).message);
    }
    const pushMs = Date.now() - started;
    try {
      await this.exec('backup', ['/usr/local/sbin/mailha-sync-apply']);
    } catch (error) {
      return fail(`the push reached the backup's staging tree but applying it failed: ${(error as Error).message}`);
    }
    const readOnly = this.options.scenario.topology.backup.readOnly;
    for (const command of readOnlyCommands(readOnly)) {
      try {
        await this.exec('backup', command);
      } catch (error) {
        return fail(`sync copied the mail but read-only mode ${readOnly} failed: ${(error as Error).message}`);
      }
    }
    const durationMs = Date.now() - started;
    return { ok: true, from, durationMs, stats: { ...parseSyncStats(output), pushMs, applyMs: durationMs - pushMs } };
  }

  onNodeLoss(listener: (loss: NodeLoss) => void): void {
    this.lossListeners.push(listener);
  }

  async readStorageStates(): Promise<Partial<Record<NodeName, StorageState>> | null> {
    if (!this.pair) return null;
    const pair = this.pair;
    const read = async (node: PairNodeName): Promise<StorageState> => {
      if (!(await pair.nodes[node].isRunning())) return { connection: 'Off', role: null, peerRole: null, disk: null, peerDisk: null, outOfSyncKiB: null };
      return pair.stateOf(node);
    };
    const [first, second] = await Promise.all([read('primary-1'), read('primary-2')]);
    return { 'primary-1': first, 'primary-2': second };
  }

  async failDisk(node: NodeName, mode: DiskFailMode): Promise<string[]> {
    const pair = this.pairFor(node, 'fail the disk of');
    return pair.failDisk(node as PairNodeName, mode);
  }

  async repairDisk(node: NodeName): Promise<void> {
    const pair = this.pairFor(node, 'repair the disk of');
    await pair.repairDisk(node as PairNodeName);
  }

  /** Returns the DRBD pair, or throws naming `verb` when the bed has no DRBD pair or the node is not a primary. */
  private pairFor(node: NodeName, verb: string): DrbdPair {
    if (!this.pair) throw new Error(`cannot ${verb} ${node} in run ${this.runId}: the disk fault needs topology.storage drbd`);
    if (node !== 'primary-1' && node !== 'primary-2') throw new Error(`cannot ${verb} ${node}: only the primaries have a DRBD disk`);
    return this.pair;
  }

  async listStore(node: NodeName): Promise<StoreEntry[]> {
    return parseStoreListing(await this.exec(node, storeListingCommand('/srv/mail')));
  }

  async updateDns(addresses: readonly string[]): Promise<DnsUpdateOutcome> {
    // The update is sent from a running mail node, as an operator at a surviving site would.
    // A UML primary's guest has no nsupdate, so in DRBD mode only the backup sends updates.
    const senders = this.pair ? (['backup'] as const) : (['backup', 'primary-1', 'primary-2'] as const);
    const sender = senders.find((node) => this.running.has(node));
    if (!sender) return { ok: false, addresses: [...addresses], output: 'no mail node is running to send the update from' };
    const ttl = String(this.options.scenario.topology.recordTtlSeconds);
    try {
      const output = await this.exec(sender, ['/usr/local/sbin/mailha-dns-update', this.address('dns'), this.zone, this.imapHostname, ttl, ...addresses]);
      return { ok: true, addresses: [...addresses], output: output.trim() };
    } catch (error) {
      return { ok: false, addresses: [...addresses], output: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Stops the fencer, saves the guests' kernel logs and removes the whole run's containers.
    await this.pair?.close().catch((error: unknown) => this.options.log.warn({ err: error, runId: this.runId }, 'Failed to close DRBD pair'));
    const report = await removeLabelled(this.docker, this.runId);
    this.running.clear();
    for (const problem of report.errors) this.options.log.warn({ runId: this.runId, problem }, 'Failed to remove a bed resource');
    this.options.log.info(
      { runId: this.runId, containers: report.containers.length, networks: report.networks.length, volumes: report.volumes.length },
      'Removed bed',
    );
  }

  /** Runs a command in a node; returns its output or throws {@link NodeCommandError}. */
  async exec(node: NodeName, command: string[]): Promise<string> {
    const container = this.container(node);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${command.join(' ')} in ${node} timed out after ${EXEC_TIMEOUT_MS} ms`)), EXEC_TIMEOUT_MS);
    });
    try {
      const result = await Promise.race([container.exec(command), timeout]);
      if (result.exitCode !== 0) throw new NodeCommandError(node, container.getId(), command, result.exitCode, result.output);
      return result.output;
    } finally {
      clearTimeout(timer);
    }
  }

  replicationTarget(): string {
    const port = proxySpecs(0).find((spec) => spec.name === REPLICATION_PROXY)!.listenPort;
    return `${this.toxiproxyAddress}:${port}`;
  }

  async putArchive(node: NodeName, directory: string, archive: NodeJS.ReadableStream): Promise<void> {
    const id = this.container(node).getId();
    try {
      await this.docker.getContainer(id).putArchive(archive, { path: directory });
    } catch (error) {
      throw new Error(`Copying an archive into ${directory} of ${node} (container ${id.slice(0, 12)}) failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async usage(): Promise<ResourceUsage> {
    const cpuMicros: ResourceUsage['cpuMicros'] = {};
    await Promise.all(
      [...this.containers].filter(([node]) => this.running.has(node)).map(async ([node, container]) => {
        // Docker's stats work on cgroup v1 and v2 alike; total_usage is in nanoseconds.
        const stats = await this.containerStats(container.getId());
        cpuMicros[node] = Math.round((stats.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1000);
      }),
    );
    let proxyBytes = 0;
    if (this.toxiproxyContainer) {
      const stats = await this.containerStats(this.toxiproxyContainer.getId());
      for (const network of Object.values(stats.networks ?? {})) proxyBytes += network.rx_bytes + network.tx_bytes;
    }
    return { cpuMicros, proxyBytes };
  }

  /** Reads one sample of `GET /containers/{id}/stats`, without waiting for a second sample. */
  private async containerStats(id: string): Promise<{
    cpu_stats?: { cpu_usage?: { total_usage?: number } };
    networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
  }> {
    return (await this.docker.getContainer(id).stats({ stream: false, 'one-shot': true } as never)) as never;
  }

  private container(node: NodeName): StartedTestContainer {
    const container = this.containers.get(node);
    if (!container) throw new Error(`node ${node} has no container in run ${this.runId}`);
    return container;
  }

  private async createNetwork(): Promise<void> {
    this.networkName = `${this.runId}-net`;
    this.subnetPrefix = await createInternalNetwork(this.docker, this.networkName, this.runId, this.options.log);
  }

  private async createVolumes(): Promise<void> {
    for (const site of ['site-a', 'site-b']) {
      await this.docker.createVolume({ Name: `${this.runId}-${site}`, Labels: runLabels(this.runId, { 'mailha.site': site }) });
    }
  }

  /** Starts the Toxiproxy server every link goes through, and waits for its API. */
  private async startToxiproxy(): Promise<void> {
    const toxiproxy = await startToxiproxyContainer({
      image: this.options.images.toxiproxy,
      real: this.options.realToxiproxy,
      runId: this.runId,
      network: this.networkName,
      address: this.toxiproxyAddress,
      log: this.options.log,
    });
    this.linkControl = toxiproxy.links;
    this.toxiproxyContainer = toxiproxy.container;
  }

  private async startNodes(): Promise<void> {
    const rsyncSecret = randomBytes(18).toString('base64url');
    const tsigSecret = generateTsigSecret();
    const tsigKey = renderTsigKeyFile(TSIG_KEY_NAME, tsigSecret);
    const accounts = this.options.accounts.map((account) => `${account.login} ${account.password}\n`).join('');
    const { scenario } = this.options;

    const bind = renderBindConfig({
      zone: this.zone,
      ttl: scenario.topology.recordTtlSeconds,
      records: { imap: [this.address('primary-1'), this.address('primary-2')], ns: [this.address('dns')] },
      tsigKeyName: TSIG_KEY_NAME,
      tsigSecret,
      nameserverAddress: this.address('dns'),
    });
    await this.startNode('dns', this.options.images.bind, 'mailha: named ready', [
      { content: bind.namedConf, target: NAMED_CONF_PATH, mode: 0o644 },
      { content: bind.zoneFile, target: bind.zoneFilePath, mode: 0o644 },
      { content: bind.tsigKeyFile, target: TSIG_KEY_PATH },
    ]);

    const admins = this.options.adminAccounts ?? [];
    const common = [
      { content: accounts, target: '/etc/mailha/accounts' },
      { content: tsigKey, target: TSIG_KEY_PATH },
      // The start script builds the shared index only when this file exists.
      ...(admins.length > 0 ? [{ content: admins.map((account) => `${account.login} ${account.password}\n`).join(''), target: '/etc/mailha/admin-accounts' }] : []),
    ];
    const backupMounts = backupStoreMounts(scenario.topology.backup.readOnly);
    const backup = this.startNode('backup', this.options.images.courier, 'mailha: imapd ready', [
      ...common,
      { content: `mailha-sync:${rsyncSecret}\n`, target: '/etc/mailha/rsyncd.secrets' },
    ], { MAILHA_ROLE: 'backup', ...backupMounts.environment }, `${this.runId}-site-b`, backupMounts.mounts);
    if (scenario.topology.storage === 'drbd') {
      await Promise.all([backup, this.startDrbdPrimaries(`${rsyncSecret}\n`)]);
      return;
    }
    await Promise.all([
      backup,
      this.startNode('primary-1', this.options.images.courier, 'mailha: imapd ready', [
        ...common,
        { content: `${rsyncSecret}\n`, target: '/etc/mailha/rsync.password' },
      ], { MAILHA_ROLE: 'primary' }, `${this.runId}-site-a`),
    ]);
    // The second primary starts after the first has created the Maildirs on the shared volume.
    await this.startNode('primary-2', this.options.images.courier, 'mailha: imapd ready', [
      ...common,
      { content: `${rsyncSecret}\n`, target: '/etc/mailha/rsync.password' },
    ], { MAILHA_ROLE: 'primary' }, `${this.runId}-site-a`);
  }

  /** Starts both primaries as UML nodes with DRBD, OCFS2 and Courier, DRBD's link through the storage proxy. */
  private async startDrbdPrimaries(rsyncPassword: string): Promise<void> {
    const image = this.options.images.umlNode;
    if (!image) throw new Error(`topology.storage is drbd but no uml-node image was given to run ${this.runId}; build it with: npx mailha images build`);
    this.pair = await DrbdPair.startOn(
      { docker: this.docker, network: this.networkName, prefix: this.subnetPrefix, links: this.linkControl, toxiproxyAddress: this.toxiproxyAddress },
      {
        runId: this.runId,
        image,
        accounts: this.options.accounts,
        log: this.options.log,
        logDir: this.options.logDir,
        fencing: true,
        extraFiles: [{ path: '/etc/mailha/rsync.password', content: rsyncPassword, mode: '0600' }],
      },
    );
    for (const node of ['primary-1', 'primary-2'] as const) {
      this.containers.set(node, this.pair.nodes[node].container);
      this.running.add(node);
    }
    this.pair.fencer?.onFence((event) => {
      const node = event.victim as PairNodeName;
      this.running.delete(node);
      const loss: NodeLoss = { node, cause: 'fence', detail: { requester: event.requester, answer: event.answer, detail: event.detail } };
      for (const listener of this.lossListeners) listener(loss);
    });
  }

  private async startNode(
    node: NodeName,
    image: string,
    readyLine: string,
    files: Array<{ content: string; target: string; mode?: number }>,
    environment: Record<string, string> = {},
    volume?: string,
    mounts: Array<{ target: string; mode: 'rw' | 'ro' }> = [{ target: '/srv/mail', mode: 'rw' }],
  ): Promise<void> {
    const name = `${this.runId}-${node}`;
    await mkdir(this.options.logDir, { recursive: true });
    const logFile = createWriteStream(join(this.options.logDir, `${node}.log`), { flags: 'a' });
    this.options.log.info({ node, image, address: this.address(node) }, 'Starting node...');
    let container = new StaticIpContainer(image)
      .withStaticIp(this.networkName, this.address(node))
      .withName(name)
      .withHostname(node)
      .withLabels(runLabels(this.runId, { [LABEL_NODE]: node }))
      .withEnvironment(environment)
      .withCopyContentToContainer(files.map((file) => ({ content: file.content, target: file.target, mode: file.mode ?? 0o600 })))
      .withLogConsumer((stream) => stream.pipe(logFile))
      .withWaitStrategy(Wait.forLogMessage(readyLine))
      .withStartupTimeout(START_TIMEOUT_MS);
    if (volume) container = container.withBindMounts(mounts.map((mount) => ({ source: volume, ...mount })));
    try {
      const started = await container.start();
      this.containers.set(node, started);
      this.running.add(node);
      this.options.log.info({ node, containerId: started.getId().slice(0, 12), address: this.address(node) }, 'Started node');
    } catch (error) {
      this.options.log.error({ node, err: error }, 'Failed to start node');
      throw new Error(`Failed to start node ${node} (container ${name}, image ${image}): ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Parses the `mailha: sync done files=N bytes=M` line of the sync tool. */
export function parseSyncStats(output: string): Record<string, number> {
  const line = output.split('\n').find((text) => text.includes('mailha: sync done'));
  const stats: Record<string, number> = {};
  for (const match of line?.matchAll(/(\w+)=(\d+)/g) ?? []) stats[match[1]] = Number(match[2]);
  return stats;
}

/**
 * Waits until a TCP port accepts connections and, for IMAP, sends its `* OK` greeting.
 * Polls every 250 ms; throws after `timeoutMs` naming the address.
 */
async function waitForGreeting(address: string, port: number, timeoutMs: number, expectGreeting: boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: address, port, timeout: 1000 });
      const finish = (value: boolean) => {
        socket.destroy();
        resolve(value);
      };
      socket.once('connect', () => (expectGreeting ? undefined : finish(true)));
      socket.once('data', (data) => finish(data.toString().startsWith('* OK')));
      socket.once('timeout', () => finish(false));
      socket.once('error', () => finish(false));
    });
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${address}:${port} did not ${expectGreeting ? 'send an IMAP greeting' : 'accept connections'} within ${timeoutMs} ms`);
}
