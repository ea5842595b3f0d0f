import { describe, expect, it } from 'vitest';
import { errorsByPhase } from '../../../harness/checkers/errors-by-phase.js';
import { HistoryBuilder, PRIMARIES, scenarioWith } from '../history-builder.js';

const scenario = scenarioWith();

describe('errors-by-phase', () => {
  it('accepts reads failing inside a fault', () => {
    const h = new HistoryBuilder();
    h.read('client-1', 'primary-1', 'fetch');
    h.fault('kill', PRIMARIES);
    h.read('client-1', 'primary-1', 'fetch', 'info');
    h.read('client-1', 'backup', 'fetch');

    const result = errorsByPhase.check({ scenario, history: h.build(), snapshots: [] });

    expect(result.verdict).toBe('valid');
    expect((result.evidence.unexplainedReadErrors as { count: number }).count).toBe(0);
  });

  it('rejects a read failing on a healthy node', () => {
    const h = new HistoryBuilder();
    h.fault('kill', PRIMARIES);
    h.read('client-1', 'backup', 'search', 'fail');

    const result = errorsByPhase.check({ scenario, history: h.build(), snapshots: [] });

    expect(result.verdict).toBe('invalid');
    expect((result.evidence.unexplainedReadErrors as { count: number }).count).toBe(1);
  });

  it('rejects a read failing long after the fault healed', () => {
    const h = new HistoryBuilder();
    h.fault('kill', ['primary-1']);
    h.heal('kill', ['primary-1']);
    h.advance(scenario.workload.operationTimeoutMs + 5000);
    h.read('client-1', 'primary-1', 'fetch', 'fail');

    expect(errorsByPhase.check({ scenario, history: h.build(), snapshots: [] }).verdict).toBe('invalid');
  });

  it('counts refusals apart from read errors', () => {
    const h = new HistoryBuilder();
    h.fault('kill', PRIMARIES);
    h.write('client-1', 'backup', 'append', 'fail', { status: 'NO', text: 'Access denied' });
    h.read('client-1', 'backup', 'fetch');

    const result = errorsByPhase.check({ scenario, history: h.build(), snapshots: [] });
    const phases = result.evidence.perPhase as Record<string, Record<string, { writesRefused: number; readsFailed: number }>>;
    const counts = Object.values(phases).map((clients) => clients['client-1']).filter(Boolean);

    expect(result.verdict).toBe('valid');
    expect(counts.reduce((sum, c) => sum + c.writesRefused, 0)).toBe(1);
    expect(counts.reduce((sum, c) => sum + c.readsFailed, 0)).toBe(0);
  });
});
