/** Markdown of a client report and the judgement of its steps. */
import { describe, expect, test } from 'vitest';
import { renderClientReport } from '../../../harness/clients/render.js';
import { judgeStep, type ClientReport } from '../../../harness/clients/routine.js';

const REPORT: ClientReport = {
  client: 'mbsync',
  version: 'isync 1.4.4',
  account: 'user1',
  steps: [
    { kind: 'read', operation: 'pull', folder: 'INBOX', outcome: 'read-ok', detail: 'exit code 0, no error line' },
    { kind: 'write', operation: 'push new message', folder: 'INBOX', outcome: 'write-refused', detail: 'exit code 0: NO Access denied | x' },
    { kind: 'write', operation: 'push \\Seen flag', folder: 'INBOX', outcome: 'write-silently-ignored', detail: 'exit code 0, no error line' },
  ],
};

describe('renderClientReport', () => {
  const markdown = renderClientReport(REPORT);

  test('reads before writes', () => {
    expect(markdown.indexOf('Reads (1 of 1 succeeded)')).toBeGreaterThan(0);
    expect(markdown.indexOf('Writes (1 refused, 1 silently ignored, 0 performed)')).toBeGreaterThan(markdown.indexOf('| pull |'));
  });

  test('pipes in details are escaped', () => {
    expect(markdown).toContain('| push new message | INBOX | write-refused | exit code 0: NO Access denied \\| x |');
  });

  test('client without writes', () => {
    expect(renderClientReport({ ...REPORT, steps: REPORT.steps.slice(0, 1) })).toContain('(none)');
  });
});

describe('judgeStep', () => {
  test('failed read', () => {
    expect(judgeStep('read', false, undefined, undefined)).toBe('read-failed');
  });

  test('success without change is silent', () => {
    expect(judgeStep('write', true, { exists: 3 }, { exists: 3 })).toBe('write-silently-ignored');
  });

  test('failure without change is refused', () => {
    expect(judgeStep('write', false, { exists: 3 }, { exists: 3 })).toBe('write-refused');
  });

  test('change after a failure is performed', () => {
    expect(judgeStep('write', false, { exists: 3 }, { exists: 4 })).toBe('write-performed');
  });
});
