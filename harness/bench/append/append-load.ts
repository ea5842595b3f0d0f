/**
 * The APPEND workload: C imapflow connections, one account each, take corpus messages from one
 * queue and APPEND them to INBOX, each APPEND timed from send to tagged OK.
 */
import { performance } from 'node:perf_hooks';
import { ImapFlow } from 'imapflow';
import type { Account } from '../../workload/client.js';
import { composeMessage, type OutgoingMessage } from '../../workload/corpus.js';
import { SeededRandom } from '../../workload/random.js';
import type { AppendSample } from './stats.js';

export const MESSAGE_ID_DOMAIN = 'bench.mailha.test';

export interface AppendLoadOptions {
  config: string;
  host: string;
  port: number;
  /** One account per client; the number of accounts is the concurrency. */
  accounts: readonly Account[];
  /** Measured APPENDs in total, over all clients. */
  messages: number;
  /** Unmeasured APPENDs per client before the measured phase, so that caches and connections are warm. */
  warmupPerClient: number;
  /** Seed of the corpus choice; the same seed gives every configuration the same messages. */
  seed: number;
  onProgress?: (line: string) => void;
}

/** Raised when an APPEND or a login fails; names the configuration, client and message. */
export class AppendLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppendLoadError';
  }
}

/** Composes the messages in a fixed order from the corpus, before any timing starts. */
export function composeBenchMessages(count: number, seed: number, label: string): OutgoingMessage[] {
  const random = new SeededRandom(seed, 'bench-append');
  return Array.from({ length: count }, (_, index) => composeMessage(random, `<${label}-${index}@${MESSAGE_ID_DOMAIN}>`));
}

/**
 * Runs the warm-up on every client, then the measured APPENDs from a shared queue, and returns
 * every sample. Closes every connection, also on failure.
 *
 * @throws AppendLoadError on the first failed login or APPEND; the other clients stop after
 *   their current APPEND.
 */
export async function runAppendLoad(options: AppendLoadOptions): Promise<AppendSample[]> {
  const clients = options.accounts.length;
  const warmupTotal = clients * options.warmupPerClient;
  const messages = composeBenchMessages(warmupTotal + options.messages, options.seed, 'bench');
  const samples: AppendSample[] = [];
  const connections = options.accounts.map(
    (account) =>
      new ImapFlow({
        host: options.host,
        port: options.port,
        secure: false,
        auth: { user: account.login, pass: account.password },
        logger: false,
        // A slow replication link may stall an APPEND for seconds; five minutes only ends a hang.
        socketTimeout: 300_000,
      }),
  );
  let failed: AppendLoadError | undefined;

  const appendOne = async (client: number, index: number, warmup: boolean, origin: number) => {
    const message = messages[index];
    const sent = performance.now();
    try {
      await connections[client - 1].append('INBOX', message.raw);
    } catch (error) {
      const reply = (error as { responseText?: string }).responseText;
      throw new AppendLoadError(
        `APPEND of message ${index} (${message.source}) by client ${client} in configuration ${options.config} failed: ${reply ?? (error as Error).message}`,
        { cause: error },
      );
    }
    const done = performance.now();
    samples.push({ config: options.config, client, index, warmup, bytes: message.raw.length, startMs: sent - origin, latencyMs: done - sent, source: message.source });
  };

  try {
    await Promise.all(
      connections.map(async (connection, i) => {
        try {
          await connection.connect();
        } catch (error) {
          throw new AppendLoadError(`login of client ${i + 1} as ${options.accounts[i].login} at ${options.host}:${options.port} failed: ${(error as Error).message}`, { cause: error });
        }
      }),
    );

    // Warm-up start times are relative to the warm-up's own start, shifted below zero afterwards.
    const warmupOrigin = performance.now();
    await Promise.all(
      connections.map(async (_, i) => {
        for (let k = 0; k < options.warmupPerClient; k += 1) await appendOne(i + 1, i * options.warmupPerClient + k, true, warmupOrigin);
      }),
    );
    const origin = performance.now();
    for (const sample of samples) sample.startMs -= origin - warmupOrigin;
    options.onProgress?.(`${options.config}: warm-up done, appending ${options.messages} messages with ${clients} clients...`);

    let next = warmupTotal;
    await Promise.all(
      connections.map(async (_, i) => {
        while (!failed && next < messages.length) {
          const index = next;
          next += 1;
          try {
            await appendOne(i + 1, index, false, origin);
          } catch (error) {
            failed ??= error as AppendLoadError;
          }
        }
      }),
    );
    if (failed) throw failed;
  } finally {
    await Promise.all(connections.map((connection) => connection.logout().catch(() => connection.close())));
  }
  return samples.sort((a, b) => a.startMs - b.startMs);
}
