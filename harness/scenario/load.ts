/** Reads and validates scenario files; every error names the file and the field path. */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { scenarioSchema, type Scenario } from './schema.js';
import { formatPath } from './paths.js';
import { checkPlan } from './plan.js';

/** Raised for a scenario file that cannot be read or does not match the scenario model. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(`Invalid scenario ${file}:\n  ${problems.join('\n  ')}`, options);
    this.name = 'ScenarioError';
  }
}

export { formatPath } from './paths.js';

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

/** Validates already-parsed scenario data; `file` is used in error messages only. */
export function parseScenario(data: unknown, file: string): Scenario {
  const result = scenarioSchema.safeParse(data);
  if (!result.success) {
    throw new ScenarioError(file, describeIssues(result.error));
  }
  const problems = checkPlan(result.data);
  if (problems.length > 0) throw new ScenarioError(file, problems);
  return result.data;
}

/** Reads, parses and validates one scenario file. Throws {@link ScenarioError}. */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ScenarioError(file, [reason], { cause: error });
  }

  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ScenarioError(
      file,
      // The first line of the yaml package's message names the problem and its line and column.
      document.errors.map((error) => `YAML syntax: ${error.message.split('\n')[0].replace(/:$/, '')}`),
    );
  }
  return parseScenario(document.toJS(), file);
}
