/**
 * Injects and heals faults on a bed, recording each start and end in the history. Every fault
 * is either timed (healed by a timer) or healed by a later step; `healAll` undoes whatever is
 * still active, so a run leaves no toxic, no paused node and no stopped node behind.
 */
import type { Logger } from 'pino';
import type { Bed } from '../bed/bed.js';
import { proxiesOfLink, proxiesOfSite } from '../bed/links/links.js';
import type { HistoryRecorder } from '../history/recorder.js';
import type { DiskFailMode, LinkFaultStep, NodeName, TargetName } from '../scenario/schema.js';
import { TOXIC_ATTRIBUTES } from '../scenario/schema.js';
import { nodesOf } from '../scenario/topology.js';

type NodeFault = 'kill' | 'stop' | 'pause';

/** Fault names a `start` step heals: the node is powered off until then. */
const POWERED_OFF_FAULTS = new Set(['kill', 'stop', 'fence']);

interface ActiveFault {
  id: string;
  name: string;
  nodes: NodeName[];
  detail: Record<string, unknown>;
  /** Undoes the fault; must be safe to call once. */
  undo: () => Promise<void>;
  timer?: NodeJS.Timeout;
}

export class FaultEngine {
  private readonly active = new Map<string, ActiveFault>();
  private readonly pendingHeals = new Set<Promise<void>>();
  private readonly errors: string[] = [];

  constructor(
    private readonly bed: Bed,
    private readonly history: HistoryRecorder,
    private readonly clients: number,
    private readonly log: Logger,
  ) {
    bed.onNodeLoss((loss) => this.nodeLost(loss.node, loss.cause, loss.detail));
  }

  /**
   * Records a node the bed powered off by itself, such as a DRBD fence, as an active fault, so a
   * later `start` step (or the final healing) powers it on again.
   */
  private nodeLost(node: NodeName, cause: string, detail: Record<string, unknown>): void {
    const id = `${cause}:${node}`;
    if (this.active.has(id)) return;
    this.history.event({ kind: 'fault', phase: 'start', name: cause, nodes: [node], detail: { id, ...detail } });
    this.log.info({ node, cause, ...detail }, 'Node powered off by the bed');
    // The fencer reports only nodes it powered off itself, so a node a step killed is never reported here.
    this.register({ id, name: cause, nodes: [node], detail: { target: node }, undo: () => this.bed.start([node]) }, undefined);
  }

  /** Errors met while healing (including timed heals); reported by the healing check. */
  get healErrors(): readonly string[] {
    return this.errors;
  }

  async nodeFault(kind: NodeFault, target: TargetName, durationSeconds?: number): Promise<NodeName[]> {
    const nodes = nodesOf(target).filter((node) => this.bed.isRunning(node));
    const id = `${kind}:${nodes.join(',')}`;
    this.history.event({ kind: 'fault', phase: 'start', name: kind, nodes, detail: { id, target, durationSeconds: durationSeconds ?? null } });
    if (kind === 'kill') await this.bed.kill(nodes);
    else if (kind === 'stop') await this.bed.stop(nodes);
    else await this.bed.pause(nodes);
    const undo = () => (kind === 'pause' ? this.bed.resume(nodes) : this.bed.start(nodes));
    this.register({ id, name: kind, nodes, detail: { target }, undo }, durationSeconds);
    return nodes;
  }

  /** Heals the node faults of a target: `start` for kill and stop, `resume` for pause. */
  async nodeRecover(kind: 'start' | 'resume', target: TargetName): Promise<NodeName[]> {
    const wanted = new Set(nodesOf(target));
    const matching = [...this.active.values()].filter(
      (fault) => fault.nodes.some((node) => wanted.has(node)) && (kind === 'resume' ? fault.name === 'pause' : POWERED_OFF_FAULTS.has(fault.name)),
    );
    for (const fault of matching) await this.heal(fault.id);
    return matching.flatMap((fault) => fault.nodes);
  }

  /** Restarts the target gracefully (stop, then start), recorded as one fault with its own end. */
  async restart(target: TargetName): Promise<NodeName[]> {
    const nodes = nodesOf(target).filter((node) => this.bed.isRunning(node));
    this.history.event({ kind: 'fault', phase: 'start', name: 'restart', nodes, detail: { target } });
    await this.bed.stop(nodes);
    await this.bed.start(nodes);
    this.history.event({ kind: 'fault', phase: 'end', name: 'restart', nodes, ok: true, detail: { target } });
    return nodes;
  }

  /** Takes a whole site dark: kills every node and silences every link that touches it. */
  async siteDown(site: TargetName, durationSeconds?: number): Promise<NodeName[]> {
    const nodes = nodesOf(site).filter((node) => this.bed.isRunning(node));
    const proxies = proxiesOfSite(site, this.clients);
    const id = `site-down:${site}`;
    this.history.event({ kind: 'fault', phase: 'start', name: 'site-down', nodes, detail: { id, site, proxies, durationSeconds: durationSeconds ?? null } });
    const toxics = proxies.flatMap((proxy) => partitionToxics(proxy, id));
    for (const { proxy, toxic } of toxics) await this.bed.links.addToxic(proxy, toxic);
    await this.bed.kill(nodes);
    const undo = async () => {
      await this.bed.start(nodes);
      for (const { proxy, toxic } of toxics) await this.bed.links.removeToxic(proxy, toxic.name);
    };
    this.register({ id, name: 'site-down', nodes, detail: { site }, undo }, durationSeconds);
    return nodes;
  }

  async siteUp(site: TargetName): Promise<void> {
    await this.heal(`site-down:${site}`);
  }

  async linkFault(step: LinkFaultStep, stepIndex: number): Promise<string[]> {
    const id = step.id ?? `step-${stepIndex + 1}`;
    const proxies = proxiesOfLink(step.link, this.clients);
    const streams = step.direction === 'both' ? (['upstream', 'downstream'] as const) : ([step.direction] as const);
    const attributes = TOXIC_ATTRIBUTES[step.toxic].parse(step.attributes) as Record<string, number>;
    const toxics = proxies.flatMap((proxy) =>
      streams.map((stream) => ({
        proxy,
        toxic: {
          name: `${id}-${stream}`,
          // A partition drops every byte but keeps the connection open, as Toxiproxy's timeout toxic does with 0.
          type: step.toxic === 'partition' ? 'timeout' : step.toxic,
          stream,
          toxicity: step.toxicity,
          attributes: step.toxic === 'partition' ? { timeout: 0 } : attributes,
        },
      })),
    );
    const detail = { id, link: step.link, toxic: step.toxic, direction: step.direction, toxicity: step.toxicity, attributes, proxies };
    this.history.event({ kind: 'fault', phase: 'start', name: `link-${step.toxic}`, nodes: [], detail });
    for (const { proxy, toxic } of toxics) await this.bed.links.addToxic(proxy, toxic);
    const undo = async () => {
      for (const { proxy, toxic } of toxics) await this.bed.links.removeToxic(proxy, toxic.name);
    };
    this.register({ id, name: `link-${step.toxic}`, nodes: [], detail: { link: step.link }, undo }, step.durationSeconds);
    return proxies;
  }

  /**
   * Fails the DRBD backing disk of a primary (see {@link Bed.failDisk}) and returns the node's
   * kernel log lines about it. The undo attaches the disk again.
   */
  async diskFail(node: NodeName, mode: DiskFailMode, durationSeconds?: number): Promise<string[]> {
    const id = `disk-fail:${node}`;
    this.history.event({ kind: 'fault', phase: 'start', name: 'disk-fail', nodes: [node], detail: { id, mode, durationSeconds: durationSeconds ?? null } });
    const kernelLog = await this.bed.failDisk(node, mode);
    this.register({ id, name: 'disk-fail', nodes: [node], detail: { mode }, undo: () => this.bed.repairDisk(node) }, durationSeconds);
    return kernelLog;
  }

  /** Heals the disk fault of a primary; returns false when none is active. */
  async diskRepair(node: NodeName): Promise<boolean> {
    const id = `disk-fail:${node}`;
    if (!this.active.has(id)) return false;
    await this.heal(id);
    return true;
  }

  /** Heals one active fault by id, or every active link fault when `id` is undefined. */
  async healLinks(id?: string): Promise<void> {
    const ids = id ? [id] : [...this.active.values()].filter((fault) => fault.name.startsWith('link-')).map((fault) => fault.id);
    for (const each of ids) await this.heal(each);
  }

  /**
   * Heals everything still active, waits for timed heals in flight, then resets the links and
   * restarts any node the faults left down. Never throws: errors are kept for the healing check.
   */
  async healAll(): Promise<void> {
    for (const id of [...this.active.keys()]) await this.heal(id);
    await Promise.all(this.pendingHeals);
    try {
      await this.bed.links.reset();
    } catch (error) {
      this.errors.push(`resetting the links failed: ${(error as Error).message}`);
    }
  }

  /** Lists what is still broken after healing: leftover toxics, disabled proxies, nodes down or paused. */
  async leftovers(): Promise<string[]> {
    const problems = [...this.errors];
    try {
      problems.push(...(await this.bed.links.leftovers()));
    } catch (error) {
      problems.push(`reading the proxies failed: ${(error as Error).message}`);
    }
    problems.push(...(await this.bed.nodeProblems()));
    return problems;
  }

  private register(fault: ActiveFault, durationSeconds: number | undefined): void {
    this.active.set(fault.id, fault);
    if (durationSeconds === undefined) return;
    fault.timer = setTimeout(() => {
      const heal = this.heal(fault.id).finally(() => this.pendingHeals.delete(heal));
      this.pendingHeals.add(heal);
    }, durationSeconds * 1000);
  }

  private async heal(id: string): Promise<void> {
    const fault = this.active.get(id);
    if (!fault) return;
    this.active.delete(id);
    clearTimeout(fault.timer);
    let ok = true;
    try {
      await fault.undo();
    } catch (error) {
      ok = false;
      const text = `healing ${fault.name} (${id}) failed: ${(error as Error).message}`;
      this.errors.push(text);
      this.log.error({ err: error, fault: id }, 'Failed to heal fault');
    }
    this.history.event({ kind: 'fault', phase: 'end', name: fault.name, nodes: fault.nodes, ok, detail: { id, ...fault.detail } });
  }
}

function partitionToxics(proxy: string, id: string) {
  return (['upstream', 'downstream'] as const).map((stream) => ({
    proxy,
    toxic: { name: `${id.replace(/[^a-z0-9-]/g, '-')}-${stream}`, type: 'timeout', stream, toxicity: 1, attributes: { timeout: 0 } },
  }));
}
