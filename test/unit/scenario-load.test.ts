import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, ScenarioError } from '../../harness/scenario/load.js';
import { problemsOf } from './scenario-problems.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const SCENARIO_DIRS = ['scenarios', 'test/scenarios'];

const BASE = { name: 'unit-test', question: 'What does the loader report for this file?' };


async function scenarioFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of SCENARIO_DIRS) {
    const names = await readdir(path.join(REPO, dir));
    files.push(...names.filter((name) => name.endsWith('.yaml')).map((name) => path.join(REPO, dir, name)));
  }
  return files;
}

describe('loadScenario', () => {
  let tempDir: string;

  beforeAll(async () => {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'mailha-scenario-'));
  });

  afterAll(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  it('loads every committed scenario', async () => {
    const files = await scenarioFiles();

    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const scenario = await loadScenario(file);
      expect(scenario.name, file).toBe(path.basename(file, '.yaml'));
      expect(scenario.steps.length, file).toBeGreaterThan(0);
    }
  });

  it('fills defaults for omitted fields', async () => {
    const scenario = await loadScenario(path.join(REPO, 'test/scenarios/sync-never-ran.yaml'));

    expect(scenario.topology.sync.enabled).toBe(false);
    expect(scenario.topology.sync.intervalSeconds).toBe(5);
    expect(scenario.topology.backup.readOnly).toBe('acl');
    expect(scenario.workload.mix.append).toBe(4);
    expect(scenario.expect).toEqual({});
  });

  it('reports missing file by name', async () => {
    const file = path.join(tempDir, 'absent.yaml');
    const error = await loadScenario(file).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).file).toBe(file);
    expect((error as ScenarioError).problems).toEqual(['file not found']);
    expect((error as ScenarioError).message).toBe(`Invalid scenario ${file}:\n  file not found`);
  });

  it('reports YAML syntax error by name', async () => {
    const file = path.join(tempDir, 'broken.yaml');
    await writeFile(file, 'name: unit-test\nsteps: [ { action: run, seconds: 1 }\n');
    const error = await loadScenario(file).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).file).toBe(file);
    expect((error as ScenarioError).message).toContain(`Invalid scenario ${file}:`);
    expect((error as ScenarioError).problems.length).toBeGreaterThan(0);
    for (const problem of (error as ScenarioError).problems) expect(problem).toMatch(/^YAML syntax: /);
  });

  it('reports schema errors by name', async () => {
    const file = path.join(tempDir, 'no-steps.yaml');
    await writeFile(file, `name: ${BASE.name}\nquestion: ${BASE.question}\n`);
    const error = await loadScenario(file).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).file).toBe(file);
    expect((error as ScenarioError).problems).toEqual(['scenario.steps: Invalid input: expected array, received undefined']);
  });
});

describe('parseScenario', () => {
  it('reports unknown target with path', () => {
    const problems = problemsOf({ ...BASE, steps: [{ action: 'run', seconds: 1 }, { action: 'kill', target: 'site-c' }] });

    expect(problems).toEqual([
      'scenario.steps[1].target: unknown node or site "site-c"; expected one of primary-1, primary-2, backup, dns, site-a, site-b, site-dns',
    ]);
  });

  it('reports unknown action with path', () => {
    const problems = problemsOf({ ...BASE, steps: [{ action: 'explode' }] });

    expect(problems).toEqual([
      'scenario.steps[0].action: unknown action "explode"; expected one of run, await-sync, kill, stop, pause, restart, start, resume, site-down, site-up, link-fault, heal, disk-fail, disk-repair, dns-repoint, await-clients, observe, audit-readonly',
    ]);
  });

  it('reports negative seconds', () => {
    const problems = problemsOf({ ...BASE, steps: [{ action: 'run', seconds: 1 }, { action: 'await-sync', timeoutSeconds: -5 }] });

    expect(problems).toEqual(['scenario.steps[1].timeoutSeconds: must be greater than 0']);
  });

  it('reports zero run seconds', () => {
    const problems = problemsOf({ ...BASE, steps: [{ action: 'run', seconds: 0 }] });

    expect(problems).toEqual(['scenario.steps[0].seconds: must be greater than 0']);
  });

  it('reports non-number seconds', () => {
    const problems = problemsOf({ ...BASE, steps: [{ action: 'run', seconds: '10' }] });

    expect(problems).toEqual(['scenario.steps[0].seconds: must be a number of seconds']);
  });

  it('rejects unknown top-level field', () => {
    const problems = problemsOf({ ...BASE, colour: 'red', steps: [{ action: 'run', seconds: 1 }] });

    expect(problems).toEqual(['scenario: Unrecognized key: "colour"']);
  });

  it('rejects unknown step field', () => {
    const problems = problemsOf({ ...BASE, steps: [{ action: 'run', seconds: 1, target: 'backup' }] });

    expect(problems).toEqual(['scenario.steps[0]: Unrecognized key: "target"']);
  });

  it('rejects unknown nested field', () => {
    const problems = problemsOf({ ...BASE, topology: { sync: { every: 3 } }, steps: [{ action: 'run', seconds: 1 }] });

    expect(problems).toEqual(['scenario.topology.sync: Unrecognized key: "every"']);
  });

  it('reports missing steps', () => {
    const problems = problemsOf({ ...BASE });

    expect(problems).toEqual(['scenario.steps: Invalid input: expected array, received undefined']);
  });

  it('reports empty steps', () => {
    const problems = problemsOf({ ...BASE, steps: [] });

    expect(problems).toEqual(['scenario.steps: must list at least one step']);
  });

  it('reports several problems at once', () => {
    const problems = problemsOf({ ...BASE, name: 'Bad Name', steps: [{ action: 'kill', target: 'mars' }] });

    expect(problems).toHaveLength(2);
    expect(problems).toContain('scenario.name: must be lower-case letters, digits and dashes');
    expect(problems.some((problem) => problem.startsWith('scenario.steps[0].target: unknown node or site "mars"'))).toBe(true);
  });

  it('names the file in the message', () => {
    expect(() => parseScenario({ ...BASE }, 'scenarios/elsewhere.yaml')).toThrow(/^Invalid scenario scenarios\/elsewhere\.yaml:\n {2}scenario\.steps: /);
  });
});
