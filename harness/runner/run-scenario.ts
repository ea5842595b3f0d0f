/** Runs one scenario end to end: images, bed, seed, workload, steps, observations, checkers, reports. */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { destination, pino } from 'pino';
import type { Bed } from '../bed/bed.js';
import { DockerBed } from '../bed/docker/docker-bed.js';
import { CHECKERS, FAILOVER_CHECKERS, runCheckers, worstVerdict } from '../checkers/index.js';
import { HistoryRecorder, validateHistory } from '../history/recorder.js';
import type { MailboxSnapshot } from '../history/snapshot.js';
import { isOperation } from '../history/types.js';
import type { NodeName, Scenario } from '../scenario/schema.js';
import { CachingResolver } from '../dns/caching-resolver.js';
import { Replicator } from '../replication/replicator.js';
import { renderSummary } from '../report/summary.js';
import { writeReports } from '../report/reporter.js';
import type { RunResult, StepTiming } from '../report/result.js';
import { WorkloadClient, type Account } from '../workload/client.js';
import { SeededRandom } from '../workload/random.js';
import { seedAccounts } from '../workload/seed.js';
import { observeMailboxes } from '../workload/observer.js';
import { describeStep, runStep, type StepContext } from './steps.js';
import { FaultEngine } from '../faults/engine.js';
import { healAndVerify } from './healing.js';
import type { CheckResult } from '../checkers/types.js';
import { bedImages } from '../bed/docker/bed-images.js';
import { FailoverController } from '../controller/controller.js';
import { StorageMonitor } from './storage-monitor.js';

const MESSAGE_ID_DOMAIN = 'mailha.test';

export interface RunScenarioOptions {
  scenario: Scenario;
  file: string;
  /** Base directory of run outputs; `runs` by default. */
  outDir?: string;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Receives one line per step for terminal progress. */
  onProgress?: (line: string) => void;
  /** Aborting stops the run early; the bed is still removed and the result written. */
  signal?: AbortSignal;
}

export interface ScenarioRun {
  dir: string;
  result: RunResult;
}

/** UTC timestamp usable in a path: 20261204T201108Z. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export async function runScenario(options: RunScenarioOptions): Promise<ScenarioRun> {
  const { scenario } = options;
  const seed = options.seed ?? scenario.seed;
  const progress = options.onProgress ?? (() => {});
  const started = new Date();
  const outDir = resolve(options.outDir ?? 'runs');
  const dir = join(outDir, scenario.name, stamp(started));
  await mkdir(dir, { recursive: true });

  const runId = `mailha-${stamp(started).toLowerCase()}-${randomBytes(2).toString('hex')}`;
  const log = pino({ base: { runId } }, destination({ dest: join(dir, 'mailha.log'), sync: true }));
  const history = new HistoryRecorder(join(dir, 'history.jsonl'));
  const snapshots: MailboxSnapshot[] = [];
  const steps: StepTiming[] = [];
  const timings = { imagesMs: 0, bedStartMs: 0, seedMs: 0 };
  const abort = new AbortController();
  options.signal?.addEventListener('abort', () => abort.abort(), { once: true });
  let bed: Bed | undefined;
  let faults: FaultEngine | undefined;
  let storage: StorageMonitor | undefined;
  let healing: CheckResult | undefined;
  let runError: string | undefined;

  const random = new SeededRandom(seed, 'accounts');
  const accounts: Account[] = Array.from({ length: scenario.topology.accounts }, (_, i) => ({
    login: `user${i + 1}`,
    password: `pw-${random.int(100000, 999999)}`,
  }));

  try {
    let phase = Date.now();
    progress('Building or finding images...');
    const images = await bedImages((line) => log.info(line), scenario.topology.storage);
    timings.imagesMs = Date.now() - phase;

    phase = Date.now();
    progress('Starting bed...');
    history.event({ kind: 'bed', phase: 'start', name: 'bed' });
    bed = await DockerBed.start({ scenario, runId, accounts, ...images, log, logDir: join(dir, 'nodes') });
    history.event({ kind: 'bed', phase: 'end', name: 'bed', ok: true, detail: Object.fromEntries(
      (['primary-1', 'primary-2', 'backup', 'dns'] as NodeName[]).map((node) => [node, bed!.address(node)]),
    ) });
    timings.bedStartMs = Date.now() - phase;
    storage = new StorageMonitor(bed, history, log);
    await storage.start();

    phase = Date.now();
    progress('Seeding accounts with corpus mail...');
    await seedAccounts({
      address: bed.address('primary-1'),
      node: 'primary-1',
      accounts,
      messagesPerFolder: scenario.topology.seedMessagesPerFolder,
      history,
      random: new SeededRandom(seed, 'seed'),
      runId,
      messageIdDomain: MESSAGE_ID_DOMAIN,
    });
    timings.seedMs = Date.now() - phase;

    const replicator = scenario.topology.sync.enabled
      ? new Replicator(bed, history, scenario.topology.sync.intervalSeconds * 1000, log)
      : undefined;
    replicator?.start();

    const clientIds = Array.from({ length: scenario.workload.clients }, (_, i) => `client-${i + 1}`);
    const clientsStop = new AbortController();
    const activeBed = bed;
    const clients = clientIds.map((id, i) =>
      new WorkloadClient({
        id,
        account: accounts[i % accounts.length],
        hostname: activeBed.imapHostname,
        resolver: new CachingResolver(activeBed.dnsServer),
        history,
        random: new SeededRandom(seed, id),
        index: i + 1,
        mix: scenario.workload.mix,
        thinkTimeMs: scenario.workload.thinkTimeMs,
        operationTimeoutMs: scenario.workload.operationTimeoutMs,
        nodeOf: (address) => activeBed.nodeOf(address),
        route: (address) => {
          const node = activeBed.nodeOf(address);
          // An address the bed does not own is dialled as it is; it can only fail.
          return node ? activeBed.route(id, node) : { host: address, port: 143 };
        },
        messageIdDomain: MESSAGE_ID_DOMAIN,
        runId,
      }).run(clientsStop.signal),
    );

    faults = new FaultEngine(bed, history, scenario.workload.clients, log);
    const controller =
      scenario.topology.failover.mode === 'auto'
        ? new FailoverController({ bed, history, config: scenario.topology.failover, log: log.child({ component: 'failover-controller' }) })
        : undefined;
    controller?.start();
    const context: StepContext = { bed, history, replicator, accounts, clientIds, snapshots, signal: abort.signal, faults, controller };
    try {
      for (const [index, step] of scenario.steps.entries()) {
        const description = describeStep(step);
        progress(`Step ${index + 1}/${scenario.steps.length}: ${description}`);
        const startMs = history.now();
        history.event({ kind: 'step', phase: 'start', name: step.action, detail: { index, description } });
        const outcome = await runStep(step, index, context);
        const endMs = history.now();
        history.event({ kind: 'step', phase: 'end', name: step.action, ok: outcome.ok, detail: { index, ...outcome.detail } });
        steps.push({ index: index + 1, action: step.action, description, startMs, endMs, ok: outcome.ok, detail: outcome.detail });
        if (!outcome.ok) log.warn({ step: index + 1, detail: outcome.detail }, 'Step did not complete');
      }
    } finally {
      // The controller stops first, so healing and the final observation see no DNS change of its own.
      await controller?.stop();
      clientsStop.abort();
      await Promise.all(clients);
      await replicator?.stop();
      healing = await healAndVerify(faults, history);
    }

    for (const node of ['primary-1', 'primary-2', 'backup'] as const) {
      if (!bed.isRunning(node)) continue;
      snapshots.push(await observeMailboxes({ label: 'final', node, address: bed.address(node), accounts, now: () => history.now() }));
    }
  } catch (error) {
    runError = abort.signal.aborted ? 'interrupted' : (error as Error).message;
    log.error({ err: error }, 'Run failed');
    if (faults && !healing) healing = await healAndVerify(faults, history);
  } finally {
    // The last read comes after healing and the final observation, so the history ends with the state the checks judge.
    await storage?.stop();
    await bed?.close();
    await history.close();
  }

  // A broken invoke/complete pairing is a bed bug: the history cannot be judged.
  const contractProblems = [
    ...validateHistory(history.entries),
    ...history.openOperations().map((entry) => `entry ${entry.index}: ${entry.process} never completed ${entry.f}`),
  ];
  if (!runError && contractProblems.length > 0) {
    runError = `history contract violated: ${contractProblems.slice(0, 5).join('; ')}`;
  }

  const checkers = scenario.checks ? scenario.checks.map((name) => CHECKERS[name]) : FAILOVER_CHECKERS;
  const checks = runError ? [] : runCheckers(checkers, { scenario, history: history.entries, snapshots });
  if (healing) checks.push(healing);
  const ended = new Date();
  const completions = history.entries.filter(isOperation).filter((entry) => entry.type !== 'invoke');
  const result: RunResult = {
    scenario: scenario.name,
    question: scenario.question,
    file: options.file,
    runId,
    seed,
    verdict: runError ? 'unknown' : worstVerdict(checks.map((check) => check.verdict)),
    checks,
    timings: { startedAt: started.toISOString(), endedAt: ended.toISOString(), wallMs: ended.getTime() - started.getTime(), ...timings, steps },
    operations: {
      total: completions.length,
      ok: completions.filter((entry) => entry.type === 'ok').length,
      fail: completions.filter((entry) => entry.type === 'fail').length,
      info: completions.filter((entry) => entry.type === 'info').length,
    },
    standIns: bed ? [...bed.standIns] : [],
    ...(runError ? { error: runError } : {}),
  };

  await writeFile(join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(dir, 'snapshots.json'), `${JSON.stringify(snapshots, null, 2)}\n`);
  await writeFile(join(dir, 'summary.md'), renderSummary(result));
  try {
    await writeReports(dir, { result, history: history.entries, snapshots });
  } catch (error) {
    // A broken report must not hide the verdict, which result.json already holds.
    log.error({ err: error }, 'Failed to write reports');
    progress(`Failed to write reports: ${(error as Error).message}`);
  }
  const latest = join(outDir, 'latest');
  await rm(latest, { force: true });
  await symlink(relative(outDir, dir), latest);
  log.flush?.();
  return { dir, result };
}
