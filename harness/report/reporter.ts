/**
 * The reporter contract and `writeReports`, which runs every reporter on one run directory.
 * Each reporter writes one file, and a failing reporter does not stop the others.
 */
import type { MailboxSnapshot } from '../history/snapshot.js';
import type { HistoryEntry } from '../history/types.js';
import { htmlReporter } from './html.js';
import { junitReporter } from './junit.js';
import type { RunResult } from './result.js';

/** Everything a run leaves for reporters: `result.json`, `history.jsonl` and `snapshots.json`, parsed. */
export interface ReportInput {
  result: RunResult;
  history: HistoryEntry[];
  snapshots: MailboxSnapshot[];
}

/** Writes one report file of a run. */
export interface Reporter {
  /** Short name used in error messages, for example `html`. */
  name: string;
  /**
   * Writes the report into the run directory `dir`, replacing an existing file of the same
   * name, and returns the path written. Must not change `input`. Rejects when rendering or
   * writing fails.
   */
  write(dir: string, input: ReportInput): Promise<string>;
}

/** Reporters `writeReports` runs when given none. */
export const DEFAULT_REPORTERS: readonly Reporter[] = [htmlReporter, junitReporter];

/** Raised by `writeReports` after every reporter ran, when at least one of them failed. */
export class ReportsError extends AggregateError {
  constructor(
    errors: Error[],
    /** Files the reporters that succeeded wrote. */
    readonly written: string[],
  ) {
    super(errors, `${errors.length} reporter(s) failed: ${errors.map((error) => error.message).join('; ')}`);
    this.name = 'ReportsError';
  }
}

/**
 * Runs every reporter on `dir`, one after the other, and returns the files written in reporter
 * order. A reporter that rejects does not stop the others. When any rejected, the function
 * rejects after all have run, with a {@link ReportsError} that wraps each failure (its message
 * names the reporter, and `cause` is the original error) and lists the files written.
 */
export async function writeReports(dir: string, input: ReportInput, reporters: readonly Reporter[] = DEFAULT_REPORTERS): Promise<string[]> {
  const written: string[] = [];
  const errors: Error[] = [];
  for (const reporter of reporters) {
    try {
      written.push(await reporter.write(dir, input));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push(new Error(`${reporter.name} report failed: ${message}`, { cause: error }));
    }
  }
  if (errors.length > 0) throw new ReportsError(errors, written);
  return written;
}
