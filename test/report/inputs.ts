/** Report inputs for the report tests: a synthetic run, an empty run and the real-run fixture. */
import { fileURLToPath } from 'node:url';
import type { CheckResult } from '../../harness/checkers/types.js';
import { readRunDirectory } from '../../harness/report/load.js';
import type { ReportInput } from '../../harness/report/reporter.js';
import type { RunResult } from '../../harness/report/result.js';
import { HistoryBuilder, messageIdOf, PRIMARIES, SnapshotBuilder } from '../unit/history-builder.js';

/** A copy of a real site-a-lost-manual-failover run, trimmed by `fixtures/trim-run.ts`. */
export const FIXTURE_RUN_DIR = fileURLToPath(new URL('./fixtures/site-a-lost-manual-failover', import.meta.url));

/** Evidence text that must come out escaped in every report. */
export const HOSTILE_TEXT = '<script>alert("x")</script> & <b>bold</b>';

export const SYNTHETIC_CHECKS: CheckResult[] = [
  { name: 'acknowledged-mail-survives', verdict: 'valid', summary: 'All 2 acknowledged messages survive.', evidence: { expected: 2 } },
  {
    name: 'failover-time',
    verdict: 'invalid',
    summary: 'client-2 never read from the backup <in time>.',
    evidence: { stuck: ['client-2'], note: HOSTILE_TEXT },
  },
  { name: 'backup-reads-succeed', verdict: 'unknown', summary: 'No client read from the backup.', evidence: {} },
];

/** Builds a RunResult with plausible defaults, with `overrides` replacing top-level fields. */
export function runResult(overrides: Partial<RunResult> = {}): RunResult {
  return {
    scenario: 'synthetic-failover',
    question: 'Does the report show a synthetic failover?',
    file: 'scenarios/synthetic-failover.yaml',
    runId: 'mailha-20260101t000000z-test',
    seed: 7,
    verdict: 'invalid',
    checks: SYNTHETIC_CHECKS,
    timings: {
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:00:09.500Z',
      wallMs: 9500,
      imagesMs: 100,
      bedStartMs: 2000,
      seedMs: 300,
      steps: [
        { index: 1, action: 'run', description: 'run the workload for 2 s', startMs: 100, endMs: 2100, ok: true, detail: {} },
        { index: 2, action: 'kill', description: 'kill site-a', startMs: 2100, endMs: 2200, ok: true, detail: { nodes: PRIMARIES } },
        { index: 3, action: 'await-clients', description: 'wait for clients', startMs: 2200, endMs: 8000, ok: false, detail: { error: 'clients never read <backup>' } },
      ],
    },
    operations: { total: 12, ok: 8, fail: 3, info: 1 },
    standIns: [{ component: 'one Docker volume', standsFor: 'DRBD', reason: 'no DRBD <here>' }],
    ...overrides,
  };
}

/**
 * Builds a run of a few seconds with every kind of plot data: operations of each outcome on both
 * primaries and the backup, a DNS lookup, a sync before and after a fault, a failed sync, a
 * DNS update, and DRBD state changes of both primaries.
 */
export function syntheticInput(): ReportInput {
  const h = new HistoryBuilder();
  const drbd = (node: string, connection: string, roles: [string, string] | null, disks: [string, string] | null) =>
    h.event({ kind: 'storage', phase: 'point', name: 'drbd-state', nodes: [node], detail: { connection, role: roles?.[0] ?? null, peerRole: roles?.[1] ?? null, disk: disks?.[0] ?? null, peerDisk: disks?.[1] ?? null } });
  for (const node of PRIMARIES) drbd(node, 'Connected', ['Primary', 'Primary'], ['UpToDate', 'UpToDate']);
  h.read('client-1', 'primary-1', 'fetch');
  const appended = h.append('client-2', 'primary-2', 'user1', 'INBOX', messageIdOf('a'), { uid: 1 });
  h.sync();
  h.advance(1000);
  h.read('client-1', 'primary-1', 'search');
  h.write('client-2', 'primary-2', 'store', 'info');
  h.fault('kill', PRIMARIES);
  for (const node of PRIMARIES) drbd(node, 'Off', null, null);
  h.advance(1000);
  h.sync(false);
  h.connect('client-1', 'primary-1', 'fail');
  h.connect('client-2', 'backup');
  h.read('client-2', 'backup', 'fetch');
  h.write('client-2', 'backup', 'append', 'fail');
  h.advance(1000);
  h.heal('kill', PRIMARIES);
  drbd('primary-1', 'SyncSource', ['Primary', 'Secondary'], ['UpToDate', 'Inconsistent']);
  drbd('primary-2', 'SyncTarget', ['Secondary', 'Primary'], ['Inconsistent', 'UpToDate']);
  h.read('client-1', 'primary-1', 'fetch');
  h.sync();
  const observedAt = h.observe('final', 'primary-1');
  const snapshot = new SnapshotBuilder('final', 'primary-1', observedAt).holding([appended]).build();
  const history = h.build();
  // The builder has no helper for DNS lookups or updates, so these entries are added by hand.
  const lookup = { process: 'client-3', f: 'resolve', node: null, address: '10.0.0.30:53' } as const;
  history.push(
    { index: history.length, time: observedAt + 10, type: 'invoke', ...lookup, value: { name: 'imap.mailha.test' } },
    { index: history.length + 1, time: observedAt + 20, type: 'ok', ...lookup, value: { addresses: ['10.0.0.20'] } },
    { index: history.length + 2, time: observedAt + 30, type: 'event', kind: 'dns-update', phase: 'point', name: 'imap.mailha.test', nodes: ['backup'], ok: true },
  );
  return { result: runResult(), history, snapshots: [snapshot] };
}

/** Builds a run that failed before the bed started: no history, no snapshots, no checks. */
export function emptyInput(): ReportInput {
  return {
    result: runResult({
      verdict: 'unknown',
      checks: [],
      operations: { total: 0, ok: 0, fail: 0, info: 0 },
      timings: { ...runResult().timings, steps: [] },
      standIns: [],
      error: 'Failed to start node dns: log stream ended <early>',
    }),
    history: [],
    snapshots: [],
  };
}

export function fixtureInput(): Promise<ReportInput> {
  return readRunDirectory(FIXTURE_RUN_DIR);
}
