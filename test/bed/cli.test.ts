/** The `mailha` command as a user runs it: bad input, and Ctrl-C in the middle of a run. */
import { execa } from 'execa';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startSeededBed } from '../../harness/bed/seeded-bed.js';
import { labelled } from './docker.js';

const BIN = 'harness/cli/bin.js';

describe('mailha run', () => {
  test('invalid scenario starts nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailha-cli-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'name: bad\nquestion: Does a bad target get a clear error?\nsteps:\n  - action: run\n    seconds: 1\n  - action: kill\n    target: site-c\n');
    const before = await labelled('mailha.managed=true');

    const result = await execa('node', [BIN, 'run', file, '--out', dir], { reject: false });

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('scenario.steps[1].target: unknown node or site "site-c"');
    expect(await labelled('mailha.managed=true')).toEqual(before);
  });

  test('missing scenario file is named', async () => {
    const result = await execa('node', [BIN, 'run', 'scenarios/no-such-file.yaml'], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('scenarios/no-such-file.yaml');
    expect(result.stderr).toContain('file not found');
  });

  test('Ctrl-C removes the run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailha-cli-'));
    const child = execa('node', [BIN, 'run', 'scenarios/site-a-lost-manual-failover.yaml', '--out', dir, '--progress', 'plain'], { reject: false, all: true });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no step started within 180 s; output:\n${output}`)), 180_000);
      child.all!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Step 1/')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });

    child.kill('SIGINT');
    const result = await child;

    expect(result.exitCode).toBe(1);
    expect(result.all).toContain('run failed: interrupted');
    // Only this run's resources, found by the owner label (host and pid), because other runs may share the engine.
    expect(await labelled(`mailha.owner=${hostname()}:${child.pid}`)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});

describe('mailha audit-readonly --host', () => {
  test('--host without --account is a usage error', async () => {
    const result = await execa('node', [BIN, 'audit-readonly', '--host', '127.0.0.1'], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--host and --account go together');
  });

  test('malformed --account is named', async () => {
    const result = await execa('node', [BIN, 'audit-readonly', '--host', '127.0.0.1', '--account', 'user1'], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--account must be LOGIN:PASSWORD');
  });

  test('audits the backup of a running bed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailha-cli-audit-'));
    const seeded = await startSeededBed({ readOnly: 'acl-locked', accounts: 1, runIdPrefix: 'mailha-test-cli-audit', name: 'cli-audit', question: 'Does the audit of a running bed hold?', outDir: dir });
    try {
      const [account] = seeded.accounts;
      const out = join(dir, 'audit');
      const result = await execa('node', [BIN, 'audit-readonly', '--host', seeded.bed.address('backup'), '--account', `${account.login}:${account.password}`, '--out', out], { reject: false });

      expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
      expect(result.stdout).toContain('verdict: valid');
      const saved = JSON.parse(await readFile(join(out, 'audit.json'), 'utf8'));
      expect(saved.target).toBe(`${seeded.bed.address('backup')}:143`);
      expect(new Set(saved.rows.map((row: { folder: string | null }) => row.folder))).toEqual(new Set([null, 'INBOX', 'INBOX.Sent', 'INBOX.Archive', 'INBOX.Archive.2024']));
    } finally {
      await seeded.close();
    }
    expect(await labelled(`mailha.run=${seeded.runId}`)).toEqual({ containers: [], networks: [], volumes: [] });
  }, 180_000);
});
