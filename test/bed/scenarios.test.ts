/**
 * The fault scenarios of the catalogue on real containers: each must reach the verdict its file
 * expects (`expectVerdict`, valid unless it marks a known weakness), with every check shown on failure.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { EventEntry } from '../../harness/history/types.js';
import { loadScenario } from '../../harness/scenario/load.js';
import { runScenario, type ScenarioRun } from '../../harness/runner/run-scenario.js';
import { labelled } from './docker.js';

const VALID_SCENARIOS = [
  'one-primary-dies',
  'primaries-frozen',
  'wan-cut-mid-sync',
  'slow-wan',
  'flapping-primary',
  'failback-no-loss',
  'backup-site-lost',
  'sync-interrupted-repeatedly',
  'read-only-backup-audited',
];

async function run(name: string): Promise<ScenarioRun & { expectVerdict: string }> {
  const file = `scenarios/${name}.yaml`;
  const outDir = await mkdtemp(join(tmpdir(), 'mailha-scenario-'));
  const scenario = await loadScenario(file);
  const outcome = await runScenario({ scenario, file, outDir });
  return { ...outcome, expectVerdict: scenario.expectVerdict };
}

function report(run: ScenarioRun): string {
  return run.result.checks.map((check) => `${check.verdict} ${check.name}: ${check.summary}`).join('\n');
}

function checkOf(run: ScenarioRun, name: string) {
  const found = run.result.checks.find((check) => check.name === name);
  if (!found) throw new Error(`check ${name} missing from ${run.dir}/result.json`);
  return found;
}

async function historyEvents(run: ScenarioRun): Promise<EventEntry[]> {
  const text = await readFile(join(run.dir, 'history.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => JSON.parse(line)).filter((entry) => entry.type === 'event');
}

async function expectNothingLeft(run: ScenarioRun): Promise<void> {
  expect(await labelled(`mailha.run=${run.result.runId}`)).toEqual({ containers: [], networks: [], volumes: [] });
}

describe('fault scenarios', () => {
  test.each(VALID_SCENARIOS)('%s is valid', async (name) => {
    const outcome = await run(name);

    expect(outcome.result.error, report(outcome)).toBeUndefined();
    expect(outcome.expectVerdict).toBe('valid');
    for (const check of outcome.result.checks) expect(check.verdict, `${check.name}: ${check.summary}`).toBe('valid');
    expect(outcome.result.checks.map((check) => check.name)).toContain('faults-healed');
    await expectNothingLeft(outcome);
  });
});

describe('automatic failover', () => {
  test('controller fails over and back', async () => {
    const outcome = await run('site-a-lost-auto-failover');

    expect(outcome.result.error, report(outcome)).toBeUndefined();
    expect(outcome.result.verdict, report(outcome)).toBe(outcome.expectVerdict);
    const updates = (await historyEvents(outcome)).filter((event) => event.kind === 'dns-update');
    expect(updates.map((event) => [event.nodes, event.ok, event.detail?.by])).toEqual([
      [['backup'], true, 'controller'],
      [['primary-1', 'primary-2'], true, 'controller'],
    ]);
    const failover = checkOf(outcome, 'failover-time');
    expect(failover.evidence.maxMs as number).toBeLessThanOrEqual(60_000);
    await expectNothingLeft(outcome);
  });
});

describe('known weaknesses', () => {
  test('DNS TTL longer than outage is invalid', async () => {
    const outcome = await run('dns-ttl-longer-than-outage');

    expect(outcome.result.error, report(outcome)).toBeUndefined();
    expect(outcome.expectVerdict).toBe('invalid');
    expect(outcome.result.verdict, report(outcome)).toBe('invalid');
    const failover = checkOf(outcome, 'failover-time');
    expect(failover.verdict).toBe('invalid');
    expect(failover.evidence.recordTtlSeconds).toBe(60);
    expect(failover.evidence.outageMs as number).toBeGreaterThan(20_000);
    expect(failover.evidence.outageMs as number).toBeLessThan(60_000);
    expect(failover.evidence.neverReachedBackup).toEqual(['client-1', 'client-2', 'client-3', 'client-4']);
    expect(failover.summary).toMatch(/never read from the backup in the \d+\.\d s before the primaries returned \(DNS record TTL 60 s\)/);
    for (const check of outcome.result.checks.filter((each) => each.name !== 'failover-time')) {
      expect(check.verdict, `${check.name}: ${check.summary}`).toBe('valid');
    }
    await expectNothingLeft(outcome);
  });
});
