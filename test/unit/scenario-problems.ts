/** Shared helper of the scenario tests: the problems the loader reports for data it rejects. */
import { expect } from 'vitest';
import { parseScenario, ScenarioError } from '../../harness/scenario/load.js';

/** Returns the problems `parseScenario` reports for `data`, or fails the test if it accepts it. */
export function problemsOf(data: unknown): string[] {
  try {
    parseScenario(data, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).problems;
  }
  throw new Error('parseScenario accepted invalid data');
}
