/**
 * The automatic failover controller: probes every primary's IMAP greeting at a fixed interval and
 * repoints the IMAP record with the bed's TSIG-signed update when {@link FailoverDecision} requests it.
 * It uses the {@link Bed} contract only, so any runtime that implements it can host it.
 *
 * It records on the run's history clock: `controller` events for its start, its stop and each
 * change of a primary's health, and a `dns-update` event with `detail.by: 'controller'` for each
 * update it sends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Bed } from '../bed/bed.js';
import type { HistoryRecorder } from '../history/recorder.js';
import type { FailoverConfig, NodeName } from '../scenario/schema.js';
import { imapNodesOf } from '../scenario/topology.js';
import { FailoverDecision, type Pointing, type ProbeResult, type RoundDecision } from './decision.js';
import { probeImapGreeting, type ProbeOutcome } from './probe.js';

export type Probe = (target: { host: string; port: number }, timeoutMs: number) => Promise<ProbeOutcome>;

export interface FailoverControllerOptions {
  bed: Pick<Bed, 'probeAddress' | 'address' | 'updateDns' | 'imapHostname'>;
  history: Pick<HistoryRecorder, 'event' | 'now'>;
  config: FailoverConfig;
  log: Logger;
  /** The health probe; the IMAP greeting probe unless a test replaces it. */
  probe?: Probe;
}

const BACKUP: NodeName = 'backup';

export class FailoverController {
  readonly decision: FailoverDecision;
  private readonly primaries = imapNodesOf('site-a');
  private readonly probe: Probe;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: FailoverControllerOptions) {
    this.decision = new FailoverDecision(options.config, this.primaries);
    this.probe = options.probe ?? probeImapGreeting;
  }

  /** Starts probing; calling it again has no effect. */
  start(): void {
    if (this.loop) return;
    const { config } = this.options;
    this.options.history.event({ kind: 'controller', phase: 'start', name: 'failover-controller', nodes: [...this.primaries], detail: { by: 'controller', ...config } });
    this.options.log.info({ primaries: this.primaries, ...config }, 'Started failover controller');
    this.loop = this.run();
  }

  /** Stops probing, waits for a round in flight (with its DNS update) to finish, and records the stop. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping.abort();
    await this.loop;
    this.loop = undefined;
    this.options.history.event({ kind: 'controller', phase: 'end', name: 'failover-controller', nodes: [...this.primaries], ok: true, detail: { by: 'controller', pointing: this.decision.pointing } });
    this.options.log.info({ pointing: this.decision.pointing }, 'Stopped failover controller');
  }

  /** Tells the controller that an operator pointed the record at `nodes`, so it does not undo that on its own. */
  noteOperatorRepoint(nodes: readonly NodeName[]): void {
    this.decision.pointedAt(nodes.some((node) => this.primaries.includes(node)) ? 'primaries' : 'backup');
  }

  /** Probes every primary once, records health changes, and sends the DNS update the decision requests. */
  async runRound(): Promise<RoundDecision> {
    const { config, bed, history } = this.options;
    const time = history.now();
    const results: ProbeResult[] = await Promise.all(
      this.primaries.map(async (node) => ({ node, ...(await this.probe(bed.probeAddress(node), config.probeTimeoutMs)) })),
    );
    const decision = this.decision.observe(results, time);
    for (const change of decision.changes) {
      history.event({
        kind: 'controller',
        phase: 'point',
        name: change.health === 'down' ? 'probe-failed' : 'probe-recovered',
        nodes: [change.node],
        ok: change.health === 'up',
        detail: { by: 'controller', consecutive: change.consecutive, since: change.since, ...(change.error ? { error: change.error } : {}) },
      });
      this.options.log.info({ node: change.node, health: change.health, consecutive: change.consecutive, error: change.error }, 'Primary health changed');
    }
    if (decision.repoint) await this.repoint(decision.repoint);
    return decision;
  }

  private async repoint(to: Pointing): Promise<void> {
    const { bed, history, config } = this.options;
    const nodes = to === 'backup' ? [BACKUP] : [...this.primaries];
    const reason =
      to === 'backup'
        ? `every primary failed ${config.failureThreshold} probes in a row`
        : `a primary passed ${config.recoveryThreshold} probes in a row`;
    const outcome = await bed.updateDns(nodes.map((node) => bed.address(node)));
    history.event({
      kind: 'dns-update',
      phase: 'point',
      name: bed.imapHostname,
      nodes,
      ok: outcome.ok,
      detail: { by: 'controller', reason, addresses: outcome.addresses, output: outcome.output },
    });
    if (outcome.ok) {
      this.decision.pointedAt(to);
      this.options.log.info({ to, addresses: outcome.addresses, reason }, 'Repointed the IMAP record');
    } else {
      // The decision keeps the repoint pending, so the next round sends it again.
      this.options.log.error({ to, addresses: outcome.addresses, output: outcome.output }, 'Failed to repoint the IMAP record; retrying next round');
    }
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    const intervalMs = this.options.config.probeIntervalSeconds * 1000;
    while (!signal.aborted) {
      const started = Date.now();
      try {
        await this.runRound();
      } catch (error) {
        this.options.log.error({ err: error }, 'Failover controller round failed');
      }
      try {
        await sleep(Math.max(0, started + intervalMs - Date.now()), undefined, { signal });
      } catch {
        return;
      }
    }
  }
}
