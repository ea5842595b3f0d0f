/** The `mailha` command line: run, list, images build, clean, toxiproxy, audit-readonly, bench lag, bench append. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { getContainerRuntimeClient } from 'testcontainers';
import type Dockerode from 'dockerode';
import { loadScenario, ScenarioError } from '../scenario/load.js';
import { READ_ONLY_MODES, type Scenario } from '../scenario/schema.js';
import { runCommand } from './run-command.js';
import { ensureImages, resolveBuilder, type Builder } from '../images/index.js';
import { removeLabelled } from '../bed/docker/labels.js';
import { registerToxiproxyCommand } from '../toxiproxy/cli.js';
import { auditReadOnlyCommand } from '../audit/command.js';
import { registerBenchCommand } from './bench-lag-command.js';
import { registerBenchAppendCommand } from './bench-append-command.js';

// Ryuk, testcontainers' reaper, needs an image that cannot be pulled without a registry. So the
// bed removes what it creates by label, and `mailha clean` removes leftovers of killed runs.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

const EXIT_INVALID = 1;
const EXIT_USAGE = 2;

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0) throw new InvalidArgumentError(`--seed must be a whole number of 0 or more, got "${value}"`);
  return seed;
}

function parseRepeat(value: string): number {
  const repeat = Number(value);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1000) throw new InvalidArgumentError(`--repeat must be a whole number from 1 to 1000, got "${value}"`);
  return repeat;
}

const program = new Command('mailha')
  .description('HA mail test-bed: real Courier IMAP, BIND and rsync in containers, faults, client histories and checks')
  .showHelpAfterError('(add --help for usage)')
  // Usage errors exit 2 like an invalid scenario file, never 1, which means a check failed.
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
  });

program
  .command('run')
  .description('Run scenario files and check what the clients saw; exits 0 only when every check of every scenario is valid')
  .argument('<scenario...>', 'scenario YAML files')
  .option('--out <dir>', 'directory for run outputs (runs/<scenario>/<UTC time>/)', 'runs')
  .option('--seed <n>', 'workload seed, overriding each scenario\'s own', parseSeed)
  .option('--repeat <n>', 'run each scenario N times and report how often each check was not valid', parseRepeat, 1)
  .addOption(
    new Option('--progress <mode>', 'live (listr2 view), plain (one line per step) or quiet (verdicts only); by default live on a terminal and quiet under CI')
      .choices(['live', 'plain', 'quiet']),
  )
  .action(runCommand);

program
  .command('list')
  .description('List the scenarios in a directory with the question each answers')
  .argument('[dir]', 'directory of scenario files', 'scenarios')
  .action(async (dir: string) => {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
    } catch (error) {
      console.error(`Cannot list scenarios in ${dir}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'directory not found' : (error as Error).message}`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    for (const name of names) {
      const file = join(dir, name);
      try {
        const scenario = await loadScenario(file);
        const expected = scenario.expectVerdict !== 'valid' ? `\n  expected verdict: ${scenario.expectVerdict} (a known weakness)` : '';
        console.log(`${file}\n  ${scenario.name}: ${scenario.question}${expected}`);
      } catch (error) {
        const problems = error instanceof ScenarioError ? error.problems : [(error as Error).message];
        console.log(`${file}\n  invalid:\n    ${problems.join('\n    ')}`);
        process.exitCode = EXIT_USAGE;
      }
    }
  });

const images = program.command('images').description('Manage the bed\'s container images');
images
  .command('build')
  .description('Build the images from Debian packages (cached by a hash of each recipe)')
  .option('--force', 'rebuild even when an image for the current recipe exists')
  .option('--builder <kind>', 'debootstrap, dockerfile or auto (debootstrap when installed)', 'auto')
  .action(async (options: { force?: boolean; builder: string }) => {
    if (!['debootstrap', 'dockerfile', 'auto'].includes(options.builder)) {
      console.error(`--builder must be debootstrap, dockerfile or auto, got "${options.builder}"`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    const builder = await resolveBuilder(options.builder as Builder);
    const tags = await ensureImages({ builder, force: options.force, onProgress: (line) => console.log(line) });
    for (const [name, tag] of Object.entries(tags)) console.log(`${name}: ${tag}`);
  });

program
  .command('clean')
  .description('Remove containers, networks and volumes left by earlier runs that were killed; runs still going are kept')
  .option('--all', 'also remove the resources of runs whose process still runs on this host')
  .action(async (options: { all?: boolean }) => {
    const client = await getContainerRuntimeClient();
    const docker = (client.container as unknown as { dockerode: Dockerode }).dockerode;
    const report = await removeLabelled(docker, undefined, options.all === true);
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
    console.log(`Removed ${count(report.containers.length, 'container')}, ${count(report.networks.length, 'network')}, ${count(report.volumes.length, 'volume')}.`);
    if (report.kept > 0) console.log(`Kept ${count(report.kept, 'resource')} of runs still going (use --all to remove them too).`);
    for (const problem of report.errors) console.error(`Failed to remove ${problem}`);
    if (report.errors.length > 0) process.exitCode = EXIT_INVALID;
  });

/** Parses one `--account LOGIN:PASSWORD` and adds it to the earlier ones. */
function parseAccount(value: string, previous: Array<{ login: string; password: string }> = []): Array<{ login: string; password: string }> {
  const colon = value.indexOf(':');
  if (colon < 1 || colon === value.length - 1) throw new InvalidArgumentError(`--account must be LOGIN:PASSWORD, got "${value.slice(0, Math.max(colon, 0)) || value}:..."`);
  return [...previous, { login: value.slice(0, colon), password: value.slice(colon + 1) }];
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`--port must be a TCP port from 1 to 65535, got "${value}"`);
  return port;
}

program
  .command('audit-readonly')
  .description(
    'Audit which IMAP commands a backup refuses, ignores or performs; exits 0 only when it held. Without --host it starts a bed in the given read-only mode and removes it afterwards',
  )
  .addOption(new Option('--read-only <mode>', 'read-only mode of the bed\'s backup').choices([...READ_ONLY_MODES]).default('acl'))
  .option('--host <host>', 'audit a running IMAP server at this address instead of starting a bed (the audit writes to it: use a copy)')
  .option('--port <port>', 'IMAP port of --host', parsePort, 143)
  .option('--account <login:password>', 'account to audit on --host; repeat for more', parseAccount)
  .option('--out <dir>', 'directory for audit.json, audit.md and the bed logs', 'runs/audit-readonly')
  .action(auditReadOnlyCommand);

registerToxiproxyCommand(program);
registerBenchCommand(program);
// After `bench lag`, which creates the `bench` parent command that `bench append` joins.
registerBenchAppendCommand(program);

await program.parseAsync(process.argv);
