/** The bed a lag bench runs on: the container bed with no clients' workload and a writable backup. */
import type { Logger } from 'pino';
import type { Bed, NodeShell } from '../../bed/bed.js';
import { bedImages } from '../../bed/docker/bed-images.js';
import { DockerBed } from '../../bed/docker/docker-bed.js';
import { scenarioSchema } from '../../scenario/schema.js';
import type { Account } from '../../workload/client.js';
import { SeededRandom } from '../../workload/random.js';
import { ACCOUNTS } from './config.js';

/**
 * The topology as the bed builds it for scenarios, with two differences: the bench's strategies
 * replicate in place of the scenario runner's sync loop, and the backup is writable (`readOnly:
 * none`), because the IMAP copier appends to it. The ACL pass that follows each sync in the
 * failover design is therefore left out of every strategy's time.
 */
const BENCH_SCENARIO = scenarioSchema.parse({
  name: 'lag-bench',
  question: 'How far behind the primaries is the backup, and why?',
  topology: { accounts: ACCOUNTS, seedMessagesPerFolder: 0, sync: { enabled: false }, backup: { readOnly: 'none' } },
  // One client gives the bed a proxy from the host to primary-1, which the IMAP copier reads through.
  workload: { clients: 1 },
  steps: [{ action: 'run', seconds: 1 }],
});

/** Creates the bench's accounts, `user1` to `user10`, with passwords drawn from the seed. */
export function benchAccounts(seed: number): Account[] {
  const random = new SeededRandom(seed, 'accounts');
  return Array.from({ length: ACCOUNTS }, (_, i) => ({ login: `user${i + 1}`, password: `pw-${random.int(100000, 999999)}` }));
}

/** Creates the Courier administrator the IMAP copier logs in as, `replicator`, with a password drawn from the seed. */
export function benchAdmin(seed: number): Account {
  const random = new SeededRandom(seed, 'admin');
  return { login: 'replicator', password: `pw-${random.int(100000, 999999)}` };
}

/** Starts the bench bed with `accounts` and `admin` as a Courier administrator on the primaries and the backup. */
export async function startBenchBed(runId: string, accounts: readonly Account[], admin: Account, log: Logger, logDir: string): Promise<Bed & NodeShell> {
  const images = await bedImages((line) => log.info(line));
  return DockerBed.start({ scenario: BENCH_SCENARIO, runId, accounts, adminAccounts: [admin], ...images, log, logDir });
}
