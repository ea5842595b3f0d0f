/** Carries out scenario steps against a bed, recording each as events in the history. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bed } from '../bed/bed.js';
import type { HistoryRecorder } from '../history/recorder.js';
import type { MailboxSnapshot } from '../history/snapshot.js';
import { isOperation } from '../history/types.js';
import type { NodeName, Step } from '../scenario/schema.js';
import { imapNodesOf, nodesOf } from '../scenario/topology.js';
import type { Replicator } from '../replication/replicator.js';
import type { Account } from '../workload/client.js';
import { observeMailboxes } from '../workload/observer.js';

export interface StepContext {
  bed: Bed;
  history: HistoryRecorder;
  replicator: Replicator | undefined;
  accounts: readonly Account[];
  clientIds: readonly string[];
  snapshots: MailboxSnapshot[];
  signal: AbortSignal;
  /** Nodes that a `kill` step took down and no `start` step has brought back. */
  killed: Set<NodeName>;
}

/** Result of one step: `ok: false` is recorded and reported, but the scenario goes on. */
export interface StepOutcome {
  ok: boolean;
  detail: Record<string, unknown>;
}

export async function runStep(step: Step, context: StepContext): Promise<StepOutcome> {
  const { bed, history } = context;
  switch (step.action) {
    case 'run':
      await sleep(step.seconds * 1000, undefined, { signal: context.signal });
      return { ok: true, detail: {} };

    case 'await-sync': {
      if (!context.replicator) return { ok: false, detail: { error: 'sync is disabled in this scenario' } };
      const ok = await context.replicator.waitForSync(history.now(), step.timeoutSeconds * 1000);
      return { ok, detail: ok ? {} : { error: `no sync completed within ${step.timeoutSeconds} s` } };
    }

    case 'kill': {
      const nodes = nodesOf(step.target).filter((node) => bed.isRunning(node));
      history.event({ kind: 'fault', phase: 'start', name: 'kill', nodes });
      await bed.kill(nodes);
      nodes.forEach((node) => context.killed.add(node));
      return { ok: true, detail: { nodes } };
    }

    case 'start': {
      const nodes = nodesOf(step.target).filter((node) => context.killed.has(node));
      await bed.start(nodes);
      nodes.forEach((node) => context.killed.delete(node));
      history.event({ kind: 'fault', phase: 'end', name: 'kill', nodes });
      return { ok: true, detail: { nodes } };
    }

    case 'dns-repoint': {
      const nodes = imapNodesOf(step.target);
      const outcome = await bed.updateDns(nodes.map((node) => bed.address(node)));
      history.event({ kind: 'dns-update', phase: 'point', name: bed.imapHostname, nodes, ok: outcome.ok, detail: { addresses: outcome.addresses, output: outcome.output } });
      return { ok: outcome.ok, detail: { addresses: outcome.addresses, output: outcome.output } };
    }

    case 'await-clients': {
      const nodes = new Set<string>(imapNodesOf(step.target));
      const since = history.now();
      const deadline = Date.now() + step.timeoutSeconds * 1000;
      let waiting = [...context.clientIds];
      while (Date.now() < deadline && waiting.length > 0) {
        const served = new Set(
          history.entries
            .filter(isOperation)
            .filter((entry) => entry.time >= since && entry.type === 'ok' && entry.node !== null && nodes.has(entry.node))
            .filter((entry) => entry.f === 'fetch' || entry.f === 'search')
            .map((entry) => entry.process),
        );
        waiting = waiting.filter((client) => !served.has(client));
        if (waiting.length > 0) await sleep(250, undefined, { signal: context.signal });
      }
      return { ok: waiting.length === 0, detail: waiting.length ? { error: `clients never read from ${step.target}`, waiting } : {} };
    }

    case 'observe': {
      const nodes = imapNodesOf(step.target).filter((node) => bed.isRunning(node));
      for (const node of nodes) {
        const snapshot = await observeMailboxes({ label: step.label, node, address: bed.address(node), accounts: context.accounts, now: () => history.now() });
        context.snapshots.push(snapshot);
        history.event({ kind: 'observe', phase: 'point', name: step.label, nodes: [node], ok: snapshot.errors.length === 0, detail: { errors: snapshot.errors } });
      }
      return { ok: true, detail: { nodes } };
    }
  }
}

/** A one-line description of a step for logs and progress output. */
export function describeStep(step: Step): string {
  switch (step.action) {
    case 'run':
      return `run the workload for ${step.seconds} s`;
    case 'await-sync':
      return `wait for a sync to complete (up to ${step.timeoutSeconds} s)`;
    case 'kill':
      return `kill ${step.target}`;
    case 'start':
      return `start ${step.target}`;
    case 'dns-repoint':
      return `point DNS at ${step.target}`;
    case 'await-clients':
      return `wait for every client to read from ${step.target} (up to ${step.timeoutSeconds} s)`;
    case 'observe':
      return `observe the mailboxes of ${step.target} as "${step.label}"`;
  }
}
