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
import type { FaultEngine } from '../faults/engine.js';
import type { FailoverController } from '../controller/controller.js';
import { observeMailboxes } from '../workload/observer.js';
import { auditReadOnly } from '../audit/audit.js';
import { outcomeTable } from '../audit/render.js';
import { countByKind } from '../audit/side-effects.js';
import { ACCOUNT_FOLDERS } from '../workload/client.js';

export interface StepContext {
  bed: Bed;
  history: HistoryRecorder;
  replicator: Replicator | undefined;
  accounts: readonly Account[];
  clientIds: readonly string[];
  snapshots: MailboxSnapshot[];
  signal: AbortSignal;
  faults: FaultEngine;
  /** The automatic failover controller, in scenarios whose failover mode is `auto`. */
  controller?: FailoverController;
}

/** Result of one step: `ok: false` is recorded and reported, but the scenario goes on. */
export interface StepOutcome {
  ok: boolean;
  detail: Record<string, unknown>;
}

export async function runStep(step: Step, index: number, context: StepContext): Promise<StepOutcome> {
  const { bed, history } = context;
  switch (step.action) {
    case 'run':
      await sleep(step.seconds * 1000, undefined, { signal: context.signal });
      return { ok: true, detail: {} };

    case 'await-sync': {
      if (!context.replicator) return { ok: false, detail: { error: 'sync is disabled in this scenario' } };
      const ok = await context.replicator.waitForSync(history.now(), step.timeoutSeconds * 1000, context.signal);
      return { ok, detail: ok ? {} : { error: `no sync completed within ${step.timeoutSeconds} s` } };
    }

    case 'kill':
    case 'stop':
    case 'pause':
      return { ok: true, detail: { nodes: await context.faults.nodeFault(step.action, step.target, step.durationSeconds) } };

    case 'restart':
      return { ok: true, detail: { nodes: await context.faults.restart(step.target) } };

    case 'start':
    case 'resume':
      return { ok: true, detail: { nodes: await context.faults.nodeRecover(step.action, step.target) } };

    case 'site-down':
      return { ok: true, detail: { nodes: await context.faults.siteDown(step.target, step.durationSeconds) } };

    case 'site-up':
      await context.faults.siteUp(step.target);
      return { ok: true, detail: {} };

    case 'link-fault':
      return { ok: true, detail: { proxies: await context.faults.linkFault(step, index) } };

    case 'heal':
      await context.faults.healLinks(step.id);
      return { ok: true, detail: {} };

    case 'disk-fail': {
      const kernelLog = await context.faults.diskFail(step.target, step.mode, step.durationSeconds);
      return { ok: true, detail: { nodes: [step.target], mode: step.mode, kernelLog } };
    }

    case 'disk-repair': {
      const repaired = await context.faults.diskRepair(step.target);
      return { ok: repaired, detail: repaired ? { nodes: [step.target] } : { error: `${step.target} has no failed disk to repair` } };
    }

    case 'dns-repoint': {
      const nodes = imapNodesOf(step.target);
      const outcome = await bed.updateDns(nodes.map((node) => bed.address(node)));
      history.event({ kind: 'dns-update', phase: 'point', name: bed.imapHostname, nodes, ok: outcome.ok, detail: { by: 'operator', addresses: outcome.addresses, output: outcome.output } });
      // An operator's repoint overrides the controller, which then leaves the record alone until a primary's health changes.
      if (outcome.ok) context.controller?.noteOperatorRepoint(nodes);
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

    case 'audit-readonly':
      return auditBackup(step.accounts, context);
  }
}

/** Audits the backup and records one `audit` event whose detail the backup-audit checker reads. */
async function auditBackup(accounts: number, context: StepContext): Promise<StepOutcome> {
  const { bed, history } = context;
  const start = history.now();
  const report = await auditReadOnly({
    host: bed.address('backup'),
    port: 143,
    accounts: context.accounts.slice(0, accounts),
    folders: ACCOUNT_FOLDERS,
    listStore: () => bed.listStore('backup'),
  });
  const detail = {
    verdict: report.verdict,
    violations: report.violations,
    findings: report.findings,
    escalatable: report.escalation.filter((entry) => entry.escalatable).length,
    escalationFolders: report.escalation.length,
    sideEffects: report.sideEffects === null ? null : countByKind(report.sideEffects),
    table: outcomeTable(report),
    durationMs: history.now() - start,
  };
  history.event({ kind: 'audit', phase: 'point', name: 'audit-readonly', nodes: ['backup'], ok: report.verdict === 'valid', detail });
  return { ok: true, detail: { verdict: report.verdict, violations: report.violations, findings: report.findings } };
}

/** Describes a step in one line for logs and progress output. */
export function describeStep(step: Step): string {
  switch (step.action) {
    case 'run':
      return `run the workload for ${step.seconds} s`;
    case 'await-sync':
      return `wait for a sync to complete (up to ${step.timeoutSeconds} s)`;
    case 'kill':
    case 'stop':
    case 'pause':
      return `${step.action} ${step.target}${step.durationSeconds ? ` for ${step.durationSeconds} s` : ''}`;
    case 'restart':
    case 'start':
    case 'resume':
      return `${step.action} ${step.target}`;
    case 'site-down':
      return `take ${step.target} down${step.durationSeconds ? ` for ${step.durationSeconds} s` : ''}`;
    case 'site-up':
      return `bring ${step.target} back`;
    case 'link-fault':
      return `${step.toxic} on ${step.link} (${step.direction})${step.durationSeconds ? ` for ${step.durationSeconds} s` : ''}`;
    case 'heal':
      return step.id ? `heal link fault ${step.id}` : 'heal every link fault';
    case 'disk-fail':
      return `fail the DRBD disk of ${step.target} (${step.mode})${step.durationSeconds ? ` for ${step.durationSeconds} s` : ''}`;
    case 'disk-repair':
      return `attach the DRBD disk of ${step.target} again`;
    case 'dns-repoint':
      return `point DNS at ${step.target}`;
    case 'await-clients':
      return `wait for every client to read from ${step.target} (up to ${step.timeoutSeconds} s)`;
    case 'observe':
      return `observe the mailboxes of ${step.target} as "${step.label}"`;
    case 'audit-readonly':
      return `audit the backup's read-only mode (${step.accounts} account${step.accounts === 1 ? '' : 's'})`;
  }
}
