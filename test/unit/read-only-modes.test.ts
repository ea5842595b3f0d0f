/** What each read-only mode of the backup runs after a sync and how it mounts the store. */
import { describe, expect, test } from 'vitest';
import { backupStoreMounts, readOnlyCommands } from '../../harness/bed/docker/read-only.js';
import { READ_ONLY_MODES } from '../../harness/scenario/schema.js';

describe('read-only modes', () => {
  test('acl-locked unlocks, sets the ACLs, then locks', () => {
    expect(readOnlyCommands('acl-locked').map((command) => command.join(' '))).toEqual([
      '/usr/local/sbin/mailha-readonly-lock --unlock',
      '/usr/local/sbin/mailha-readonly-acl',
      '/usr/local/sbin/mailha-readonly-lock',
    ]);
  });

  test('none and read-only-mount run nothing after a sync', () => {
    expect(readOnlyCommands('none')).toEqual([]);
    expect(readOnlyCommands('read-only-mount')).toEqual([]);
  });

  test('only read-only-mount mounts the served store read-only', () => {
    for (const mode of READ_ONLY_MODES) {
      const served = backupStoreMounts(mode).mounts.find((mount) => mount.target === '/srv/mail');
      expect(served?.mode, mode).toBe(mode === 'read-only-mount' ? 'ro' : 'rw');
    }
    expect(backupStoreMounts('read-only-mount').environment).toEqual({ MAILHA_STORE: '/srv/store' });
  });
});
