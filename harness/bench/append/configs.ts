/** Bed configurations the APPEND benchmark compares, parsed from names such as `drbd+10ms`. */

/** One configuration: the storage of site A's primaries and the latency added to DRBD's link. */
export interface BenchConfig {
  /** The name as given on the command line, used as the label in every output. */
  name: string;
  storage: 'shared-volume' | 'drbd';
  /** Latency added to each direction of the `storage` proxy, in milliseconds; 0 for none. */
  storageLatencyMs: number;
}

export const DEFAULT_CONFIGS = 'shared-volume,drbd,drbd+2ms,drbd+10ms';

/** Upper bound of the added latency: DRBD's ping timeout is 0.5 s, and a round trip near it would disconnect the pair. */
export const MAX_STORAGE_LATENCY_MS = 100;

/**
 * Parses a comma-separated list of `shared-volume`, `drbd` and `drbd+<N>ms`.
 *
 * @throws Error naming the first invalid or repeated entry and the accepted forms.
 */
export function parseConfigs(list: string): BenchConfig[] {
  const configs: BenchConfig[] = [];
  for (const raw of list.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (configs.some((config) => config.name === name)) throw new Error(`configuration "${name}" is listed twice`);
    configs.push(parseConfig(name));
  }
  if (configs.length === 0) throw new Error('no configuration given; expected a list such as shared-volume,drbd,drbd+10ms');
  return configs;
}

function parseConfig(name: string): BenchConfig {
  if (name === 'shared-volume') return { name, storage: 'shared-volume', storageLatencyMs: 0 };
  if (name === 'drbd') return { name, storage: 'drbd', storageLatencyMs: 0 };
  const match = /^drbd\+(\d+)ms$/.exec(name);
  if (!match) throw new Error(`invalid configuration "${name}"; expected shared-volume, drbd or drbd+<N>ms such as drbd+10ms`);
  const latency = Number(match[1]);
  if (latency < 1 || latency > MAX_STORAGE_LATENCY_MS) {
    throw new Error(`invalid configuration "${name}": the added latency must be 1 to ${MAX_STORAGE_LATENCY_MS} ms`);
  }
  return { name, storage: 'drbd', storageLatencyMs: latency };
}
