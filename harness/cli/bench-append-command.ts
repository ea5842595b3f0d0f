/** `mailha bench append`: APPEND latency and throughput per storage configuration, one bed each. */
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { runAppendBench } from '../bench/append/bench.js';
import { DEFAULT_CONFIGS, parseConfigs, type BenchConfig } from '../bench/append/configs.js';
import { renderSummaryTable } from '../bench/append/output.js';
import { autoProgressMode, withProgress, type ProgressMode } from './progress.js';

/** Upper bound of --concurrency: one account per client, and a scenario allows at most 50 accounts. */
const MAX_CONCURRENCY = 50;
const MAX_MESSAGES = 100_000;

function wholeNumber(flag: string, min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
    return number;
  };
}

function configList(value: string): BenchConfig[] {
  try {
    return parseConfigs(value);
  } catch (error) {
    throw new InvalidArgumentError(`--configs: ${(error as Error).message}`);
  }
}

interface BenchAppendOptions {
  configs: BenchConfig[];
  messages: number;
  concurrency: number;
  warmup: number;
  seed: number;
  out?: string;
  progress?: ProgressMode;
}

async function benchAppend(options: BenchAppendOptions): Promise<void> {
  const outDir = options.out ?? join('runs', 'bench-append', new Date().toISOString().replace(/[:.]/g, '-'));
  const interrupt = new AbortController();
  const onSignal = () => {
    console.error('Interrupted: removing the current bed...');
    interrupt.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const mode = options.progress ?? autoProgressMode();
    const { summary, files } = await withProgress(mode, `APPEND benchmark: ${options.configs.map((config) => config.name).join(', ')}`, (progress) =>
      runAppendBench({
        configs: options.configs,
        messages: options.messages,
        concurrency: options.concurrency,
        warmupPerClient: options.warmup,
        seed: options.seed,
        outDir,
        command: ['npx', 'mailha', ...process.argv.slice(2)].join(' '),
        onProgress: progress,
        signal: interrupt.signal,
      }),
    );
    console.log(renderSummaryTable(summary));
    console.log(`Wrote ${files.join(', ')}`);
    // Exit 1 when any configuration failed, so scripts notice a partial result.
    if (summary.configs.some((result) => result.error !== undefined)) process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Adds `bench append` to the program, creating the `bench` parent command when it is missing. */
export function registerBenchAppendCommand(program: Command): void {
  const bench = program.commands.find((command) => command.name() === 'bench') ?? program.command('bench').description('Benchmarks that start their own beds');
  bench
    .command('append')
    .description('Measure APPEND latency (send to tagged OK) and throughput on primary-1 for each storage configuration, one bed at a time')
    .addOption(
      new Option('--configs <list>', 'comma-separated configurations: shared-volume, drbd, drbd+<N>ms (N ms added to each direction of DRBD\'s link)')
        .argParser(configList)
        .default(parseConfigs(DEFAULT_CONFIGS), DEFAULT_CONFIGS),
    )
    .option('--messages <n>', 'measured APPENDs per configuration, over all clients', wholeNumber('--messages', 1, MAX_MESSAGES), 200)
    .option('--concurrency <n>', 'concurrent IMAP clients, each with its own connection and account', wholeNumber('--concurrency', 1, MAX_CONCURRENCY), 4)
    .option('--warmup <n>', 'unmeasured APPENDs per client before the measured ones', wholeNumber('--warmup', 0, 1000), 2)
    .option('--seed <n>', 'seed of the corpus messages; the same seed appends the same messages in every configuration', wholeNumber('--seed', 0, 2 ** 31 - 1), 1)
    .option('--out <dir>', 'directory for appends.csv, summary.json, summary.md, latency.vl.json, latency.svg and bed logs (default runs/bench-append/<UTC time>)')
    .addOption(new Option('--progress <mode>', 'live (listr2 view), plain (one line per step) or quiet; by default live on a terminal and quiet under CI').choices(['live', 'plain', 'quiet']))
    .action(benchAppend);
}
