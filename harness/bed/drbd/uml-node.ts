/**
 * A node that runs a real Linux kernel: a User-Mode Linux guest inside a Docker container of the
 * `mailha/uml-node` image, owning the container's address on the run's internal network.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { Wait, type StartedTestContainer } from 'testcontainers';
import { LABEL_NODE, runLabels } from '../docker/labels.js';
import { StaticIpContainer } from '../docker/static-ip-container.js';

/** Line the guest's init prints once its command agent runs. */
const READY_LINE = 'mailha-guest: ready';
const BOOT_TIMEOUT_MS = 90_000;
/** The mconsole socket of the guest, under the `uml_dir` the entry script passes to the kernel. */
const MCONSOLE_SOCKET = '/var/lib/mailha-node/uml/node/mconsole';
/** Size of the exec-enabled tmpfs that contains the guest's memory file, so larger than the guest's memory. */
const MEMORY_TMPFS = 'rw,exec,size=400m';

/** Settings of one node. */
export interface UmlNodeOptions {
  /** Node name; the guest's host name, and the name DRBD and o2cb know it by. */
  name: string;
  image: string;
  runId: string;
  network: string;
  address: string;
  log: Logger;
  /** Directory that receives `<name>.log` with the container's output (the guest console). */
  logDir: string;
  /** Guest memory in UML's notation, e.g. `256M`. */
  memory?: string;
  /** Size of the DRBD backing disk in MiB. */
  diskMiB?: number;
}

/** A command run in a guest failed or timed out; names the node, the container and the command. */
export class GuestCommandError extends Error {
  override name = 'GuestCommandError';

  constructor(
    readonly node: string,
    readonly containerId: string,
    readonly command: string,
    readonly exitCode: number,
    readonly output: string,
  ) {
    const reason = exitCode === 124 ? 'got no reply in time' : `failed with exit code ${exitCode}`;
    super(`\`${command}\` ${reason} in the guest of ${node} (container ${containerId.slice(0, 12)}): ${output.trim().slice(-2000)}`);
  }
}

/** Adds the tun device, which testcontainers 11 has no builder for. */
class UmlContainer extends StaticIpContainer {
  protected override async beforeContainerCreated(): Promise<void> {
    await super.beforeContainerCreated();
    this.hostConfig.Devices = [{ PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' }];
  }
}

export class UmlNode {
  private constructor(
    private readonly options: UmlNodeOptions,
    /** The node's container, for Docker operations that do not reach into the guest. */
    readonly container: StartedTestContainer,
    private readonly docker: Dockerode,
  ) {}

  get name(): string {
    return this.options.name;
  }

  get address(): string {
    return this.options.address;
  }

  get containerId(): string {
    return this.container.getId();
  }

  /** Returns whether the container, and so the guest kernel, runs. False after {@link kill}, a guest power-off or a panic. */
  async isRunning(): Promise<boolean> {
    const { State } = await this.docker.getContainer(this.containerId).inspect();
    return State.Running;
  }

  /** Runs a command in the container (not the guest) and returns its exit code and output. */
  async execInContainer(command: string[]): Promise<{ exitCode: number; output: string }> {
    const result = await this.container.exec(command);
    return { exitCode: result.exitCode, output: result.output };
  }

  /**
   * Creates the node's container and waits until the guest's command agent runs.
   *
   * @throws Error naming the node, container name and image when the container fails to start
   *   or the guest does not print its ready line within 90 s.
   */
  static async start(options: UmlNodeOptions, docker: Dockerode): Promise<UmlNode> {
    const containerName = `${options.runId}-${options.name}`;
    await mkdir(options.logDir, { recursive: true });
    const logFile = createWriteStream(join(options.logDir, `${options.name}.log`), { flags: 'a' });
    options.log.info({ node: options.name, image: options.image, address: options.address }, 'Starting UML node...');
    const container = new UmlContainer(options.image)
      .withStaticIp(options.network, options.address)
      .withName(containerName)
      .withHostname(options.name)
      .withLabels(runLabels(options.runId, { [LABEL_NODE]: options.name }))
      .withAddedCapabilities('NET_ADMIN')
      .withTmpFs({ '/umltmp': MEMORY_TMPFS })
      .withEnvironment({
        TMPDIR: '/umltmp',
        MAILHA_GUEST_MEMORY: options.memory ?? '256M',
        MAILHA_DISK_MIB: String(options.diskMiB ?? 256),
      })
      .withLogConsumer((stream) => stream.pipe(logFile))
      .withWaitStrategy(Wait.forLogMessage(READY_LINE))
      .withStartupTimeout(BOOT_TIMEOUT_MS);
    try {
      const started = await container.start();
      options.log.info({ node: options.name, containerId: started.getId().slice(0, 12) }, 'Started UML node');
      return new UmlNode(options, started, docker);
    } catch (error) {
      options.log.error({ node: options.name, err: error }, 'Failed to start UML node');
      throw new Error(`Failed to start UML node ${options.name} (container ${containerName}, image ${options.image}): ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Runs a bash script in the guest and returns its output (stdout and stderr merged).
   *
   * @throws GuestCommandError when the script exits non-zero or no reply arrives within `timeoutMs`.
   */
  async exec(script: string, timeoutMs = 60_000): Promise<string> {
    const seconds = String(Math.ceil(timeoutMs / 1000));
    const result = await this.container.exec(['/usr/local/sbin/mailha-guest-exec', '-t', seconds, script]);
    if (result.exitCode !== 0) throw new GuestCommandError(this.name, this.containerId, script, result.exitCode, result.output);
    return result.output;
  }

  /**
   * Reads a file under the guest's `/proc` through UML's management console, from the kernel
   * itself, so it works while the guest's processes hang or are busy.
   */
  async readProc(file: string): Promise<string> {
    const result = await this.container.exec(['uml_mconsole', MCONSOLE_SOCKET, 'proc', file]);
    // uml_mconsole prints "OK " before the text, or "ERR ..." on failure, and warnings on stderr.
    const output = result.stdout;
    if (result.exitCode !== 0 || !output.startsWith('OK')) {
      throw new GuestCommandError(this.name, this.containerId, `uml_mconsole proc ${file}`, result.exitCode, result.output);
    }
    return output.replace(/^OK ?\n?/, '');
  }

  /** Powers the node off at once: SIGKILL to every process of the container, the guest kernel included. */
  async kill(): Promise<void> {
    // Docker refuses to kill a paused container; a power switch does not care.
    const { State } = await this.docker.getContainer(this.containerId).inspect();
    if (State.Paused) await this.docker.getContainer(this.containerId).unpause();
    await this.docker.getContainer(this.containerId).kill({ signal: 'SIGKILL' });
    this.options.log.info({ node: this.name, containerId: this.containerId.slice(0, 12) }, 'Killed UML node');
  }

  /**
   * Powers a killed or stopped node on again and waits for the guest's command agent. The
   * backing disk survives; DRBD, OCFS2 and Courier stay down until started through {@link exec}.
   */
  async powerOn(): Promise<void> {
    this.options.log.info({ node: this.name, containerId: this.containerId.slice(0, 12) }, 'Starting UML node...');
    await this.docker.getContainer(this.containerId).start();
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    for (;;) {
      const probe = await this.container.exec(['/usr/local/sbin/mailha-guest-exec', '-t', '2', 'true']).catch(() => undefined);
      if (probe?.exitCode === 0) break;
      if (Date.now() > deadline) throw new Error(`The guest of ${this.name} (container ${this.containerId.slice(0, 12)}) did not run a command within ${BOOT_TIMEOUT_MS} ms after start`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    this.options.log.info({ node: this.name, containerId: this.containerId.slice(0, 12) }, 'Started UML node');
  }
}
