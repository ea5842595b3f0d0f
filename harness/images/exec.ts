import { execa, ExecaError, type Options } from 'execa';

/** Number of stderr lines that an {@link CommandError} message repeats. */
const STDERR_TAIL_LINES = 15;

/** Failure of an external command, with the command, its exit code and the tail of its stderr. */
export class CommandError extends Error {
  override name = 'CommandError';
}

/**
 * Runs `file args` with execa and returns its stdout.
 *
 * @throws CommandError naming `step`, the command line, its exit code (or
 *   signal) and the last lines of its stderr, with the execa error as `cause`.
 */
export async function run(step: string, file: string, args: readonly string[], options: Options = {}): Promise<string> {
  try {
    const result = await execa(file, args, { stripFinalNewline: true, ...options });
    return typeof result.stdout === 'string' ? result.stdout : '';
  } catch (error) {
    if (!(error instanceof ExecaError)) throw error;
    const status = error.signal ? `was killed by ${error.signal}` : `exited with code ${error.exitCode ?? 'unknown'}`;
    const stderr = typeof error.stderr === 'string' ? error.stderr : '';
    const tail = stderr.split('\n').filter((line) => line.trim() !== '').slice(-STDERR_TAIL_LINES).join('\n');
    const reason = error.exitCode === undefined && !error.signal ? error.shortMessage : `\`${error.command}\` ${status}`;
    throw new CommandError(`${step} failed: ${reason}${tail ? `\n${tail}` : ''}`, { cause: error });
  }
}

/** Returns true when `file args` exits with code 0; output is discarded. */
export async function succeeds(file: string, args: readonly string[]): Promise<boolean> {
  const result = await execa(file, args, { reject: false, stdio: 'ignore' });
  return result.exitCode === 0;
}
