/**
 * Terminal progress for scenario runs: a live listr2 view on a terminal, plain lines in logs,
 * and nothing but verdicts in CI.
 */
import { Listr } from 'listr2';

export type ProgressMode = 'live' | 'plain' | 'quiet';

/** Picks `live` on an interactive terminal, `quiet` under CI (the CI variable set), `plain` otherwise. */
export function autoProgressMode(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): ProgressMode {
  if (env.CI && env.CI !== 'false') return 'quiet';
  return isTTY ? 'live' : 'plain';
}

/**
 * Runs `work` with a progress callback shown in the chosen mode. In `live` mode the title is a
 * listr2 task and each progress line replaces the task's output line.
 */
export async function withProgress<T>(mode: ProgressMode, title: string, work: (progress: (line: string) => void) => Promise<T>): Promise<T> {
  if (mode === 'plain') {
    console.log(title);
    return work((line) => console.log(`  ${line}`));
  }
  if (mode === 'quiet') return work(() => {});

  let result: T | undefined;
  await new Listr(
    [
      {
        title,
        task: async (_context, task) => {
          result = await work((line) => {
            task.output = line;
          });
        },
        rendererOptions: { bottomBar: 1 },
      },
    ],
    { exitOnError: true },
  ).run();
  return result as T;
}
