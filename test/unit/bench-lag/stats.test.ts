import { describe, expect, test } from 'vitest';
import { quantile, quantiles } from '../../../harness/bench/lag/stats.js';

describe('quantile', () => {
  test('nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(samples, 0.5)).toBe(50);
    expect(quantile(samples, 0.95)).toBe(95);
    expect(quantile(samples, 0.99)).toBe(99);
    expect(quantile(samples, 1)).toBe(100);
  });

  test('unsorted input', () => {
    expect(quantile([30, 10, 20], 0.5)).toBe(20);
  });

  test('no samples', () => {
    expect(quantiles([])).toEqual({ p50: null, p95: null, p99: null, max: null });
  });

  test('missing probes reach the tail', () => {
    const samples = [...Array.from({ length: 98 }, () => 100), Infinity, Infinity];
    const result = quantiles(samples);
    expect(result.p50).toBe(100);
    expect(result.p95).toBe(100);
    expect(result.p99).toBe(Infinity);
    expect(result.max).toBe(Infinity);
  });
});
