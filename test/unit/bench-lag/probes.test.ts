import { describe, expect, test } from 'vitest';
import { unseenUids } from '../../../harness/bench/lag/probes.js';

describe('unseen UID set', () => {
  test('nothing seen above the floor', () => {
    expect(unseenUids(3, new Set())).toBe('4:*');
  });

  test('gaps between seen UIDs', () => {
    expect(unseenUids(3, new Set([10, 5, 6, 7]))).toBe('4,8:9,11:*');
  });

  test('seen UID right above the floor', () => {
    expect(unseenUids(3, new Set([4, 6]))).toBe('5,7:*');
  });

  test('seen UIDs at or below the floor ignored', () => {
    expect(unseenUids(3, new Set([2, 3, 9]))).toBe('4:8,10:*');
  });
});
