/** The default scenario on real containers, and negative controls that must be judged invalid. */
import { mkdtemp, readFile, readlink, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadScenario } from '../../harness/scenario/load.js';
import { runScenario, type ScenarioRun } from '../../harness/runner/run-scenario.js';
import { labelled } from './docker.js';

function check(run: ScenarioRun, name: string) {
  const found = run.result.checks.find((entry) => entry.name === name);
  if (!found) throw new Error(`check ${name} missing from ${run.dir}/result.json`);
  return found;
}

async function run(file: string): Promise<ScenarioRun> {
  const outDir = await mkdtemp(join(tmpdir(), 'mailha-test-'));
  return runScenario({ scenario: await loadScenario(file), file, outDir });
}

describe('default scenario: site A lost, manual failover', () => {
  let result: ScenarioRun;
  beforeAll(async () => {
    result = await run('scenarios/site-a-lost-manual-failover.yaml');
  });

  test('run completes without a bed error', () => {
    expect(result.result.error).toBeUndefined();
  });

  test.each(['synced-mail-on-backup', 'data-loss-window', 'backup-reads-succeed', 'backup-writes-refused', 'failover-time'])(
    'check %s is valid',
    (name) => {
      const found = check(result, name);
      expect(found.verdict, `${found.summary}\n${JSON.stringify(found.evidence, null, 2).slice(0, 3000)}`).toBe('valid');
    },
  );

  test('overall verdict is valid', () => {
    expect(result.result.verdict).toBe('valid');
  });

  test('every required write was refused', () => {
    const byCommand = check(result, 'backup-writes-refused').evidence.byCommand as Record<string, { refused: number }>;
    expect(byCommand.append.refused).toBeGreaterThan(0);
    expect(byCommand.expunge.refused).toBeGreaterThan(0);
    expect(byCommand.create.refused).toBeGreaterThan(0);
  });

  test('synced mail was checked message by message', () => {
    expect(check(result, 'synced-mail-on-backup').evidence.expected).toBeGreaterThan(10);
  });

  test('outputs and latest link are written', async () => {
    for (const file of ['result.json', 'history.jsonl', 'summary.md', 'snapshots.json', 'report.html', 'junit.xml']) {
      expect((await stat(join(result.dir, file))).size, file).toBeGreaterThan(0);
    }
    const latest = await readlink(join(result.dir, '..', '..', 'latest'));
    expect(join(result.dir, '..', '..', latest)).toBe(result.dir);
    const saved = JSON.parse(await readFile(join(result.dir, 'result.json'), 'utf8'));
    expect(saved.standIns.map((s: { component: string }) => s.component).join()).toMatch(/shared storage/);
  });

  test('bed leaves nothing behind', async () => {
    const left = await labelled(`mailha.run=${result.result.runId}`);
    expect(left).toEqual({ containers: [], networks: [], volumes: [] });
  });
});

describe('negative controls', () => {
  test('writable backup is invalid', async () => {
    const result = await run('test/scenarios/writable-backup.yaml');
    const writes = check(result, 'backup-writes-refused');
    expect(writes.verdict).toBe('invalid');
    expect((writes.evidence.performed as unknown[]).length).toBeGreaterThan(0);
    expect(result.result.verdict).toBe('invalid');
  });

  test('escalatable backup fails its audit', async () => {
    const result = await run('test/scenarios/escalatable-backup-audited.yaml');
    const audit = check(result, 'backup-audit');
    expect(audit.verdict).toBe('invalid');
    expect(audit.summary).toMatch(/owner escalated to write on [1-9]\d* of/);
    expect(result.result.verdict).toBe('invalid');
  });

  test('sync that never ran is invalid', async () => {
    const result = await run('test/scenarios/sync-never-ran.yaml');
    const synced = check(result, 'synced-mail-on-backup');
    expect(synced.verdict).toBe('invalid');
    expect(synced.summary).toMatch(/No sync completed/);
    expect(result.result.verdict).toBe('invalid');
  });
});
