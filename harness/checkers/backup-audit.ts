/** Every read-only audit of the backup that the scenario ran found no violation. */
import { isEvent } from '../history/types.js';
import type { Checker, CheckInput, CheckResult } from './types.js';

const NAME = 'backup-audit';

interface AuditDetail {
  verdict: 'valid' | 'invalid';
  violations: number;
  findings: number;
  escalatable: number;
  escalationFolders: number;
  sideEffects: Record<string, number> | null;
}

export const backupAudit: Checker = {
  name: NAME,
  description:
    'Every audit-readonly step found no violation on the backup: every read answered OK, no write was performed, and the owner could not give itself write rights back.',

  check({ history }: CheckInput): CheckResult {
    const audits = history.filter(isEvent).filter((event) => event.kind === 'audit');
    if (audits.length === 0) return { name: NAME, verdict: 'unknown', summary: 'Cannot check: the scenario has no audit-readonly step, or it never ran.', evidence: {} };
    const details = audits.map((event) => ({ time: event.time, ...(event.detail as unknown as AuditDetail) }));
    const failed = details.filter((detail) => detail.verdict !== 'valid');
    const findings = details.reduce((sum, detail) => sum + detail.findings, 0);
    const evidence = { audits: details };
    if (failed.length > 0) {
      const first = failed[0];
      return {
        name: NAME,
        verdict: 'invalid',
        summary: `${failed.length} of ${details.length} audits found violations; the first: ${first.violations} violations, owner escalated to write on ${first.escalatable} of ${first.escalationFolders} folders.`,
        evidence,
      };
    }
    return {
      name: NAME,
      verdict: 'valid',
      summary: `${details.length} audits found no violation; ${findings} writes were answered OK without effect (silent refusals).`,
      evidence,
    };
  },
};
