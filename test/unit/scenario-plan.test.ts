/** Step plans checked before anything starts: faults aimed at nodes that will not be running, toxics, links. */
import { describe, expect, it } from 'vitest';
import { CHECKERS } from '../../harness/checkers/index.js';
import { parseScenario, ScenarioError } from '../../harness/scenario/load.js';
import { CHECK_NAMES } from '../../harness/scenario/schema.js';

function problems(steps: unknown[], extra: Record<string, unknown> = {}): string[] {
  try {
    parseScenario({ name: 'plan', question: 'Is this plan sound?', steps, ...extra }, 'plan.yaml');
    return [];
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    return error.problems;
  }
}

describe('scenario plan', () => {
  it('accepts kill then start', () => {
    expect(problems([{ action: 'kill', target: 'site-a' }, { action: 'run', seconds: 1 }, { action: 'start', target: 'site-a' }])).toEqual([]);
  });

  it('rejects start of a running node', () => {
    expect(problems([{ action: 'start', target: 'primary-1' }])).toEqual(['scenario.steps[0].target: cannot start primary-1: it is running at this step']);
  });

  it('rejects pause of a killed node', () => {
    expect(problems([{ action: 'kill', target: 'backup' }, { action: 'pause', target: 'backup' }])).toEqual([
      'scenario.steps[1].target: cannot pause backup: it is killed at this step',
    ]);
  });

  it('rejects resume of a node never paused', () => {
    expect(problems([{ action: 'resume', target: 'dns' }])).toEqual(['scenario.steps[0].target: cannot resume dns: it is running at this step']);
  });

  it('rejects invalid audit steps', () => {
    expect(problems([{ action: 'kill', target: 'site-b' }, { action: 'audit-readonly', accounts: 1 }])).toEqual([
      'scenario.steps[1].action: cannot audit the backup: it is killed at this step',
    ]);
    expect(problems([{ action: 'audit-readonly', accounts: 9 }], { topology: { accounts: 2 } })).toEqual([
      'scenario.steps[0].accounts: 9 accounts to audit, but topology.accounts is 2',
    ]);
  });

  it('rejects a read-only mode that does not exist, listing the modes', () => {
    expect(problems([{ action: 'run', seconds: 1 }], { topology: { backup: { readOnly: 'immutable' } } })[0]).toMatch(
      /^scenario\.topology\.backup\.readOnly: .*acl-locked/,
    );
  });

  it('rejects a step inside a timed fault', () => {
    expect(problems([{ action: 'pause', target: 'primary-2', durationSeconds: 10 }, { action: 'run', seconds: 3 }, { action: 'kill', target: 'primary-2' }])[0]).toMatch(
      /^scenario\.steps\[2\]\.target: primary-2 may still be under the timed fault of steps\[0\]; add a run step of at least 7 s/,
    );
  });

  it('accepts a step after a timed fault ends', () => {
    expect(problems([{ action: 'pause', target: 'primary-2', durationSeconds: 2 }, { action: 'run', seconds: 3 }, { action: 'kill', target: 'primary-2' }])).toEqual([]);
  });

  it('rejects unknown toxic type', () => {
    expect(problems([{ action: 'link-fault', link: 'replication', toxic: 'jitter' }])[0]).toMatch(/^scenario\.steps\[0\]\.toxic: unknown toxic type "jitter"/);
  });

  it('rejects missing toxic attribute', () => {
    expect(problems([{ action: 'link-fault', link: 'replication', toxic: 'bandwidth' }])).toEqual([
      'scenario.steps[0].attributes.rate: must be a number (toxic bandwidth)',
    ]);
  });

  it('rejects negative toxic attribute', () => {
    expect(problems([{ action: 'link-fault', link: 'replication', toxic: 'latency', attributes: { latency: -5 } }])).toEqual([
      'scenario.steps[0].attributes.latency: must be 0 or more (toxic latency)',
    ]);
  });

  it('rejects unknown link', () => {
    expect(problems([{ action: 'link-fault', link: 'clients->dns', toxic: 'partition' }])[0]).toMatch(/^scenario\.steps\[0\]\.link: unknown link/);
  });

  it('rejects a client beyond the workload', () => {
    expect(problems([{ action: 'link-fault', link: 'client-9->backup', toxic: 'partition' }], { workload: { clients: 2 } })).toEqual([
      'scenario.steps[0].link: client-9 does not exist; the workload has 2 clients',
    ]);
  });

  it('rejects heal of an unknown fault', () => {
    expect(problems([{ action: 'heal', id: 'wan' }])).toEqual(['scenario.steps[0].id: no active link fault named "wan" to heal']);
  });

  it('rejects site-up of a site not down', () => {
    expect(problems([{ action: 'site-up', target: 'site-b' }])[0]).toMatch(/^scenario\.steps\[0\]\.target: site-b is not down/);
  });

  it('rejects unknown check name', () => {
    expect(problems([{ action: 'run', seconds: 1 }], { checks: ['lost-mail'] })[0]).toMatch(/^scenario\.checks\[0\]: unknown check "lost-mail"/);
  });

  it('names every registered checker', () => {
    expect([...CHECK_NAMES].sort()).toEqual(Object.keys(CHECKERS).sort());
  });
});
