/** The benchmark's results: the per-configuration outcome and the summary written as JSON. */
import type { PairTimings } from '../../bed/drbd/drbd-pair.js';
import type { BenchConfig } from './configs.js';
import type { LatencySummary } from './stats.js';

/** The machine a benchmark ran on, as the results page names it. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  /** Docker server version, or the error text when `docker version` failed. */
  docker: string;
  /** 1, 5 and 15 minute load averages when the benchmark started and finished. */
  loadAtStart: number[];
  loadAtEnd: number[];
}

/** The outcome of one configuration: a summary, or the error that stopped it. */
export interface ConfigResult {
  config: BenchConfig;
  /** The bed's run id (the `mailha.run` label of its containers); absent when it failed before choosing one. */
  runId?: string;
  /** From the call of `DockerBed.start` until it returned. */
  bedStartMs?: number;
  /** For `drbd`: from the start of the DRBD pair until both disks were UpToDate after the initial sync. */
  bootToUpToDateMs?: number;
  drbdTimings?: Partial<PairTimings>;
  storageProbe?: { withoutToxicMs: number; withToxicMs?: number };
  /**
   * For a configuration with added latency: whether the probe's synchronous write slowed by at
   * least one round trip through both toxics (twice the added latency), which shows that the
   * toxics sit on DRBD's replication path.
   */
  toxicOnPath?: boolean;
  summary?: LatencySummary;
  error?: string;
}

export interface BenchSummary {
  /** The command line as typed, for the results page. */
  command: string;
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  messages: number;
  concurrency: number;
  warmupPerClient: number;
  seed: number;
  configs: ConfigResult[];
}
