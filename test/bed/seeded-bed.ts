/**
 * Starts a container bed the way `mailha audit-readonly` does: seeds the primary with corpus
 * mail over IMAP and syncs the backup once. Removes the bed when any step fails.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { bedImages } from '../../harness/bed/docker/bed-images.js';
import { DockerBed } from '../../harness/bed/docker/docker-bed.js';
import { HistoryRecorder } from '../../harness/history/recorder.js';
import type { Scenario } from '../../harness/scenario/schema.js';
import type { Account } from '../../harness/workload/client.js';
import { SeededRandom } from '../../harness/workload/random.js';
import { seedAccounts } from '../../harness/workload/seed.js';

export const MESSAGE_ID_DOMAIN = 'mailha.test';

export interface SeededBed {
  bed: DockerBed;
  accounts: Account[];
}

/** Starts the bed of `scenario` under `runId`, seeds `accounts` on primary-1 and syncs once. */
export async function startSeededBed(scenario: Scenario, runId: string, accounts: Account[]): Promise<SeededBed> {
  const log = pino({ level: 'silent' });
  const images = await bedImages(() => {});
  const dir = await mkdtemp(join(tmpdir(), `${runId}-`));
  const bed = await DockerBed.start({ scenario, runId, accounts, ...images, log, logDir: join(dir, 'nodes') });
  try {
    await seedAccounts({
      address: bed.address('primary-1'),
      node: 'primary-1',
      accounts,
      messagesPerFolder: scenario.topology.seedMessagesPerFolder,
      history: new HistoryRecorder(),
      random: new SeededRandom(scenario.seed, 'seed'),
      runId,
      messageIdDomain: MESSAGE_ID_DOMAIN,
    });
    const sync = await bed.sync();
    if (!sync.ok) throw new Error(`first sync to the backup failed: ${sync.error}`);
    return { bed, accounts };
  } catch (error) {
    await bed.close();
    throw error;
  }
}
