/**
 * The failover controller's decision rule, kept apart from timers, sockets and DNS so it can be
 * tested on its own. It is fed one round of probe results at a time and returns the changes of
 * each primary's health and the DNS repoint it wants.
 *
 * A primary turns `down` after `failureThreshold` failed probes in a row and `up` again after
 * `recoveryThreshold` passed probes in a row; every primary starts `up`. The rule acts on those
 * changes only:
 * - failover: a change that leaves no primary `up` while the record points at the primaries
 *   requests a repoint at the backup;
 * - failback (when enabled): a primary turning `up` while the record points at the backup requests
 *   a repoint at the primaries.
 * A requested repoint stays pending, and is returned by every later round, until
 * {@link FailoverDecision.pointedAt} confirms it, or a later change makes it pointless. So a DNS
 * update that failed is retried on the next round, and a record an operator repointed by hand is
 * left alone until the next change of a primary's health.
 */
import type { NodeName } from '../scenario/schema.js';

/** Target of the IMAP record: every primary, or the backup alone. */
export type Pointing = 'primaries' | 'backup';

export interface ProbeResult {
  node: NodeName;
  ok: boolean;
  /** Reason the probe failed; absent when it passed. */
  error?: string;
}

export interface DecisionThresholds {
  failureThreshold: number;
  recoveryThreshold: number;
  failback: boolean;
}

/** A primary whose health changed in this round. */
export interface HealthChange {
  node: NodeName;
  health: 'up' | 'down';
  /** Probes in a row that led to the change: failures for `down`, passes for `up`. */
  consecutive: number;
  /** Clock time of the first probe of that run, on the caller's clock. */
  since: number;
  /** The error of the last failed probe, for `down`. */
  error?: string;
}

export interface RoundDecision {
  changes: HealthChange[];
  /** Target the record should point at now; null to leave it as it is. */
  repoint: Pointing | null;
}

interface NodeHealth {
  health: 'up' | 'down';
  failures: number;
  passes: number;
  runStartedAt: number;
}

export class FailoverDecision {
  private readonly nodes = new Map<NodeName, NodeHealth>();
  private current: Pointing = 'primaries';
  private pending: Pointing | null = null;

  constructor(
    private readonly thresholds: DecisionThresholds,
    readonly primaries: readonly NodeName[],
  ) {
    if (primaries.length === 0) throw new Error('the failover decision needs at least one primary to watch');
    for (const node of primaries) this.nodes.set(node, { health: 'up', failures: 0, passes: 0, runStartedAt: 0 });
  }

  /** Target of the record as last set by the controller or an operator. */
  get pointing(): Pointing {
    return this.current;
  }

  /** Returns the health of a watched primary. */
  healthOf(node: NodeName): 'up' | 'down' {
    const state = this.nodes.get(node);
    if (!state) throw new Error(`${node} is not a watched primary; watched: ${this.primaries.join(', ')}`);
    return state.health;
  }

  /**
   * Applies one round of probe results taken at `time`. A primary missing from `results` keeps
   * its counters; a result for a node that is not watched is an error.
   */
  observe(results: readonly ProbeResult[], time: number): RoundDecision {
    const changes: HealthChange[] = [];
    for (const result of results) {
      const state = this.nodes.get(result.node);
      if (!state) throw new Error(`probe result for ${result.node}, which is not a watched primary; watched: ${this.primaries.join(', ')}`);
      const change = this.count(result, state, time);
      if (change) changes.push(change);
    }

    const anyUp = this.primaries.some((node) => this.nodes.get(node)!.health === 'up');
    for (const change of changes) {
      if (change.health === 'down' && !anyUp && this.current === 'primaries') this.pending = 'backup';
      if (change.health === 'up' && this.pending === 'backup') this.pending = null;
      if (change.health === 'up' && this.current === 'backup' && this.thresholds.failback) this.pending = 'primaries';
      if (change.health === 'down' && !anyUp && this.pending === 'primaries') this.pending = null;
    }
    return { changes, repoint: this.pending };
  }

  /** Records that the record now points at `to`: the controller's update succeeded, or an operator repointed it. */
  pointedAt(to: Pointing): void {
    this.current = to;
    this.pending = null;
  }

  private count(result: ProbeResult, state: NodeHealth, time: number): HealthChange | null {
    if (result.ok) {
      if (state.passes === 0) state.runStartedAt = time;
      state.passes += 1;
      state.failures = 0;
      if (state.health === 'down' && state.passes >= this.thresholds.recoveryThreshold) {
        state.health = 'up';
        return { node: result.node, health: 'up', consecutive: state.passes, since: state.runStartedAt };
      }
      return null;
    }
    if (state.failures === 0) state.runStartedAt = time;
    state.failures += 1;
    state.passes = 0;
    if (state.health === 'up' && state.failures >= this.thresholds.failureThreshold) {
      state.health = 'down';
      return { node: result.node, health: 'down', consecutive: state.failures, since: state.runStartedAt, ...(result.error ? { error: result.error } : {}) };
    }
    return null;
  }
}
