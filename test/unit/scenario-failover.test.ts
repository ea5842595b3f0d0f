/** The scenario fields for automatic failover and expected verdicts: defaults and errors by field path. */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../harness/scenario/load.js';
import { problemsOf } from './scenario-problems.js';

const BASE = { name: 'unit-test', question: 'What does the loader report for this file?', steps: [{ action: 'run', seconds: 1 }] };


describe('topology.failover', () => {
  it('defaults to manual', () => {
    const scenario = parseScenario(BASE, 'test.yaml');

    expect(scenario.topology.failover).toEqual({
      mode: 'manual',
      probeIntervalSeconds: 1,
      probeTimeoutMs: 1000,
      failureThreshold: 3,
      failback: false,
      recoveryThreshold: 3,
    });
  });

  it('accepts auto with failback', () => {
    const scenario = parseScenario({ ...BASE, topology: { failover: { mode: 'auto', failback: true, recoveryThreshold: 2 } } }, 'test.yaml');

    expect(scenario.topology.failover.mode).toBe('auto');
    expect(scenario.topology.failover.failback).toBe(true);
    expect(scenario.topology.failover.recoveryThreshold).toBe(2);
    expect(scenario.topology.failover.failureThreshold).toBe(3);
  });

  it('rejects unknown mode', () => {
    expect(problemsOf({ ...BASE, topology: { failover: { mode: 'dns' } } })).toEqual([
      'scenario.topology.failover.mode: unknown failover mode "dns"; expected manual or auto',
    ]);
  });

  it('rejects zero threshold', () => {
    expect(problemsOf({ ...BASE, topology: { failover: { failureThreshold: 0 } } })).toEqual([
      'scenario.topology.failover.failureThreshold: must be greater than 0',
    ]);
  });

  it('rejects fractional recovery threshold', () => {
    expect(problemsOf({ ...BASE, topology: { failover: { recoveryThreshold: 1.5 } } })).toEqual([
      'scenario.topology.failover.recoveryThreshold: must be a whole number',
    ]);
  });

  it('rejects probe timeout past interval', () => {
    expect(problemsOf({ ...BASE, topology: { failover: { probeIntervalSeconds: 0.5, probeTimeoutMs: 800 } } })).toEqual([
      'scenario.topology.failover.probeTimeoutMs: must be at most probeIntervalSeconds (500 ms), got 800',
    ]);
  });

  it('rejects unknown field', () => {
    const problems = problemsOf({ ...BASE, topology: { failover: { mode: 'auto', threshold: 3 } } });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^scenario\.topology\.failover: .*threshold/);
  });

  it('allows dns-repoint in auto mode', () => {
    const steps = [
      { action: 'kill', target: 'site-a' },
      { action: 'dns-repoint', target: 'backup' },
      { action: 'start', target: 'site-a' },
    ];
    const scenario = parseScenario({ ...BASE, steps, topology: { failover: { mode: 'auto' } } }, 'test.yaml');

    expect(scenario.steps.map((step) => step.action)).toEqual(['kill', 'dns-repoint', 'start']);
  });
});

describe('expectVerdict', () => {
  it('defaults to valid', () => {
    expect(parseScenario(BASE, 'test.yaml').expectVerdict).toBe('valid');
  });

  it('accepts invalid', () => {
    expect(parseScenario({ ...BASE, expectVerdict: 'invalid' }, 'test.yaml').expectVerdict).toBe('invalid');
  });

  it('rejects unknown verdict', () => {
    expect(problemsOf({ ...BASE, expectVerdict: 'broken' })).toEqual([
      'scenario.expectVerdict: unknown verdict "broken"; expected one of valid, invalid, unknown',
    ]);
  });
});
