/** The `mailha run` command: validate every file, run each scenario (repeatedly with --repeat), print verdicts. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderJunit } from '../report/junit.js';
import type { ScenarioRun } from '../runner/run-scenario.js';
import { runScenario } from '../runner/run-scenario.js';
import { loadScenario, ScenarioError } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { autoProgressMode, withProgress, type ProgressMode } from './progress.js';

const EXIT_INVALID = 1;
const EXIT_USAGE = 2;

export interface RunCommandOptions {
  out: string;
  seed?: number;
  repeat: number;
  progress?: ProgressMode;
}

export async function runCommand(files: string[], options: RunCommandOptions): Promise<void> {
  // Every file is validated before any container starts.
  const scenarios: Array<{ file: string; scenario: Scenario }> = [];
  let invalid = 0;
  for (const file of files) {
    try {
      scenarios.push({ file, scenario: await loadScenario(file) });
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      console.error(error.message);
      invalid += 1;
    }
  }
  if (invalid > 0) {
    process.exitCode = EXIT_USAGE;
    return;
  }

  const interrupt = new AbortController();
  const onSignal = () => {
    console.error('Interrupted: stopping the run, healing its faults and removing its containers...');
    interrupt.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const mode = options.progress ?? autoProgressMode();
  const runs: ScenarioRun[] = [];
  for (const { file, scenario } of scenarios) {
    const perScenario: ScenarioRun[] = [];
    for (let round = 1; round <= options.repeat && !interrupt.signal.aborted; round += 1) {
      const label = options.repeat > 1 ? ` (run ${round}/${options.repeat})` : '';
      const run = await withProgress(mode, `Scenario ${scenario.name}${label}: ${scenario.question}`, (progress) =>
        runScenario({ scenario, file, outDir: options.out, seed: options.seed, signal: interrupt.signal, onProgress: progress }),
      );
      printRun(run);
      perScenario.push(run);
    }
    if (options.repeat > 1) printRepeatSummary(scenario.name, perScenario);
    runs.push(...perScenario);
  }

  if (runs.length > 1) {
    const file = join(options.out, 'junit.xml');
    await writeFile(file, renderJunit(runs.map((run) => run.result)));
    console.log(`JUnit report of all ${runs.length} runs in ${file}`);
  }

  const allValid = runs.length > 0 && runs.every((run) => run.result.verdict === 'valid');
  process.exitCode = allValid && !interrupt.signal.aborted ? 0 : EXIT_INVALID;
}

function printRun({ dir, result }: ScenarioRun): void {
  console.log(`  Verdict: ${result.verdict}${result.error ? ` (run failed: ${result.error})` : ''}`);
  for (const check of result.checks) console.log(`    ${check.verdict.padEnd(7)} ${check.name}: ${check.summary}`);
  for (const standIn of result.standIns) console.log(`    stand-in: ${standIn.component} (for ${standIn.standsFor})`);
  console.log(`  Results in ${dir}`);
}

/** Prints, per check, in how many of the repeated runs it was invalid or unknown. */
function printRepeatSummary(name: string, runs: readonly ScenarioRun[]): void {
  const failures = new Map<string, { invalid: number; unknown: number }>();
  for (const { result } of runs) {
    for (const check of result.checks) {
      const counts = failures.get(check.name) ?? { invalid: 0, unknown: 0 };
      if (check.verdict === 'invalid') counts.invalid += 1;
      if (check.verdict === 'unknown') counts.unknown += 1;
      failures.set(check.name, counts);
    }
  }
  const failedRuns = runs.filter(({ result }) => result.error).length;
  console.log(`Scenario ${name}: ${runs.length} runs, ${failedRuns} of them failed to run.`);
  for (const [check, counts] of failures) {
    console.log(`  ${check}: invalid in ${counts.invalid} of ${runs.length} runs, unknown in ${counts.unknown}`);
  }
}
