/** The DRBD checks and the disk-fail plan rules: primaries-agree, storage-in-sync, disk-fail and disk-repair steps. */
import { describe, expect, it } from 'vitest';
import { primariesAgree } from '../../harness/checkers/primaries-agree.js';
import { storageInSync } from '../../harness/checkers/storage-in-sync.js';
import type { HistoryEntry } from '../../harness/history/types.js';
import { DISK_DETACH_STAND_IN, DISK_ERROR_STAND_IN, STONITH_STAND_IN, storageStandIns } from '../../harness/bed/docker/docker-bed.js';
import { parseScenario, ScenarioError } from '../../harness/scenario/load.js';
import { scenarioWith, SnapshotBuilder } from './history-builder.js';

const scenario = scenarioWith();

function both(label: string, build: (snapshot: SnapshotBuilder, node: string) => SnapshotBuilder) {
  return ['primary-1', 'primary-2'].map((node, i) => build(new SnapshotBuilder(label, node, 1000 + i), node).build());
}

describe('primaries-agree', () => {
  it('is valid when both serve the same mail', () => {
    const snapshots = both('final', (s) => s.message('user1', 'INBOX', { uid: 1, messageId: '<a@x>' }).message('user1', 'INBOX', { uid: 2, messageId: '<b@x>' }));
    const result = primariesAgree.check({ scenario, history: [], snapshots });
    expect(result.verdict).toBe('valid');
    expect(result.summary).toContain('same 2 messages');
  });

  it('is invalid when a UID names another message', () => {
    const snapshots = both('final', (s, node) => s.message('user1', 'INBOX', { uid: 1, messageId: node === 'primary-1' ? '<a@x>' : '<b@x>' }));
    const result = primariesAgree.check({ scenario, history: [], snapshots });
    expect(result.verdict).toBe('invalid');
    expect(result.evidence.sample).toEqual(['user1/INBOX: UID 1 is <a@x> on primary-1 but <b@x> on primary-2']);
  });

  it('is invalid when a message is on one node only', () => {
    const snapshots = both('final', (s, node) => (node === 'primary-2' ? s.message('user1', 'INBOX', { uid: 3, messageId: '<c@x>' }) : s.folder('user1', 'INBOX')));
    const result = primariesAgree.check({ scenario, history: [], snapshots });
    expect(result.verdict).toBe('invalid');
    expect(result.evidence.sample).toEqual(['user1/INBOX: UID 3 (<c@x>) on primary-2 only']);
  });

  it('is invalid when UIDVALIDITY differs', () => {
    const snapshots = both('final', (s, node) => s.folder('user1', 'INBOX', node === 'primary-1' ? 1 : 2));
    expect(primariesAgree.check({ scenario, history: [], snapshots }).verdict).toBe('invalid');
  });

  it('is unknown without both primaries observed', () => {
    const snapshots = [new SnapshotBuilder('final', 'primary-1', 1).build()];
    expect(primariesAgree.check({ scenario, history: [], snapshots }).verdict).toBe('unknown');
  });

  it('prefers the final observation', () => {
    const differing = both('during', (s, node) => s.message('user1', 'INBOX', { uid: 1, messageId: node === 'primary-1' ? '<a@x>' : '<b@x>' }));
    const final = both('final', (s) => s.message('user1', 'INBOX', { uid: 1, messageId: '<a@x>' })).map((snapshot) => ({ ...snapshot, time: 0 }));
    const result = primariesAgree.check({ scenario, history: [], snapshots: [...differing, ...final] });
    expect(result.evidence.label).toBe('final');
    expect(result.verdict).toBe('valid');
  });
});

function storage(time: number, node: string, state: string, outOfSyncKiB: number | null = null): HistoryEntry {
  return { index: 0, time, type: 'event', kind: 'storage', phase: 'point', name: 'drbd-state', nodes: [node], detail: { state, outOfSyncKiB } };
}

const STEADY = 'Connected Primary/Primary UpToDate/UpToDate';

describe('storage-in-sync', () => {
  it('is valid and times the resync', () => {
    const history = [
      storage(0, 'primary-1', STEADY),
      storage(0, 'primary-2', STEADY),
      storage(1000, 'primary-2', 'Off'),
      storage(9000, 'primary-2', 'SyncTarget Secondary/Primary Inconsistent/UpToDate', 4096),
      storage(12500, 'primary-2', STEADY),
    ];
    const result = storageInSync.check({ scenario, history, snapshots: [] });
    expect(result.verdict).toBe('valid');
    expect(result.summary).toContain('primary-2 was out of it from 1.0 s to 12.5 s (11.5 s)');
    expect(result.evidence.excursions).toEqual([
      { node: 'primary-2', fromMs: 1000, toMs: 12500, states: ['Off', 'SyncTarget Secondary/Primary Inconsistent/UpToDate'], maxOutOfSyncKiB: 4096 },
    ]);
  });

  it('is invalid when a node ends out of sync', () => {
    const history = [storage(0, 'primary-1', STEADY), storage(0, 'primary-2', STEADY), storage(500, 'primary-1', 'StandAlone Primary/Unknown UpToDate/DUnknown')];
    const result = storageInSync.check({ scenario, history, snapshots: [] });
    expect(result.verdict).toBe('invalid');
    expect(result.summary).toContain('primary-1 ended StandAlone');
  });

  it('is unknown without storage events', () => {
    expect(storageInSync.check({ scenario, history: [], snapshots: [] }).verdict).toBe('unknown');
  });
});

function planProblems(steps: unknown[], storageKind = 'drbd'): string[] {
  try {
    parseScenario({ name: 'plan', question: 'Is this plan sound?', topology: { storage: storageKind }, steps }, 'plan.yaml');
    return [];
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    return error.problems;
  }
}

describe('disk-fail plan', () => {
  it('accepts fail then repair', () => {
    expect(planProblems([{ action: 'disk-fail', target: 'primary-1' }, { action: 'run', seconds: 1 }, { action: 'disk-repair', target: 'primary-1' }])).toEqual([]);
  });

  it('rejects shared-volume storage', () => {
    expect(planProblems([{ action: 'disk-fail', target: 'primary-1' }], 'shared-volume')).toEqual([
      'scenario.steps[0].action: disk-fail needs topology.storage: drbd; the shared-volume stand-in has no disk to fail',
    ]);
  });

  it('rejects repair of a healthy disk', () => {
    expect(planProblems([{ action: 'disk-repair', target: 'primary-2' }])).toEqual([
      'scenario.steps[0].target: the disk of primary-2 has not failed at this step (a timed disk-fail is repaired by itself)',
    ]);
  });

  it('rejects a second failure', () => {
    expect(planProblems([{ action: 'disk-fail', target: 'primary-2' }, { action: 'disk-fail', target: 'primary-2' }])).toEqual([
      'scenario.steps[1].target: the disk of primary-2 has already failed at this step (steps[0])',
    ]);
  });

  it('rejects the disk of a killed node', () => {
    expect(planProblems([{ action: 'kill', target: 'primary-1' }, { action: 'disk-fail', target: 'primary-1' }])).toEqual([
      'scenario.steps[1].target: cannot fail the disk of primary-1: it is killed at this step',
    ]);
  });

  it('rejects the backup as a target', () => {
    expect(planProblems([{ action: 'disk-fail', target: 'backup' }])[0]).toContain('unknown primary "backup"');
  });
});

describe('disk-fail mode', () => {
  function diskFailStep(step: Record<string, unknown>) {
    const parsed = parseScenario({ name: 'mode', question: 'Which mode?', topology: { storage: 'drbd' }, steps: [{ action: 'disk-fail', target: 'primary-1', ...step }] }, 'mode.yaml');
    return parsed.steps[0];
  }

  it('defaults to io-error', () => {
    expect(diskFailStep({})).toMatchObject({ action: 'disk-fail', mode: 'io-error' });
  });

  it.each(['io-error', 'detach'])('accepts %s', (mode) => {
    expect(diskFailStep({ mode })).toMatchObject({ mode });
  });

  it('keeps durationSeconds beside the mode', () => {
    expect(diskFailStep({ mode: 'detach', durationSeconds: 4 })).toMatchObject({ mode: 'detach', durationSeconds: 4 });
  });

  it('rejects an unknown mode naming the field', () => {
    expect(planProblems([{ action: 'disk-fail', target: 'primary-1', mode: 'unplug' }])).toEqual([
      'scenario.steps[0].mode: unknown disk-fail mode "unplug"; expected io-error or detach',
    ]);
  });

  it('rejects mode on disk-repair', () => {
    expect(planProblems([{ action: 'disk-fail', target: 'primary-1' }, { action: 'disk-repair', target: 'primary-1', mode: 'detach' }])[0]).toContain('scenario.steps[1]');
  });
});

describe('DRBD fencing in the plan', () => {
  const cut = { action: 'link-fault', id: 'cut', link: 'storage', toxic: 'partition' };

  it('counts primary-2 as fenced after a storage cut', () => {
    expect(planProblems([cut, { action: 'run', seconds: 5 }, { action: 'heal', id: 'cut' }, { action: 'start', target: 'primary-2' }])).toEqual([]);
  });

  it('rejects killing the fenced primary', () => {
    expect(planProblems([cut, { action: 'kill', target: 'primary-2' }])).toEqual(['scenario.steps[1].target: cannot kill primary-2: it is killed at this step']);
  });

  it('keeps primaries running on shared-volume storage', () => {
    expect(planProblems([cut, { action: 'start', target: 'primary-2' }], 'shared-volume')).toEqual([
      'scenario.steps[1].target: cannot start primary-2: it is running at this step',
    ]);
  });

  it('rejects pausing one DRBD primary', () => {
    expect(planProblems([{ action: 'pause', target: 'primary-1', durationSeconds: 5 }])[0]).toContain('cannot pause primary-1 with topology.storage: drbd');
  });
});

describe('primaries-agree with unknown appends', () => {
  it('counts an unknown APPEND on one node apart', async () => {
    const { HistoryBuilder } = await import('./history-builder.js');
    const h = new HistoryBuilder();
    h.append('client-1', 'primary-1', 'user1', 'INBOX', '<late@x>', { outcome: 'info' });
    const snapshots = both('final', (s, node) => (node === 'primary-2' ? s.message('user1', 'INBOX', { uid: 7, messageId: '<late@x>' }) : s.folder('user1', 'INBOX')));
    const result = primariesAgree.check({ scenario, history: h.build(), snapshots });
    expect(result.verdict).toBe('valid');
    expect(result.evidence.unknownOutcomeOnOneNode).toEqual(['user1/INBOX: UID 7 (<late@x>) on primary-2 only']);
  });
});

describe('primaries-agree with an unread account', () => {
  it('is unknown, not invalid', () => {
    const snapshots = both('final', (s, node) => (node === 'primary-1' ? s.folder('user1', 'INBOX').error('user2 on 10.0.0.10: Connection not available') : s.folder('user1', 'INBOX').message('user2', 'INBOX', { uid: 1, messageId: '<a@x>' })));
    const result = primariesAgree.check({ scenario, history: [], snapshots });
    expect(result.verdict).toBe('unknown');
    expect(result.evidence.unreadAccounts).toEqual(['user2']);
  });
});

describe('disk-fail stand-ins', () => {
  function standInsFor(steps: unknown[]) {
    return storageStandIns(parseScenario({ name: 'stand-ins', question: 'What is simulated?', topology: { storage: 'drbd' }, steps }, 'stand-ins.yaml'));
  }

  it('names the error target for io-error', () => {
    expect(standInsFor([{ action: 'disk-fail', target: 'primary-1' }])).toEqual([STONITH_STAND_IN, DISK_ERROR_STAND_IN]);
  });

  it('names drbdadm detach for detach', () => {
    expect(standInsFor([{ action: 'disk-fail', target: 'primary-1', mode: 'detach' }])).toEqual([STONITH_STAND_IN, DISK_DETACH_STAND_IN]);
  });

  it('names no disk stand-in without disk-fail', () => {
    expect(standInsFor([{ action: 'run', seconds: 1 }])).toEqual([STONITH_STAND_IN]);
  });
});
