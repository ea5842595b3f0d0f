import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { htmlReporter } from '../../harness/report/html.js';
import { junitReporter } from '../../harness/report/junit.js';
import { readRunDirectory } from '../../harness/report/load.js';
import { ReportsError, writeReports, type Reporter } from '../../harness/report/reporter.js';
import { FIXTURE_RUN_DIR, syntheticInput } from './inputs.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailha-report-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const failingReporter: Reporter = {
  name: 'broken',
  async write() {
    throw new Error('disk full');
  },
};

describe('writeReports', () => {
  it('writes html and junit', async () => {
    const written = await writeReports(dir, syntheticInput());

    expect(written).toEqual([join(dir, 'report.html'), join(dir, 'junit.xml')]);
    expect((await readFile(join(dir, 'report.html'), 'utf8')).startsWith('<!DOCTYPE html>')).toBe(true);
    expect((await readFile(join(dir, 'junit.xml'), 'utf8')).startsWith('<?xml')).toBe(true);
  });

  it('runs every reporter despite a failure', async () => {
    const outcome = await writeReports(dir, syntheticInput(), [failingReporter, htmlReporter, junitReporter]).catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(ReportsError);
    const error = outcome as ReportsError;
    expect(error.errors).toHaveLength(1);
    expect(error.message).toContain('broken report failed: disk full');
    expect(error.written).toEqual([join(dir, 'report.html'), join(dir, 'junit.xml')]);
    expect((await stat(join(dir, 'report.html'))).size).toBeGreaterThan(0);
    expect((await stat(join(dir, 'junit.xml'))).size).toBeGreaterThan(0);
  });

  it('collects every failure', async () => {
    const outcome = await writeReports(dir, syntheticInput(), [failingReporter, { ...failingReporter, name: 'also-broken' }]).catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(ReportsError);
    expect((outcome as ReportsError).errors).toHaveLength(2);
    expect((outcome as ReportsError).written).toEqual([]);
  });
});

describe('readRunDirectory', () => {
  it('reads the fixture run', async () => {
    const input = await readRunDirectory(FIXTURE_RUN_DIR);

    expect(input.result.scenario).toBe('site-a-lost-manual-failover');
    expect(input.history.length).toBeGreaterThan(100);
    expect(input.snapshots.length).toBe(2);
  });

  it('reads missing history as empty', async () => {
    await writeFile(join(dir, 'result.json'), JSON.stringify(syntheticInput().result));
    const input = await readRunDirectory(dir);

    expect(input.history).toEqual([]);
    expect(input.snapshots).toEqual([]);
  });

  it('rejects a bad history line', async () => {
    await writeFile(join(dir, 'result.json'), JSON.stringify(syntheticInput().result));
    await writeFile(join(dir, 'history.jsonl'), '{"index":0}\nnot json\n');

    await expect(readRunDirectory(dir)).rejects.toThrow('history.jsonl line 2 is not valid JSON');
  });
});
