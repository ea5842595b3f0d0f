import { describe, expect, test } from 'vitest';
import { sharedFolderPath } from '../../../harness/bench/lag/strategies/shared-folders.js';

describe('sharedFolderPath', () => {
  test('INBOX is the account itself', () => {
    expect(sharedFolderPath('user1', 'INBOX')).toBe('#shared.user1');
  });

  test('INBOX is case-insensitive', () => {
    expect(sharedFolderPath('user1', 'inbox')).toBe('#shared.user1');
  });

  test('folder loses the personal prefix', () => {
    expect(sharedFolderPath('user1', 'INBOX.Probes')).toBe('#shared.user1.Probes');
    expect(sharedFolderPath('user10', 'INBOX.Archive.2024')).toBe('#shared.user10.Archive.2024');
  });

  test('login with a dot is rejected', () => {
    expect(() => sharedFolderPath('first.last', 'INBOX')).toThrow(/contain no "\."/);
  });

  test('empty login is rejected', () => {
    expect(() => sharedFolderPath('', 'INBOX')).toThrow(/non-empty/);
  });

  test('folder outside INBOX is rejected', () => {
    expect(() => sharedFolderPath('user1', 'Probes')).toThrow(/not INBOX or INBOX.NAME/);
    expect(() => sharedFolderPath('user1', 'INBOX.')).toThrow(/not INBOX or INBOX.NAME/);
  });
});
