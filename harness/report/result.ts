/** The machine-readable result of one scenario run (`result.json`). */
import type { StandIn } from '../bed/bed.js';
import type { CheckResult, Verdict } from '../checkers/types.js';

export interface StepTiming {
  index: number;
  action: string;
  description: string;
  startMs: number;
  endMs: number;
  ok: boolean;
  detail: Record<string, unknown>;
}

export interface RunResult {
  scenario: string;
  question: string;
  file: string;
  runId: string;
  seed: number;
  verdict: Verdict;
  checks: CheckResult[];
  timings: {
    startedAt: string;
    endedAt: string;
    wallMs: number;
    imagesMs: number;
    bedStartMs: number;
    seedMs: number;
    steps: StepTiming[];
  };
  operations: { total: number; ok: number; fail: number; info: number };
  standIns: StandIn[];
  /** Set when the run itself failed (bed error, interrupted); the verdict is then `unknown`. */
  error?: string;
}
