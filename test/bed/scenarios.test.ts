/** The fault scenarios of the catalogue on real containers: each must end valid, with every check shown on failure. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadScenario } from '../../harness/scenario/load.js';
import { runScenario } from '../../harness/runner/run-scenario.js';
import { labelled } from './docker.js';

const SCENARIOS = ['one-primary-dies', 'primaries-frozen', 'wan-cut-mid-sync', 'slow-wan', 'flapping-primary'];

describe('fault scenarios', () => {
  test.each(SCENARIOS)('%s is valid', async (name) => {
    const file = `scenarios/${name}.yaml`;
    const outDir = await mkdtemp(join(tmpdir(), 'mailha-scenario-'));

    const { result } = await runScenario({ scenario: await loadScenario(file), file, outDir });

    const report = result.checks.map((check) => `${check.verdict} ${check.name}: ${check.summary}`).join('\n');
    expect(result.error, report).toBeUndefined();
    for (const check of result.checks) expect(check.verdict, `${check.name}: ${check.summary}`).toBe('valid');
    expect(result.checks.map((check) => check.name)).toContain('faults-healed');
    expect(await labelled(`mailha.run=${result.runId}`)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
