/** The `mailha bench lag` command: sweep replication strategies and report the backup's lag. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { execa } from 'execa';
import { mkdir, readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { destination, pino } from 'pino';
import { COPIER_LOGINS, DEFAULT_TIMING, FULL_SWEEP, type CopierLogin, sweepCells, sweepSchema, type Sweep, type Timing } from '../bench/lag/config.js';
import { formatSeconds, writeBenchOutputs, type BenchRecord } from '../bench/lag/output.js';
import type { CellResult } from '../bench/lag/result.js';
import { estimateMs, formatDuration, runSweep } from '../bench/lag/sweep.js';
import { autoProgressMode, withProgress, type ProgressMode } from './progress.js';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/** The CI smoke configuration: one small cell of the design's own strategy on the LAN link. */
export const SMOKE_SWEEP: Sweep = { storeSizes: [1000], rates: [10], links: ['lan'], strategies: ['rsync-interval'] };
const SMOKE_TIMING: Partial<Timing> = { probeSeconds: 5, drainSeconds: 30, rsyncIntervalSeconds: 2 };

interface BenchLagOptions {
  sizes?: number[];
  rates?: number[];
  links?: string[];
  strategies?: string[];
  smoke?: boolean;
  probeSeconds?: number;
  drainSeconds?: number;
  interval?: number;
  lsyncdDelay?: number;
  copyPollMs?: number;
  imapCopyLogin?: CopierLogin;
  maxP99Seconds?: number;
  seed: number;
  out: string;
  estimate?: boolean;
  progress?: ProgressMode;
}

function numberList(name: string, integer: boolean) {
  return (value: string): number[] => {
    const items = value.split(',').map((item) => item.trim());
    return items.map((item) => {
      const number = Number(item.replace(/k$/i, '000'));
      if (item === '' || !Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
        throw new InvalidArgumentError(`${name} must be a comma-separated list of positive ${integer ? 'whole ' : ''}numbers, got "${value}"`);
      }
      return number;
    });
  };
}

function positiveNumber(name: string, allowZero = false) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0 || (!allowZero && number === 0)) throw new InvalidArgumentError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got "${value}"`);
    return number;
  };
}

const stringList = (value: string) => value.split(',').map((item) => item.trim());

/** UTC timestamp usable in a path: 20261204T201108Z. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

async function describeMachine(): Promise<Record<string, string | number>> {
  const docker = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false });
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    docker: docker.exitCode === 0 ? docker.stdout.trim() : 'unknown',
  };
}

export function registerBenchCommand(program: Command): void {
  const bench = program.command('bench').description('Benchmarks that start their own beds');
  bench
    .command('lag')
    .description(
      'Measure replication lag (APPEND acknowledged on a primary to FETCH on the backup) for each store size, change rate, WAN link and strategy; ' +
        'by default the full sweep. Exits 1 when a cell failed or a p99 lag exceeds --max-p99-seconds',
    )
    .option('--sizes <list>', 'store sizes in messages across all accounts, e.g. 1k,10k,100k', numberList('--sizes', true))
    .option('--rates <list>', 'change rates in probe messages a second, e.g. 1,10,100', numberList('--rates', false))
    .option('--links <list>', 'WAN links: lan, wan-10mbit-40ms, wan-1mbit-150ms', stringList)
    .option('--strategies <list>', 'rsync-interval, lsyncd, imap-copy', stringList)
    .option('--smoke', 'the CI configuration: 1k messages, 10/s, lan, rsync-interval, 5 s of probes; other options override it')
    .option('--probe-seconds <s>', `seconds of probes per cell (default ${DEFAULT_TIMING.probeSeconds})`, positiveNumber('--probe-seconds'))
    .option('--drain-seconds <s>', `seconds a cell waits for the last probes; later ones count as missing (default ${DEFAULT_TIMING.drainSeconds})`, positiveNumber('--drain-seconds'))
    .option('--interval <s>', `interval of rsync-interval in seconds (default ${DEFAULT_TIMING.rsyncIntervalSeconds})`, positiveNumber('--interval'))
    .option('--lsyncd-delay <s>', `lsyncd's delay in seconds (default ${DEFAULT_TIMING.lsyncdDelaySeconds})`, positiveNumber('--lsyncd-delay', true))
    .option('--copy-poll-ms <ms>', `pause of the IMAP copier between two polls of a folder, in ms (default ${DEFAULT_TIMING.imapCopyPollMs})`, positiveNumber('--copy-poll-ms', true))
    .addOption(
      new Option(
        '--imap-copy-login <identity>',
        `identity of the IMAP copier on both sides: admin (one Courier administrator reading #shared.<account> folders) or per-account (each account with its own password) (default ${DEFAULT_TIMING.imapCopyLogin})`,
      ).choices(COPIER_LOGINS),
    )
    .option('--max-p99-seconds <s>', 'fail when any cell\'s p99 lag exceeds this many seconds', positiveNumber('--max-p99-seconds'))
    .option('--seed <n>', 'seed for store contents and probes', (value) => {
      const seed = Number(value);
      if (!Number.isInteger(seed) || seed < 0) throw new InvalidArgumentError(`--seed must be a whole number of 0 or more, got "${value}"`);
      return seed;
    }, 1)
    .option('--out <dir>', 'directory for results (bench-lag/<UTC time>/ below it)', 'runs')
    .option('--estimate', 'print the cells and the time estimate, and start nothing')
    .addOption(new Option('--progress <mode>', 'live (listr2 view), plain (one line per cell) or quiet; by default live on a terminal and quiet under CI').choices(['live', 'plain', 'quiet']))
    .action(benchLagCommand);

  bench
    .command('lag-merge')
    .description('Merge the results.json of several bench lag runs into one set of outputs (table, CSV, charts)')
    .argument('<dir...>', 'run directories, each with a results.json')
    .requiredOption('--out <dir>', 'directory for the merged outputs')
    .action(mergeCommand);
}

async function mergeCommand(dirs: string[], options: { out: string }): Promise<void> {
  const records: BenchRecord[] = [];
  for (const dir of dirs) {
    const file = join(dir, 'results.json');
    try {
      records.push(JSON.parse(await readFile(file, 'utf8')) as BenchRecord);
    } catch (error) {
      console.error(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message}`);
      process.exitCode = EXIT_USAGE;
      return;
    }
  }
  const merged: BenchRecord = {
    command: records.map((record) => record.command).join(' && '),
    machine: records[0].machine,
    startedAt: records[0].startedAt,
    sweep: {
      storeSizes: [...new Set(records.flatMap((record) => record.sweep.storeSizes))],
      rates: [...new Set(records.flatMap((record) => record.sweep.rates))],
      links: [...new Set(records.flatMap((record) => record.sweep.links))],
      strategies: [...new Set(records.flatMap((record) => record.sweep.strategies))],
    },
    // NOTE: the first run's timing stands for all; merge runs of one sweep, which share it.
    timing: records[0].timing,
    stores: records.flatMap((record) => record.stores),
    cells: records.flatMap((record) => record.cells).sort(compareCells),
  };
  await mkdir(options.out, { recursive: true });
  await writeBenchOutputs(options.out, merged);
  console.log(`Merged ${merged.cells.length} cells from ${records.length} runs into ${options.out}`);
}

async function benchLagCommand(options: BenchLagOptions): Promise<void> {
  const base = options.smoke ? SMOKE_SWEEP : FULL_SWEEP;
  const parsed = sweepSchema.safeParse({
    storeSizes: options.sizes ?? base.storeSizes,
    rates: options.rates ?? base.rates,
    links: options.links ?? base.links,
    strategies: options.strategies ?? base.strategies,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`bench lag: --${issue.path[0] === 'storeSizes' ? 'sizes' : String(issue.path[0])}: ${issue.message}`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const sweep = parsed.data;
  const timing: Timing = {
    ...DEFAULT_TIMING,
    ...(options.smoke ? SMOKE_TIMING : {}),
    ...(options.probeSeconds !== undefined ? { probeSeconds: options.probeSeconds } : {}),
    ...(options.drainSeconds !== undefined ? { drainSeconds: options.drainSeconds } : {}),
    ...(options.interval !== undefined ? { rsyncIntervalSeconds: options.interval } : {}),
    ...(options.lsyncdDelay !== undefined ? { lsyncdDelaySeconds: options.lsyncdDelay } : {}),
    ...(options.copyPollMs !== undefined ? { imapCopyPollMs: options.copyPollMs } : {}),
    ...(options.imapCopyLogin !== undefined ? { imapCopyLogin: options.imapCopyLogin } : {}),
  };
  const cells = sweepCells(sweep);
  if (options.estimate) {
    console.log(`${cells.length} cells, estimated ${formatDuration(estimateMs(cells, timing))} (before any cell has run; the bench refines it as cells finish)`);
    return;
  }

  const startedAt = new Date();
  const dir = join(resolve(options.out), 'bench-lag', stamp(startedAt));
  await mkdir(dir, { recursive: true });
  const log = pino({ base: { bench: 'lag' } }, destination({ dest: join(dir, 'mailha.log'), sync: true }));
  const record: BenchRecord = {
    command: `npx mailha ${process.argv.slice(2).join(' ')}`,
    machine: await describeMachine(),
    startedAt: startedAt.toISOString(),
    sweep,
    timing,
    stores: [],
    cells: [],
  };

  const interrupt = new AbortController();
  const onSignal = () => {
    console.error('Interrupted: stopping the current cell, then removing the bed...');
    interrupt.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const mode = options.progress ?? autoProgressMode();
  let failure: string | undefined;
  try {
    const run = await withProgress(mode, `Replication lag bench: ${cells.length} cells`, (progress) =>
      runSweep({
        sweep,
        timing,
        seed: options.seed,
        log,
        logDir: join(dir, 'nodes'),
        onProgress: progress,
        signal: interrupt.signal,
        onCell: async (cell) => {
          record.cells.push(cell);
          // Written after every cell, so an interrupted sweep keeps what it measured.
          await writeBenchOutputs(dir, record);
        },
      }),
    );
    record.stores = run.stores;
  } catch (error) {
    failure = interrupt.signal.aborted ? 'interrupted' : (error as Error).message;
    log.error({ err: error }, 'Bench failed');
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await writeBenchOutputs(dir, record);

  for (const cell of record.cells) console.log(describeCell(cell));
  console.log(`Results in ${dir}`);
  const problems = record.cells.flatMap((cell) => problemsOf(cell, options.maxP99Seconds));
  for (const problem of problems) console.error(problem);
  if (failure) console.error(`bench lag failed: ${failure}`);
  if (failure || problems.length > 0) process.exitCode = EXIT_FAILED;
}

const LINK_ORDER = ['lan', 'wan-10mbit-40ms', 'wan-1mbit-150ms'];
const STRATEGY_ORDER = ['rsync-interval', 'lsyncd', 'imap-copy'];

/** Orders cells by store size, strategy, link and rate, the order of the docs table. */
function compareCells(a: CellResult, b: CellResult): number {
  return (
    a.storeSize - b.storeSize ||
    STRATEGY_ORDER.indexOf(a.strategy) - STRATEGY_ORDER.indexOf(b.strategy) ||
    LINK_ORDER.indexOf(a.link) - LINK_ORDER.indexOf(b.link) ||
    a.ratePerSecond - b.ratePerSecond
  );
}

function describeCell(cell: CellResult): string {
  const lag = `p50 ${formatSeconds(cell.lagMs.p50)} s, p99 ${formatSeconds(cell.lagMs.p99)} s, max ${formatSeconds(cell.lagMs.max)} s`;
  return `${cell.storeSize} msgs, ${cell.ratePerSecond}/s, ${cell.link}, ${cell.strategy}: ${lag} (bound ${formatSeconds(cell.lowerBoundMs)} s, ${cell.probes.seen}/${cell.probes.acknowledged} probes seen)`;
}

function problemsOf(cell: CellResult, maxP99Seconds: number | undefined): string[] {
  const label = `${cell.storeSize} msgs, ${cell.ratePerSecond}/s, ${cell.link}, ${cell.strategy}`;
  const problems: string[] = [];
  if (cell.error) problems.push(`${label}: cell failed: ${cell.error}`);
  if (cell.probes.acknowledged === 0 && !cell.error) problems.push(`${label}: no probe was acknowledged`);
  if (maxP99Seconds !== undefined && cell.lagMs.p99 !== null && cell.lagMs.p99 > maxP99Seconds * 1000) {
    problems.push(`${label}: p99 lag ${formatSeconds(cell.lagMs.p99)} s exceeds --max-p99-seconds ${maxP99Seconds}`);
  }
  return problems;
}
