/**
 * Checks a scenario's steps against each other before anything starts: toxic attributes, client
 * names, and faults aimed at nodes that will not be running (or recoveries of nodes that are).
 * Node states are simulated step by step. Only `run` steps give a lower bound on elapsed time, so
 * a timed fault counts as healed once that many seconds of `run` have passed.
 */
import { TOXIC_ATTRIBUTES, type Scenario, type Step } from './schema.js';
import { nodesOf } from './topology.js';
import { formatPath } from './paths.js';

type NodeState = 'running' | 'killed' | 'stopped' | 'paused';

const STATE_AFTER = { kill: 'killed', stop: 'stopped', pause: 'paused' } as const;

interface TimedFault {
  nodes: string[];
  healsAt: number;
  stepIndex: number;
}

/** Returns problems as `scenario.steps[N].field: message` lines; empty when the plan is sound. */
export function checkPlan(scenario: Scenario): string[] {
  const problems: string[] = [];
  const state = new Map<string, NodeState>(nodesOf('site-a').concat(nodesOf('site-b'), nodesOf('site-dns')).map((node) => [node, 'running']));
  const timed: TimedFault[] = [];
  const linkFaults = new Map<string, number>();
  const downSites = new Set<string>();
  const failedDisks = new Map<string, number>();
  let elapsed = 0;

  const report = (index: number, field: string | null, message: string) => {
    problems.push(`${formatPath(field ? ['steps', index, field] : ['steps', index])}: ${message}`);
  };
  const expireTimed = () => {
    for (let i = timed.length - 1; i >= 0; i -= 1) {
      if (timed[i].healsAt > elapsed) continue;
      for (const node of timed[i].nodes) state.set(node, 'running');
      timed.splice(i, 1);
    }
  };
  const requireState = (index: number, step: Step & { target: string }, wanted: NodeState[], verb: string): string[] | undefined => {
    const nodes = nodesOf(step.target as never);
    for (const node of nodes) {
      const pending = timed.find((fault) => fault.nodes.includes(node));
      if (pending) {
        report(index, 'target', `${node} may still be under the timed fault of steps[${pending.stepIndex}]; add a run step of at least ${Math.ceil(pending.healsAt - elapsed)} s before this one`);
        return undefined;
      }
      const current = state.get(node)!;
      if (!wanted.includes(current)) {
        report(index, 'target', `cannot ${verb} ${node}: it is ${current} at this step`);
        return undefined;
      }
    }
    return nodes;
  };

  scenario.steps.forEach((step, index) => {
    expireTimed();
    switch (step.action) {
      case 'run':
        elapsed += step.seconds;
        break;
      case 'kill':
      case 'stop':
      case 'pause': {
        if (step.action === 'pause' && scenario.topology.storage === 'drbd' && (step.target === 'primary-1' || step.target === 'primary-2')) {
          report(index, 'action', `cannot pause ${step.target} with topology.storage: drbd: its peer fences it (the bed powers it off) once DRBD's ping times out, so it could not be resumed; use kill or pause site-a`);
          break;
        }
        const nodes = requireState(index, step, ['running'], step.action);
        if (!nodes) break;
        const next: NodeState = STATE_AFTER[step.action];
        nodes.forEach((node) => state.set(node, next));
        if (step.durationSeconds !== undefined) timed.push({ nodes, healsAt: elapsed + step.durationSeconds, stepIndex: index });
        break;
      }
      case 'restart':
        requireState(index, step, ['running'], 'restart');
        break;
      case 'start': {
        const nodes = requireState(index, step, ['killed', 'stopped'], 'start');
        nodes?.forEach((node) => state.set(node, 'running'));
        break;
      }
      case 'resume': {
        const nodes = requireState(index, step, ['paused'], 'resume');
        nodes?.forEach((node) => state.set(node, 'running'));
        break;
      }
      case 'site-down': {
        if (downSites.has(step.target)) {
          report(index, 'target', `${step.target} is already down at this step`);
          break;
        }
        const nodes = requireState(index, step, ['running'], 'take down');
        if (!nodes) break;
        nodes.forEach((node) => state.set(node, 'killed'));
        if (step.durationSeconds !== undefined) timed.push({ nodes, healsAt: elapsed + step.durationSeconds, stepIndex: index });
        else downSites.add(step.target);
        break;
      }
      case 'site-up': {
        if (!downSites.has(step.target)) {
          report(index, 'target', `${step.target} is not down at this step (a timed site-down recovers by itself)`);
          break;
        }
        downSites.delete(step.target);
        nodesOf(step.target).forEach((node) => state.set(node, 'running'));
        break;
      }
      case 'link-fault': {
        const attributes = TOXIC_ATTRIBUTES[step.toxic].safeParse(step.attributes);
        if (!attributes.success) {
          for (const issue of attributes.error.issues) {
            problems.push(`${formatPath(['steps', index, 'attributes', ...issue.path])}: ${issue.message} (toxic ${step.toxic})`);
          }
        }
        const client = /^client-(\d+)->/.exec(step.link);
        if (client && Number(client[1]) > scenario.workload.clients) {
          report(index, 'link', `client-${client[1]} does not exist; the workload has ${scenario.workload.clients} clients`);
        }
        if (scenario.topology.storage === 'drbd' && step.link === 'storage' && step.toxic === 'partition' && state.get('primary-1') === 'running' && state.get('primary-2') === 'running') {
          // Both fence-peer handlers fire. primary-1's requests the fence at once and primary-2's
          // after 3 s, so the bed powers primary-2 off and a later step must start it again.
          state.set('primary-2', 'killed');
        }
        const id = step.id ?? `step-${index + 1}`;
        if (linkFaults.has(id)) report(index, 'id', `a link fault named "${id}" is already active (steps[${linkFaults.get(id)}])`);
        if (step.durationSeconds === undefined) linkFaults.set(id, index);
        break;
      }
      case 'heal':
        if (step.id !== undefined && !linkFaults.has(step.id)) report(index, 'id', `no active link fault named "${step.id}" to heal`);
        if (step.id === undefined) linkFaults.clear();
        else linkFaults.delete(step.id);
        break;
      case 'disk-fail': {
        if (scenario.topology.storage !== 'drbd') {
          report(index, 'action', 'disk-fail needs topology.storage: drbd; the shared-volume stand-in has no disk to fail');
          break;
        }
        if (failedDisks.has(step.target)) {
          report(index, 'target', `the disk of ${step.target} has already failed at this step (steps[${failedDisks.get(step.target)}])`);
          break;
        }
        if (!requireState(index, step, ['running'], 'fail the disk of')) break;
        // A timed disk fault is attached again by its timer, so it blocks no later step.
        if (step.durationSeconds === undefined) failedDisks.set(step.target, index);
        break;
      }
      case 'disk-repair':
        if (!failedDisks.has(step.target)) report(index, 'target', `the disk of ${step.target} has not failed at this step (a timed disk-fail is repaired by itself)`);
        else if (requireState(index, step, ['running'], 'repair the disk of')) failedDisks.delete(step.target);
        break;
      case 'audit-readonly':
        if (state.get('backup') !== 'running') report(index, 'action', `cannot audit the backup: it is ${state.get('backup')} at this step`);
        if (step.accounts > scenario.topology.accounts) report(index, 'accounts', `${step.accounts} accounts to audit, but topology.accounts is ${scenario.topology.accounts}`);
        break;
      default:
        break;
    }
  });
  return problems;
}
