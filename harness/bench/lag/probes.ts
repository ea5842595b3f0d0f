/**
 * Probe messages: appended on a primary at a fixed rate, then looked for on the backup over
 * IMAP until each can be fetched there. Every time is `performance.now()` on the host, one
 * monotonic clock, in ms since the cell's origin.
 */
import type { ImapFlow } from 'imapflow';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Account } from '../../workload/client.js';
import { composeMessage } from '../../workload/corpus.js';
import { SeededRandom } from '../../workload/random.js';
import { PROBE_FOLDER } from './config.js';
import { closeQuietly, describeImapError, highestUid, openFolder } from './imap.js';

/** One probe from APPEND to its first successful FETCH on the backup. */
export interface Probe {
  index: number;
  account: string;
  messageId: string;
  bytes: number;
  /** When the APPEND was sent and when the primary acknowledged it; null when it failed. */
  sentAt: number;
  ackAt: number | null;
  /** When a FETCH on the backup first returned the probe, and when that poll began. */
  seenAt: number | null;
  seenPollStartAt: number | null;
  /** `seenAt - ackAt`, or null when the backup never showed the probe. */
  lagMs: number | null;
  error?: string;
}

export interface Endpoint {
  host: string;
  port: number;
}

/** Milliseconds on the bench clock since `origin`. */
export function clock(origin: number): () => number {
  return () => performance.now() - origin;
}

/**
 * Appends the probes to the probe folder on the primary, probe `i` at `i / rate` seconds after the
 * start, round-robin over the accounts. Each account has one connection, so the probes of an
 * account queue up when the server is slower than the rate. `sentAt` records the real send time.
 */
export class ProbeWriter {
  readonly probes: Probe[] = [];
  private sessions: ImapFlow[] = [];

  constructor(
    private readonly primary: Endpoint,
    private readonly accounts: readonly Account[],
    private readonly tag: string,
    private readonly now: () => number,
    seed: number,
  ) {
    this.random = new SeededRandom(seed, `probes-${tag}`);
  }

  private readonly random: SeededRandom;

  async open(): Promise<void> {
    this.sessions = await Promise.all(this.accounts.map((account) => openFolder(this.primary.host, this.primary.port, account, PROBE_FOLDER)));
  }

  /** Sends the probes; `onAck` runs after each acknowledged APPEND. Resolves when every APPEND has an outcome. */
  async run(rate: number, seconds: number, onAck: (probe: Probe) => void): Promise<void> {
    const count = Math.max(1, Math.round(rate * seconds));
    const start = this.now();
    const chains = this.sessions.map(() => Promise.resolve());
    for (let index = 0; index < count; index += 1) {
      const due = start + (index * 1000) / rate;
      const wait = due - this.now();
      if (wait > 0) await sleep(wait);
      const slot = index % this.sessions.length;
      const account = this.accounts[slot];
      const messageId = `<lag.${this.tag}.${index}@mailha.test>`;
      const message = composeMessage(this.random, messageId);
      const probe: Probe = { index, account: account.login, messageId, bytes: message.raw.length, sentAt: 0, ackAt: null, seenAt: null, seenPollStartAt: null, lagMs: null };
      this.probes.push(probe);
      chains[slot] = chains[slot].then(async () => {
        probe.sentAt = this.now();
        try {
          await this.sessions[slot].append(PROBE_FOLDER, message.raw);
          probe.ackAt = this.now();
          onAck(probe);
        } catch (error) {
          probe.error = `APPEND to ${PROBE_FOLDER} of ${account.login} on ${this.primary.host}:${this.primary.port} failed: ${describeImapError(error)}`;
        }
      });
    }
    await Promise.all(chains);
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map(closeQuietly));
  }
}

/** One backup session and the UIDs it has seen: all up to `floorUid`, and `seenAbove` beyond it. */
interface WatchedSession {
  account: Account;
  imap: ImapFlow;
  floorUid: number;
  seenAbove: Set<number>;
}

/**
 * Polls the probe folder of each probe account on the backup: NOOP so the server rescans the Maildir, then
 * UID FETCH of the Message-ID of every message above the highest UID below which all were seen.
 * Polls only accounts with probes still missing, with `gapMs` between polls, so the time of a
 * sighting is known to within one poll (`pollMs` keeps each poll's duration as evidence).
 *
 * UIDs can become visible out of order: an rsync apply adds message files in name order, which
 * is not UID order, so UID 400 may be fetchable before UID 398. The watcher therefore keeps
 * fetching from the first UID it has not seen, not from the highest one.
 */
export class BackupWatcher {
  readonly pollMs: number[] = [];
  private readonly waiting = new Map<string, Probe>();
  private sessions: WatchedSession[] = [];
  private stopped = false;
  private loops: Promise<void>[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly backup: Endpoint,
    private readonly accounts: readonly Account[],
    private readonly now: () => number,
    private readonly gapMs = 5,
  ) {}

  /** Opens the sessions read-only (EXAMINE) and starts polling above the UIDs present now. */
  async start(): Promise<void> {
    this.sessions = await Promise.all(
      this.accounts.map(async (account) => {
        const imap = await openFolder(this.backup.host, this.backup.port, account, PROBE_FOLDER, true);
        return { account, imap, floorUid: await highestUid(imap), seenAbove: new Set<number>() };
      }),
    );
    this.loops = this.sessions.map((session) => this.poll(session));
  }

  /** While true, every account is polled, because a probe may reach the backup before its APPEND's reply reaches the bench. */
  writing = false;
  private readonly early = new Map<string, { seenAt: number; pollStartAt: number }>();

  /** Starts looking for a probe the primary acknowledged; a probe already sighted gets that sighting. */
  expect(probe: Probe): void {
    const id = probe.messageId.toLowerCase();
    const sighting = this.early.get(id);
    if (sighting && probe.ackAt !== null) {
      this.early.delete(id);
      this.record(probe, sighting.seenAt, sighting.pollStartAt);
      return;
    }
    this.waiting.set(id, probe);
  }

  private record(probe: Probe, seenAt: number, pollStartAt: number): void {
    probe.seenAt = seenAt;
    probe.seenPollStartAt = pollStartAt;
    // NOTE: negative when the backup showed the probe before the APPEND's reply reached the bench.
    probe.lagMs = seenAt - probe.ackAt!;
  }

  /** Probes expected but not seen yet. */
  get missing(): number {
    return this.waiting.size;
  }

  /**
   * Resolves once every expected probe was seen, after `timeoutMs`, or when `signal` aborts.
   * Rethrows a polling error.
   */
  async drain(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = this.now() + timeoutMs;
    while (this.waiting.size > 0 && this.now() < deadline && !this.failure && !signal?.aborted) await sleep(20);
    if (this.failure) throw this.failure;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    await Promise.all(this.sessions.map((session) => closeQuietly(session.imap)));
  }

  private async poll(session: WatchedSession): Promise<void> {
    const login = session.account.login;
    while (!this.stopped) {
      const pending = this.writing || [...this.waiting.values()].some((probe) => probe.account === login);
      if (!pending) {
        await sleep(this.gapMs);
        continue;
      }
      const started = this.now();
      try {
        await session.imap.noop();
        const range = `${session.floorUid + 1}:*`;
        for await (const message of session.imap.fetch(range, { uid: true, headers: ['message-id'] }, { uid: true })) {
          if (message.uid <= session.floorUid || session.seenAbove.has(message.uid)) continue;
          session.seenAbove.add(message.uid);
          const id = /^message-id:\s*(\S+)/im.exec(message.headers?.toString('latin1') ?? '')?.[1]?.toLowerCase();
          if (!id) continue;
          const probe = this.waiting.get(id);
          if (probe) {
            this.record(probe, this.now(), started);
            this.waiting.delete(id);
          } else {
            this.early.set(id, { seenAt: this.now(), pollStartAt: started });
          }
        }
      } catch (error) {
        this.failure = new Error(`Polling ${PROBE_FOLDER} of ${login} on the backup (${this.backup.host}:${this.backup.port}) failed: ${describeImapError(error)}`, { cause: error });
        return;
      }
      while (session.seenAbove.delete(session.floorUid + 1)) session.floorUid += 1;
      this.pollMs.push(this.now() - started);
      await sleep(this.gapMs);
    }
  }
}
