import { describe, expect, it } from 'vitest';
import { clientsRecover } from '../../../harness/checkers/clients-recover.js';
import type { HistoryEntry } from '../../../harness/history/types.js';
import { HistoryBuilder, PRIMARIES, scenarioWith } from '../history-builder.js';

const scenario = scenarioWith();

function check(history: HistoryEntry[]) {
  return clientsRecover.check({ scenario, history, snapshots: [] });
}

type PerClient = Record<string, { recoveredAfterMs: number | null; longestGapMs: number }>;

function perClientOf(evidence: Record<string, unknown>): PerClient {
  return evidence.perClient as PerClient;
}

/** Records reads by two clients before a fault, then a failed read and connect by client-1 during it, then its end. */
function outage() {
  const h = new HistoryBuilder();
  h.read('client-1', 'primary-1', 'fetch');
  h.read('client-2', 'primary-2', 'search');
  h.fault('kill', PRIMARIES);
  h.read('client-1', 'primary-1', 'fetch', 'fail');
  h.connect('client-1', 'primary-1', 'info');
  const heal = h.heal('kill', PRIMARIES);
  return { h, heal };
}

describe('clients-recover', () => {
  it('accepts reads after last fault', () => {
    const { h, heal } = outage();
    const firstRead = h.read('client-1', 'primary-1', 'fetch');
    const secondRead = h.read('client-2', 'primary-2', 'search');
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(result.evidence.lastFaultEventAt).toBe(heal.time);
    expect(result.evidence.affectedClients).toEqual(['client-1']);
    expect(perClientOf(result.evidence)['client-1'].recoveredAfterMs).toBe(firstRead.completion.time - heal.time);
    expect(perClientOf(result.evidence)['client-2'].recoveredAfterMs).toBe(secondRead.completion.time - heal.time);
  });

  it('rejects client without later read', () => {
    const { h } = outage();
    h.read('client-1', 'primary-1', 'fetch');
    h.read('client-2', 'primary-2', 'search', 'fail');
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.stuck).toEqual(['client-2']);
    expect(perClientOf(result.evidence)['client-2'].recoveredAfterMs).toBeNull();
  });

  it('rejects write-only recovery', () => {
    const { h } = outage();
    h.read('client-1', 'primary-1', 'fetch');
    h.write('client-2', 'primary-2', 'append', 'ok');
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.stuck).toEqual(['client-2']);
  });

  it('measures from last fault event', () => {
    const h = new HistoryBuilder();
    h.fault('kill', ['primary-1']);
    h.read('client-1', 'primary-2', 'fetch', 'fail');
    h.read('client-1', 'primary-2', 'fetch');
    h.fault('kill', ['primary-2']);
    const result = check(h.build());

    expect(result.verdict).toBe('invalid');
    expect(result.evidence.stuck).toEqual(['client-1']);
  });

  it('is unknown without fault', () => {
    const h = new HistoryBuilder();
    h.read('client-1', 'primary-1', 'fetch', 'fail');
    h.read('client-1', 'primary-1', 'fetch');
    const result = check(h.build());

    expect(result.verdict).toBe('unknown');
  });

  it('is unknown without affected client', () => {
    const h = new HistoryBuilder();
    h.read('client-1', 'primary-1', 'fetch', 'fail');
    h.fault('kill', ['backup']);
    h.heal('kill', ['backup']);
    h.read('client-1', 'primary-1', 'fetch');
    const result = check(h.build());

    expect(result.verdict).toBe('unknown');
    expect(result.evidence.affectedClients).toEqual([]);
  });

  it('ignores seed process', () => {
    const { h } = outage();
    h.read('client-1', 'primary-1', 'fetch');
    h.read('client-2', 'primary-2', 'search');
    h.write('seed', 'primary-1', 'append', 'fail');
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(Object.keys(perClientOf(result.evidence))).toEqual(['client-1', 'client-2']);
  });

  it('computes longest gap between OKs', () => {
    const h = new HistoryBuilder();
    const first = h.read('client-1', 'primary-1', 'fetch');
    h.fault('kill', PRIMARIES);
    h.advance(1_000);
    h.read('client-1', 'primary-1', 'fetch', 'fail');
    h.advance(2_000);
    h.heal('kill', PRIMARIES);
    const recovered = h.connect('client-1', 'primary-1');
    h.read('client-1', 'primary-1', 'search');
    const result = check(h.build());

    expect(result.verdict).toBe('valid');
    expect(perClientOf(result.evidence)['client-1'].longestGapMs).toBe(recovered.completion.time - first.completion.time);
  });
});
