/**
 * A Docker bed started the way a scenario run starts one, with corpus mail seeded on the primary
 * and synced once to the backup, ready for checks that only read the backup's state.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { destination, pino } from 'pino';
import { HistoryRecorder } from '../history/recorder.js';
import { parseScenario } from '../scenario/load.js';
import type { ReadOnlyMode } from '../scenario/schema.js';
import type { Account } from '../workload/client.js';
import { SeededRandom } from '../workload/random.js';
import { seedAccounts } from '../workload/seed.js';
import { bedImages } from './docker/bed-images.js';
import { DockerBed } from './docker/docker-bed.js';

export const SEEDED_BED_MESSAGE_ID_DOMAIN = 'mailha.test';
const SEED = 1;

export interface SeededBedOptions {
  readOnly: ReadOnlyMode;
  /** Number of accounts created and seeded. */
  accounts: number;
  /** Prefix of the run id, which becomes the `mailha.run` label of every container and network. */
  runIdPrefix: string;
  /** Scenario name and question, as they appear in the bed's log. */
  name: string;
  question: string;
  /** Directory that receives mailha.log, history.jsonl and the bed's logs; created when missing. */
  outDir: string;
  onProgress?: (line: string) => void;
  /** Aborting removes the bed; a start still under way throws after the current step. */
  signal?: AbortSignal;
}

/** A started, seeded and synced bed. `close()` removes the bed and may be called more than once. */
export interface SeededBed {
  bed: DockerBed;
  runId: string;
  accounts: Account[];
  close(): Promise<void>;
}

/**
 * Starts a bed, seeds its accounts on primary-1 and syncs the backup once. Removes the bed and
 * rethrows when any step fails, so a caller only owns a bed that this function returned.
 */
export async function startSeededBed(options: SeededBedOptions): Promise<SeededBed> {
  const progress = options.onProgress ?? (() => {});
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const runId = `${options.runIdPrefix}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const log = pino({ base: { runId } }, destination({ dest: join(outDir, 'mailha.log'), sync: true }));
  const history = new HistoryRecorder(join(outDir, 'history.jsonl'));
  const scenario = parseScenario(
    {
      name: options.name,
      question: options.question,
      seed: SEED,
      topology: { accounts: options.accounts, seedMessagesPerFolder: 3, backup: { readOnly: options.readOnly } },
      workload: { clients: 1 },
      steps: [{ action: 'run', seconds: 1 }],
    },
    `(${options.name})`,
  );
  const random = new SeededRandom(SEED, 'accounts');
  const accounts: Account[] = Array.from({ length: options.accounts }, (_, i) => ({ login: `user${i + 1}`, password: `pw-${random.int(100000, 999999)}` }));

  let bed: DockerBed | undefined;
  const onAbort = () => void bed?.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const close = async () => {
    options.signal?.removeEventListener('abort', onAbort);
    await bed?.close();
    await history.close();
    log.flush?.();
  };

  try {
    progress('Building or finding images...');
    const images = await bedImages((line) => log.info(line));
    progress('Starting bed...');
    bed = await DockerBed.start({ scenario, runId, accounts, ...images, log, logDir: join(outDir, 'nodes') });
    options.signal?.throwIfAborted();
    progress('Seeding accounts with corpus mail...');
    await seedAccounts({
      address: bed.address('primary-1'),
      node: 'primary-1',
      accounts,
      messagesPerFolder: scenario.topology.seedMessagesPerFolder,
      history,
      random: new SeededRandom(SEED, 'seed'),
      runId,
      messageIdDomain: SEEDED_BED_MESSAGE_ID_DOMAIN,
    });
    progress('Syncing the backup...');
    const sync = await bed.sync();
    if (!sync.ok) throw new Error(`sync to the backup failed: ${sync.error}`);
    options.signal?.throwIfAborted();
  } catch (error) {
    await close();
    throw error;
  }
  return { bed, runId, accounts, close };
}
