/** Box names and the generated mbsync configuration. */
import { describe, expect, test } from 'vitest';
import { boxName, maildirOf, renderMbsyncConfig } from '../../../harness/clients/mbsync-config.js';

describe('boxName', () => {
  test('INBOX stays INBOX', () => {
    expect(boxName('INBOX')).toBe('INBOX');
  });

  test('nested folder drops the namespace', () => {
    expect(boxName('INBOX.Archive.2024')).toBe('Archive/2024');
  });

  test('folder outside the namespace is rejected', () => {
    expect(() => boxName('Shared.Team')).toThrow(/outside the INBOX\. namespace/);
  });
});

describe('renderMbsyncConfig', () => {
  const config = renderMbsyncConfig({ host: '127.0.0.1', port: 143, login: 'user1', password: 'pw "x"', folders: ['INBOX'] }, '/tmp/work');

  test('plain text and LOGIN', () => {
    expect(config).toMatch(/^SSLType None$/m);
    expect(config).toMatch(/^AuthMechs LOGIN$/m);
  });

  test('password is quoted and escaped', () => {
    expect(config).toMatch(/^Pass "pw \\"x\\""$/m);
  });

  test('near store and state under the root', () => {
    expect(config).toMatch(/^Path "\/tmp\/work\/mail\/"$/m);
    expect(config).toMatch(/^Inbox "\/tmp\/work\/mail\/INBOX"$/m);
    expect(config).toMatch(/^SyncState "\/tmp\/work\/state\/"$/m);
    expect(maildirOf('/tmp/work', 'Archive/2024')).toBe('/tmp/work/mail/Archive/2024');
  });
});
