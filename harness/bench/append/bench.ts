/**
 * The APPEND benchmark: each configuration on a bed of its own, one bed at a time, then the
 * summary, raw samples and plot of all of them.
 */
import { cpus, loadavg, release, totalmem } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import type { BenchConfig } from './configs.js';
import { writeOutputs } from './output.js';
import type { BenchSummary, ConfigResult, MachineInfo } from './results.js';
import { ConfigRunError, runConfig, type ConfigRun } from './run-config.js';
import { summarize, type AppendSample } from './stats.js';

export interface BenchOptions {
  configs: readonly BenchConfig[];
  messages: number;
  concurrency: number;
  warmupPerClient: number;
  seed: number;
  /** Directory for the outputs, with one subdirectory of bed logs per configuration. */
  outDir: string;
  /** The command line, recorded in the summary. */
  command: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Reads the machine's CPUs, memory, kernel and Docker server version. */
export async function machineInfo(): Promise<Omit<MachineInfo, 'loadAtEnd'>> {
  let docker: string;
  try {
    docker = (await execa('docker', ['version', '--format', '{{.Server.Version}}'])).stdout.trim();
  } catch (error) {
    docker = `unknown (docker version failed: ${(error as Error).message.split('\n')[0]})`;
  }
  const cpuList = cpus();
  return {
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryGiB: totalmem() / 2 ** 30,
    kernel: release(),
    node: process.versions.node,
    docker,
    loadAtStart: loadavg(),
  };
}

/** Returns whether the probe slowed by one round trip through both toxics, or undefined without toxics or probe. */
export function toxicSlowedWrites(config: BenchConfig, probe: ConfigRun['storageProbe']): boolean | undefined {
  if (config.storageLatencyMs === 0 || probe?.withToxicMs === undefined) return undefined;
  return probe.withToxicMs - probe.withoutToxicMs >= 2 * config.storageLatencyMs;
}

/**
 * Runs every configuration in order and writes the outputs. A configuration that fails is
 * recorded with its error and the next one still runs; an abort stops after the current one.
 */
export async function runAppendBench(options: BenchOptions): Promise<{ summary: BenchSummary; files: string[] }> {
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const startedAt = new Date().toISOString();
  const machine = await machineInfo();
  const results: ConfigResult[] = [];
  const samples: AppendSample[] = [];

  for (const config of options.configs) {
    if (options.signal?.aborted) break;
    try {
      const run = await runConfig({
        config,
        messages: options.messages,
        concurrency: options.concurrency,
        warmupPerClient: options.warmupPerClient,
        seed: options.seed,
        outDir: join(outDir, config.name),
        onProgress: options.onProgress,
        signal: options.signal,
      });
      samples.push(...run.samples);
      const toxicOnPath = toxicSlowedWrites(config, run.storageProbe);
      if (toxicOnPath === false) {
        options.onProgress?.(`${config.name}: warning: the storage toxics did not slow synchronous writes by ${2 * config.storageLatencyMs} ms; they may not be on DRBD's path`);
      }
      results.push({
        config,
        runId: run.runId,
        bedStartMs: run.bedStartMs,
        bootToUpToDateMs: run.drbdTimings?.upToDate,
        drbdTimings: run.drbdTimings,
        storageProbe: run.storageProbe,
        toxicOnPath,
        summary: summarize(run.samples),
      });
    } catch (error) {
      const message = options.signal?.aborted ? 'interrupted' : (error as Error).message;
      options.onProgress?.(`${config.name}: failed: ${message}`);
      results.push({ config, runId: error instanceof ConfigRunError ? error.runId : undefined, error: message });
    }
  }

  const summary: BenchSummary = {
    command: options.command,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { ...machine, loadAtEnd: loadavg() },
    messages: options.messages,
    concurrency: options.concurrency,
    warmupPerClient: options.warmupPerClient,
    seed: options.seed,
    configs: results,
  };
  const files = await writeOutputs(outDir, summary, samples);
  return { summary, files };
}
