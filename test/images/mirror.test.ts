import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveDebianMirror } from '../../harness/images/mirror.js';

let aptDir: string;

beforeEach(async () => {
  aptDir = await mkdtemp(path.join(os.tmpdir(), 'mailha-apt-'));
  await mkdir(path.join(aptDir, 'sources.list.d'));
});

afterEach(async () => {
  await rm(aptDir, { recursive: true, force: true });
});

describe('resolveDebianMirror', () => {
  it('prefers the env variable', async () => {
    expect(await resolveDebianMirror({ MAILHA_DEBIAN_MIRROR: 'http://mirror.invalid/debian' }, aptDir)).toBe('http://mirror.invalid/debian');
  });

  it('reads URIs from .sources and skips security', async () => {
    await writeFile(
      path.join(aptDir, 'sources.list.d', 'debian.sources'),
      'Types: deb\nURIs: http://security.invalid/debian-security\n\nTypes: deb\nURIs: http://archive.invalid/debian\nSuites: bookworm\n',
    );
    expect(await resolveDebianMirror({}, aptDir)).toBe('http://archive.invalid/debian');
  });

  it('reads deb lines from sources.list', async () => {
    await writeFile(path.join(aptDir, 'sources.list'), '# comment\ndeb [arch=amd64] http://list.invalid/debian bookworm main\n');
    expect(await resolveDebianMirror({}, aptDir)).toBe('http://list.invalid/debian');
  });

  it('fails clearly without a source', async () => {
    await expect(resolveDebianMirror({}, aptDir)).rejects.toThrow('Set MAILHA_DEBIAN_MIRROR');
  });
});
