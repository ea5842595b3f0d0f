/** Classification of one audited command from its reply and the state re-read before and after it. */
import { isDeepStrictEqual } from 'node:util';

export type Classification = 'read-ok' | 'read-failed' | 'write-refused' | 'write-silently-ignored' | 'write-performed';

export type CommandKind = 'read' | 'write';

export interface ReplySummary {
  status: 'OK' | 'NO' | 'BAD' | 'BYE';
  code?: string;
  text: string;
}

/**
 * Classifies a command. A read is judged by its reply alone. A write is judged by the state
 * re-read from a separate session: any change means it was performed, even after a NO reply,
 * and an OK reply with no change means the server ignored it without saying so.
 */
export function classify(kind: CommandKind, reply: ReplySummary, before: unknown, after: unknown): Classification {
  if (kind === 'read') return reply.status === 'OK' ? 'read-ok' : 'read-failed';
  if (!isDeepStrictEqual(before, after)) return 'write-performed';
  return reply.status === 'OK' ? 'write-silently-ignored' : 'write-refused';
}

/** Tells whether an outcome breaks read-only mode: a performed write or a failed read. */
export function isViolation(classification: Classification): boolean {
  return classification === 'write-performed' || classification === 'read-failed';
}

/** Tells whether an outcome is a write the server ignored after replying OK, which clients take as done. */
export function isFinding(classification: Classification): boolean {
  return classification === 'write-silently-ignored';
}

export interface Verdict {
  verdict: 'valid' | 'invalid';
  violations: number;
  findings: number;
}

export function judge(classifications: readonly Classification[]): Verdict {
  const violations = classifications.filter(isViolation).length;
  const findings = classifications.filter(isFinding).length;
  return { verdict: violations > 0 ? 'invalid' : 'valid', violations, findings };
}
