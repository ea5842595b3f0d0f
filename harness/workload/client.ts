/**
 * A workload client: one imapflow session that finds its server through DNS the way a real
 * client does, appends real mail, reads, searches and sets flags, and records every operation.
 */
import { ImapFlow } from 'imapflow';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HistoryRecorder } from '../history/recorder.js';
import type { ImapReply, OperationEntry, OperationName } from '../history/types.js';
import type { CachingResolver } from '../dns/caching-resolver.js';
import { composeMessage } from './corpus.js';
import { ReplyCapture } from './reply-capture.js';
import type { SeededRandom } from './random.js';

/** The folders every account has: INBOX, Sent and an archive folder two levels deep. */
export const ACCOUNT_FOLDERS = ['INBOX', 'INBOX.Sent', 'INBOX.Archive', 'INBOX.Archive.2024'] as const;
const WORK_FOLDERS = ['INBOX', 'INBOX.Sent', 'INBOX.Archive.2024'] as const;
const STORE_FLAGS = ['\\Flagged', '\\Seen', '\\Answered', '$MailhaLabel'] as const;
const CONNECTION_CODES = new Set(['NoConnection', 'EConnectionClosed', 'StateLogout', 'ETIMEOUT', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'EHOSTUNREACH', 'ETIMEDOUT', 'GREETING_TIMEOUT']);

export type WorkloadMix = Record<Exclude<OperationName, 'resolve' | 'connect'>, number>;

export interface Account {
  login: string;
  password: string;
}

export interface WorkloadClientOptions {
  id: string;
  account: Account;
  /** DNS name clients resolve, for example `imap.mailha.test`. */
  hostname: string;
  resolver: CachingResolver;
  history: HistoryRecorder;
  random: SeededRandom;
  /** 1-based client number; decides which address of a multi-homed answer the client tries first. */
  index: number;
  mix: WorkloadMix;
  thinkTimeMs: number;
  operationTimeoutMs: number;
  /** Maps a server address to its topology node name. */
  nodeOf: (address: string) => string | null;
  /** Address and port to dial for a server address: this client's own proxy for that node. */
  route: (address: string) => { host: string; port: number };
  /** Prefix for Message-IDs, unique per run. */
  messageIdDomain: string;
  runId: string;
}

interface OwnMessage {
  messageId: string;
  folder: string;
  expunged: boolean;
}

class OperationTimeout extends Error {
  readonly code = 'ETIMEOUT';
  constructor(f: string, ms: number) {
    super(`${f} timed out after ${ms} ms`);
  }
}

interface Session {
  imap: ImapFlow;
  address: string;
  node: string | null;
  capture: ReplyCapture;
  alive: boolean;
}

/** Outcome of one operation body: what to record on completion. */
interface Completion {
  type: 'ok' | 'fail';
  value?: Record<string, unknown>;
  reply?: ImapReply;
  error?: string;
}

export class WorkloadClient {
  private session: Session | undefined;
  private readonly own: OwnMessage[] = [];
  private sequence = 0;

  constructor(private readonly options: WorkloadClientOptions) {}

  /** Runs operations until `signal` aborts, then logs out. Never throws for server failures. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!this.session?.alive) {
        await this.connect();
        if (!this.session?.alive) {
          await sleep(500);
          continue;
        }
      }
      const kind = this.options.random.weighted(this.options.mix);
      await this.perform(kind);
      if (this.options.thinkTimeMs > 0) await sleep(this.options.thinkTimeMs);
    }
    await this.disconnect();
  }

  private async connect(): Promise<void> {
    const { history, resolver, hostname, id, account } = this.options;
    let addresses: string[];
    const resolveInvoke = history.invoke({ process: id, f: 'resolve', node: null, address: resolver.server, value: { name: hostname } });
    try {
      const answer = await resolver.resolve(hostname);
      addresses = answer.addresses;
      history.complete(resolveInvoke, 'ok', { value: { addresses, ttlSeconds: answer.ttlSeconds, cached: answer.cached } });
    } catch (error) {
      history.complete(resolveInvoke, 'fail', { error: describe(error) });
      return;
    }

    // Clients spread over a multi-homed answer by their number (client-1 starts with the lowest
    // address, client-2 with the next), so every node has clients whatever order DNS returns.
    const sorted = [...addresses].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const start = (this.options.index - 1) % sorted.length;
    const ordered = [...sorted.slice(start), ...sorted.slice(0, start)];
    for (const address of ordered) {
      const node = this.options.nodeOf(address);
      const invoke = history.invoke({ process: id, f: 'connect', node, address, account: account.login });
      const capture = new ReplyCapture();
      const route = this.options.route(address);
      const imap = new ImapFlow({
        host: route.host,
        port: route.port,
        secure: false,
        doSTARTTLS: false,
        auth: { user: account.login, pass: account.password },
        logger: capture.logger as never,
        connectionTimeout: 3000,
        greetingTimeout: 3000,
        socketTimeout: this.options.operationTimeoutMs + 2000,
        disableAutoIdle: true,
      });
      const session: Session = { imap, address, node, capture, alive: false };
      imap.on('error', () => {
        session.alive = false;
      });
      imap.on('close', () => {
        session.alive = false;
      });
      try {
        await withTimeout(imap.connect(), this.options.operationTimeoutMs, 'connect');
        session.alive = true;
        this.session = session;
        history.complete(invoke, 'ok', { reply: capture.last });
        return;
      } catch (error) {
        imap.close();
        history.complete(invoke, 'fail', { reply: capture.last, error: describe(error) });
      }
    }
  }

  private async disconnect(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session?.alive) return;
    try {
      await withTimeout(session.imap.logout(), 2000, 'logout');
    } catch {
      session.imap.close();
    }
  }

  /** Records one operation: invoke, run its body under the timeout, then ok, fail or info. */
  private async perform(kind: keyof WorkloadMix): Promise<void> {
    const session = this.session!;
    const plan = this.plan(kind);
    if (!plan) return;

    const invoke: OperationEntry = this.options.history.invoke({
      process: this.options.id,
      f: kind,
      node: session.node,
      address: session.address,
      account: this.options.account.login,
      folder: plan.folder,
      value: plan.input,
    });
    session.capture.reset();
    try {
      const completion = await withTimeout(plan.body(session), this.options.operationTimeoutMs, kind);
      this.options.history.complete(invoke, completion.type, {
        value: completion.value,
        reply: completion.reply ?? session.capture.last,
        error: completion.error,
      });
    } catch (error) {
      const connectionLost = isConnectionError(error) || !session.alive;
      const reply = (error as { responseStatus?: string }).responseStatus ? replyFromError(error) : session.capture.last;
      if (connectionLost) {
        session.alive = false;
        session.imap.close();
        this.options.history.complete(invoke, 'info', { reply, error: describe(error) });
      } else {
        this.options.history.complete(invoke, 'fail', { reply, error: describe(error) });
      }
    }
  }

  /** Chooses an operation's folder and inputs; returns undefined when there is nothing to act on. */
  private plan(kind: keyof WorkloadMix):
    | { folder: string; input: Record<string, unknown>; body: (session: Session) => Promise<Completion> }
    | undefined {
    const random = this.options.random;
    switch (kind) {
      case 'append': {
        const folder = random.pick(WORK_FOLDERS);
        this.sequence += 1;
        const messageId = `<${this.options.runId}.${this.options.id}.${this.sequence}@${this.options.messageIdDomain}>`;
        const message = composeMessage(random, messageId);
        const input = { messageId, hash: message.hash, corpusEntry: message.source, bytes: message.raw.length };
        return { folder, input, body: (session) => this.append(session, folder, message.raw, messageId) };
      }
      case 'fetch': {
        const folder = random.pick(ACCOUNT_FOLDERS);
        return { folder, input: {}, body: (session) => this.fetchRecent(session, folder) };
      }
      case 'search': {
        const target = this.pickOwn(random);
        if (!target) return undefined;
        return { folder: target.folder, input: { messageId: target.messageId }, body: (session) => this.search(session, target) };
      }
      case 'store': {
        const folder = random.pick(WORK_FOLDERS);
        const flag = random.pick(STORE_FLAGS);
        const pick = random.int(0, 1_000_000);
        return { folder, input: { flag }, body: (session) => this.store(session, folder, flag, pick) };
      }
      case 'expunge': {
        const target = this.pickOwn(random);
        if (!target) return undefined;
        return { folder: target.folder, input: { messageId: target.messageId }, body: (session) => this.expunge(session, target) };
      }
      case 'create': {
        this.sequence += 1;
        const folder = `INBOX.Scratch-${this.options.id}-${this.sequence}`;
        return { folder, input: {}, body: (session) => this.create(session, folder) };
      }
    }
  }

  private pickOwn(random: SeededRandom): OwnMessage | undefined {
    const candidates = this.own.filter((message) => !message.expunged);
    return candidates.length > 0 ? random.pick(candidates) : undefined;
  }

  private async append(session: Session, folder: string, raw: Buffer, messageId: string): Promise<Completion> {
    const result = await session.imap.append(folder, raw);
    if (!result) return { type: 'fail', error: 'APPEND returned no result' };
    this.own.push({ messageId, folder, expunged: false });
    return { type: 'ok', value: { uid: result.uid ?? null, uidValidity: toNumber(result.uidValidity) } };
  }

  private async fetchRecent(session: Session, folder: string): Promise<Completion> {
    const lock = await session.imap.getMailboxLock(folder);
    try {
      const mailbox = session.imap.mailbox;
      const exists = mailbox ? mailbox.exists : 0;
      const uids: number[] = [];
      if (exists > 0) {
        for await (const message of session.imap.fetch(`${Math.max(1, exists - 4)}:*`, { uid: true, flags: true, envelope: true })) {
          uids.push(message.uid);
        }
      }
      const uidValidity = mailbox ? toNumber(mailbox.uidValidity) : null;
      return { type: 'ok', value: { exists, uids, uidValidity, readOnly: mailbox ? mailbox.readOnly === true : null } };
    } finally {
      lock.release();
    }
  }

  private async search(session: Session, target: OwnMessage): Promise<Completion> {
    const lock = await session.imap.getMailboxLock(target.folder);
    try {
      const uids = await session.imap.search({ header: { 'message-id': target.messageId } }, { uid: true });
      if (uids === false) return failedByReply(session, 'SEARCH');
      const mailbox = session.imap.mailbox;
      return { type: 'ok', value: { uids, uidValidity: mailbox ? toNumber(mailbox.uidValidity) : null } };
    } finally {
      lock.release();
    }
  }

  private async store(session: Session, folder: string, flag: string, pick: number): Promise<Completion> {
    const lock = await session.imap.getMailboxLock(folder);
    try {
      const exists = session.imap.mailbox ? session.imap.mailbox.exists : 0;
      if (exists === 0) return { type: 'fail', value: { attempted: false }, error: `no message in ${folder} to store a flag on` };
      const seq = (pick % exists) + 1;
      const before = await session.imap.fetchOne(String(seq), { uid: true, flags: true });
      if (!before) return failedByReply(session, 'FETCH');
      const adding = !before.flags?.has(flag);
      session.capture.reset();
      const stored = adding
        ? await session.imap.messageFlagsAdd(String(before.uid), [flag], { uid: true })
        : await session.imap.messageFlagsRemove(String(before.uid), [flag], { uid: true });
      const reply = session.capture.last;
      if (!stored) return failedByReply(session, 'STORE');
      const after = await session.imap.fetchOne(String(before.uid), { uid: true, flags: true }, { uid: true });
      if (!after) return failedByReply(session, 'FETCH');
      const applied = after.flags?.has(flag) === adding;
      return { type: 'ok', reply, value: { uid: before.uid, operation: adding ? 'add' : 'remove', effect: applied ? 'applied' : 'none' } };
    } finally {
      lock.release();
    }
  }

  private async expunge(session: Session, target: OwnMessage): Promise<Completion> {
    const lock = await session.imap.getMailboxLock(target.folder);
    try {
      const found = await session.imap.search({ header: { 'message-id': target.messageId } }, { uid: true });
      if (found === false) return failedByReply(session, 'SEARCH');
      if (found.length === 0) return { type: 'fail', value: { attempted: false }, error: `${target.messageId} not found in ${target.folder}` };
      const uid = found[0];
      session.capture.reset();
      const deleted = await session.imap.messageDelete(String(uid), { uid: true });
      const reply = session.capture.last;
      if (!deleted) return failedByReply(session, 'EXPUNGE');
      const remaining = await session.imap.search({ uid: String(uid) }, { uid: true });
      const applied = Array.isArray(remaining) && remaining.length === 0;
      if (applied) target.expunged = true;
      return { type: 'ok', reply, value: { uid, effect: applied ? 'applied' : 'none' } };
    } finally {
      lock.release();
    }
  }

  private async create(session: Session, folder: string): Promise<Completion> {
    const result = await session.imap.mailboxCreate(folder);
    return { type: 'ok', value: { created: result.created } };
  }
}

function failedByReply(session: Session, command: string): Completion {
  const reply = session.capture.last;
  if (!session.alive) throw Object.assign(new Error(`${command} failed: connection closed`), { code: 'NoConnection' });
  return { type: 'fail', reply, error: `${command} failed${reply ? `: ${reply.status} ${reply.text ?? ''}`.trimEnd() : ''}` };
}

function replyFromError(error: unknown): ImapReply {
  const { responseStatus, serverResponseCode, responseText } = error as {
    responseStatus?: string;
    serverResponseCode?: string;
    responseText?: string;
  };
  return {
    status: (responseStatus as ImapReply['status']) ?? 'NONE',
    ...(serverResponseCode ? { code: serverResponseCode } : {}),
    ...(responseText ? { text: responseText } : {}),
  };
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return error instanceof OperationTimeout || (code !== undefined && CONNECTION_CODES.has(code));
}

function describe(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ? `${code}: ${message}` : String(message ?? error);
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OperationTimeout(what, ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
