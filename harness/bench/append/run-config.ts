/**
 * One configuration of the APPEND benchmark: start a bed with the configuration's storage, add
 * the latency toxics to DRBD's link, run the APPEND load on primary-1 and remove the bed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { destination, pino } from 'pino';
import { bedImages } from '../../bed/docker/bed-images.js';
import { DockerBed } from '../../bed/docker/docker-bed.js';
import type { PairTimings } from '../../bed/drbd/drbd-pair.js';
import { STORAGE_PROXY } from '../../bed/links/links.js';
import { parseScenario } from '../../scenario/load.js';
import type { Account } from '../../workload/client.js';
import { runAppendLoad } from './append-load.js';
import type { BenchConfig } from './configs.js';
import type { AppendSample } from './stats.js';
import { probeSyncWriteMs } from './storage-probe.js';

export const RUN_ID_PREFIX = 'mailha-bench-append';
const IMAP_PORT = 143;

export interface ConfigRunOptions {
  config: BenchConfig;
  messages: number;
  concurrency: number;
  warmupPerClient: number;
  seed: number;
  /** Directory for this configuration's bed log and node logs; created when missing. */
  outDir: string;
  onProgress?: (line: string) => void;
  /** Aborting removes the bed; the run then throws after its current step. */
  signal?: AbortSignal;
}

/** Raised when a configuration's run fails; carries the bed's run id so callers can check its removal. */
export class ConfigRunError extends Error {
  constructor(
    readonly runId: string,
    cause: unknown,
  ) {
    super((cause as Error).message, { cause });
    this.name = 'ConfigRunError';
  }
}

/** Measurements of one configuration's bed: the APPEND samples, start times and the storage probe. */
export interface ConfigRun {
  config: BenchConfig;
  runId: string;
  /** From the call of `DockerBed.start` until it returned, in milliseconds. */
  bedStartMs: number;
  /** DRBD pair stages, in milliseconds from the pair's start; only for `drbd` storage. */
  drbdTimings?: Partial<PairTimings>;
  /**
   * Mean time of a synchronous 4 KiB write on primary-1, without and with the toxics, in
   * milliseconds; only for `drbd` storage. `withToxicMs` is absent when no latency was added.
   */
  storageProbe?: { withoutToxicMs: number; withToxicMs?: number };
  samples: AppendSample[];
}

/**
 * Starts the configuration's bed, measures it and removes it, also when a step fails.
 *
 * @throws ConfigRunError with the first error of any step as its cause, after the bed is removed.
 */
export async function runConfig(options: ConfigRunOptions): Promise<ConfigRun> {
  const { config } = options;
  const progress = options.onProgress ?? (() => {});
  await mkdir(options.outDir, { recursive: true });
  const runId = `${RUN_ID_PREFIX}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const log = pino({ base: { runId, config: config.name } }, destination({ dest: join(options.outDir, 'mailha.log'), sync: true }));
  const accounts: Account[] = Array.from({ length: options.concurrency }, (_, i) => ({ login: `bench${i + 1}`, password: `pw-${randomBytes(6).toString('hex')}` }));
  const scenario = parseScenario(
    {
      name: `bench-append-${config.storage}`,
      question: 'How long does an APPEND to a primary take on this storage?',
      seed: options.seed,
      topology: { accounts: options.concurrency, seedMessagesPerFolder: 0, storage: config.storage },
      workload: { clients: 1 },
      steps: [{ action: 'run', seconds: 1 }],
    },
    `(bench append ${config.name})`,
  );

  let bed: DockerBed | undefined;
  const onAbort = () => void bed?.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    progress(`${config.name}: building or finding images...`);
    const images = await bedImages((line) => log.info(line), config.storage);
    options.signal?.throwIfAborted();

    progress(`${config.name}: starting bed ${runId}...`);
    const started = performance.now();
    bed = await DockerBed.start({ scenario, runId, accounts, ...images, log, logDir: join(options.outDir, 'nodes') });
    const bedStartMs = performance.now() - started;
    options.signal?.throwIfAborted();

    const pair = bed.drbdPair;
    let storageProbe: ConfigRun['storageProbe'];
    if (pair) storageProbe = { withoutToxicMs: await probeSyncWriteMs(pair.nodes['primary-1']) };
    if (config.storageLatencyMs > 0) {
      progress(`${config.name}: adding ${config.storageLatencyMs} ms of latency to each direction of the storage link...`);
      for (const stream of ['upstream', 'downstream'] as const) {
        await bed.links.addToxic(STORAGE_PROXY, {
          name: `bench-latency-${stream}`,
          type: 'latency',
          stream,
          toxicity: 1,
          attributes: { latency: config.storageLatencyMs, jitter: 0 },
        });
      }
      if (pair && storageProbe) storageProbe.withToxicMs = await probeSyncWriteMs(pair.nodes['primary-1']);
    }
    options.signal?.throwIfAborted();

    const samples = await runAppendLoad({
      config: config.name,
      host: bed.address('primary-1'),
      port: IMAP_PORT,
      accounts,
      messages: options.messages,
      warmupPerClient: options.warmupPerClient,
      seed: options.seed,
      onProgress: progress,
    });
    log.info({ samples: samples.length }, 'Finished APPEND load');
    return { config, runId, bedStartMs, drbdTimings: pair ? { ...pair.timings } : undefined, storageProbe, samples };
  } catch (error) {
    log.error({ err: error }, 'Failed to run configuration');
    throw new ConfigRunError(runId, error);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    progress(`${config.name}: removing bed ${runId}...`);
    await bed?.close();
    log.flush?.();
  }
}
