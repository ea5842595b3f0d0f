/** The `mailha` command as a user runs it: bad input, and Ctrl-C in the middle of a run. */
import { execa } from 'execa';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
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
    expect(await labelled('mailha.managed=true')).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
