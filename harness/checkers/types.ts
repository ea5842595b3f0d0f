/**
 * The checker contract: a checker reads the history and the observed server states and
 * returns a verdict with its evidence. It must not change its input.
 */
import type { HistoryEntry } from '../history/types.js';
import type { MailboxSnapshot } from '../history/snapshot.js';
import type { Scenario } from '../scenario/schema.js';

/** `unknown` means the checker could not decide, never that all is well. */
export type Verdict = 'valid' | 'invalid' | 'unknown';

export interface CheckInput {
  scenario: Scenario;
  history: readonly HistoryEntry[];
  snapshots: readonly MailboxSnapshot[];
}

export interface CheckResult {
  name: string;
  verdict: Verdict;
  /** One sentence a reader can act on, with the numbers behind the verdict. */
  summary: string;
  evidence: Record<string, unknown>;
}

export interface Checker {
  readonly name: string;
  /** Meaning of a valid verdict, for reports. */
  readonly description: string;
  check(input: CheckInput): CheckResult;
}

const SEVERITY: Record<Verdict, number> = { valid: 0, unknown: 1, invalid: 2 };

/** Combines verdicts: the worst wins, and `invalid` is worse than `unknown`. */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'valid';
  for (const verdict of verdicts) {
    if (SEVERITY[verdict] > SEVERITY[worst]) worst = verdict;
  }
  return worst;
}

/** Runs every checker; one that throws yields `unknown` with the error as evidence. */
export function runCheckers(checkers: readonly Checker[], input: CheckInput): CheckResult[] {
  return checkers.map((checker) => {
    try {
      return checker.check(input);
    } catch (error) {
      return {
        name: checker.name,
        verdict: 'unknown',
        summary: `Checker failed: ${error instanceof Error ? error.message : String(error)}`,
        evidence: { error: (error as Error).stack ?? String(error) },
      };
    }
  });
}
