import { describe, expect, it } from 'vitest';
import { failoverTime } from '../../../harness/checkers/failover-time.js';
import { HistoryBuilder, PRIMARIES, scenarioWith, STEP_MS } from '../history-builder.js';

/** Two clients on the primaries; client-1 reaches the backup about 5 s after the fault, client-2 about 12 s after. */
function failover() {
  const h = new HistoryBuilder();
  h.connect('client-1', 'primary-1');
  h.connect('client-2', 'primary-2');
  h.read('client-2', 'primary-2', 'fetch');
  const fault = h.fault('kill', PRIMARIES);
  h.read('client-1', 'primary-1', 'fetch', 'info');
  h.advance(5_000);
  h.connect('client-1', 'backup');
  h.read('client-1', 'backup', 'fetch', 'fail');
  const first = h.read('client-1', 'backup', 'search');
  h.read('client-1', 'backup', 'fetch');
  h.advance(7_000);
  h.connect('client-2', 'backup');
  const second = h.read('client-2', 'backup', 'fetch');
  return { h, fault, first, second };
}

describe('failover-time', () => {
  it('reports per-client failover time', () => {
    const { h, fault, first, second } = failover();
    const result = failoverTime.check({ scenario: scenarioWith({ maxFailoverSeconds: 60 }), history: h.build(), snapshots: [] });
    const perClient = result.evidence.perClient as Record<string, { failoverMs: number; addressesAfterFault: Array<{ node: string }> }>;

    expect(result.verdict).toBe('valid');
    expect(perClient['client-1'].failoverMs).toBe(first.completion.time - fault.time);
    expect(perClient['client-2'].failoverMs).toBe(second.completion.time - fault.time);
    expect(result.evidence.minMs).toBe(first.completion.time - fault.time);
    expect(result.evidence.maxMs).toBe(second.completion.time - fault.time);
    expect(result.evidence.medianMs).toBe(first.completion.time - fault.time);
    expect(perClient['client-1'].addressesAfterFault.map((seen) => seen.node)).toEqual(['backup']);
  });

  it('rejects client never on backup', () => {
    const { h } = failover();
    h.connect('client-3', 'primary-1', 'fail');
    h.connect('client-3', 'backup');
    h.read('client-3', 'backup', 'fetch', 'fail');
    const result = failoverTime.check({ scenario: scenarioWith(), history: h.build(), snapshots: [] });

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.neverReachedBackup).toEqual(['client-3']);
  });

  it('rejects backup read after recovery', () => {
    const h = new HistoryBuilder();
    h.connect('client-1', 'primary-1');
    h.fault('kill', PRIMARIES);
    h.heal('kill', ['primary-1']);
    h.connect('client-1', 'backup');
    h.read('client-1', 'backup', 'fetch');
    const result = failoverTime.check({ scenario: scenarioWith(), history: h.build(), snapshots: [] });

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.neverReachedBackup).toEqual(['client-1']);
  });

  it('rejects failover over limit', () => {
    const { h, fault, second } = failover();
    const limitSeconds = Math.floor((second.completion.time - fault.time) / 1000);
    const result = failoverTime.check({ scenario: scenarioWith({ maxFailoverSeconds: limitSeconds }), history: h.build(), snapshots: [] });

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.limitMs).toBe(limitSeconds * 1000);
    expect(result.evidence.overLimit).toEqual(['client-2']);
  });

  it('accepts failover at limit', () => {
    const h = new HistoryBuilder();
    h.connect('client-1', 'primary-1');
    const fault = h.fault('kill', PRIMARIES);
    // The read's invoke and completion each move the clock one step.
    h.advance(2_000 - 2 * STEP_MS);
    const read = h.read('client-1', 'backup', 'fetch');
    const result = failoverTime.check({ scenario: scenarioWith({ maxFailoverSeconds: 2 }), history: h.build(), snapshots: [] });

    expect(read.completion.time - fault.time).toBe(2_000);
    expect(result.verdict).toBe('valid');
  });

  it('is unknown without fault', () => {
    const h = new HistoryBuilder();
    h.read('client-1', 'backup', 'fetch');
    const result = failoverTime.check({ scenario: scenarioWith(), history: h.build(), snapshots: [] });

    expect(result.verdict).toBe('unknown');
  });

  it('is unknown without clients', () => {
    const h = new HistoryBuilder();
    h.connect('seed', 'primary-1');
    h.fault('kill', PRIMARIES);
    const result = failoverTime.check({ scenario: scenarioWith(), history: h.build(), snapshots: [] });

    expect(result.verdict).toBe('unknown');
  });
});
