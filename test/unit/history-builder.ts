/**
 * Fixture builders for checker tests: histories written through the real HistoryRecorder, and
 * mailbox snapshots. A stepped clock replaces the recorder's, so entry times are exact and
 * strictly increasing in calling order. Every other rule of the recorder still applies.
 */
import { HistoryRecorder, validateHistory } from '../../harness/history/recorder.js';
import type { FolderObservation, MailboxSnapshot, MessageObservation } from '../../harness/history/snapshot.js';
import type { EventEntry, HistoryEntry, ImapReply, OperationEntry, OperationName } from '../../harness/history/types.js';
import { parseScenario } from '../../harness/scenario/load.js';
import type { Scenario } from '../../harness/scenario/schema.js';

/** Milliseconds the clock advances before each entry. */
export const STEP_MS = 10;

export const PRIMARIES = ['primary-1', 'primary-2'];

type Completion = 'ok' | 'fail' | 'info';

export interface Operation {
  invoke: OperationEntry;
  completion: OperationEntry;
}

/** A HistoryRecorder whose clock moves only when an entry is recorded or `advance` is called. */
class SteppedRecorder extends HistoryRecorder {
  clock = 0;

  override now(): number {
    this.clock += STEP_MS;
    return this.clock;
  }
}

/** Deterministic stand-in for a message's content hash. */
export function hashOf(messageId: string): string {
  return `sha256-of-${messageId}`;
}

export function messageIdOf(name: string): string {
  return `<${name}@mailha.test>`;
}

export class HistoryBuilder {
  private readonly recorder = new SteppedRecorder();

  get entries(): readonly HistoryEntry[] {
    return this.recorder.entries;
  }

  /** Time of the most recent entry. */
  get now(): number {
    return this.recorder.clock;
  }

  /** Moves the clock forward without recording anything. */
  advance(ms: number): this {
    this.recorder.clock += ms;
    return this;
  }

  /** Records an APPEND of `messageId`. On `ok` with a `uid`, the completion carries the UID and UIDVALIDITY. */
  append(
    client: string,
    node: string,
    account: string,
    folder: string,
    messageId: string,
    options: { uid?: number; uidValidity?: number; outcome?: Completion; hash?: string; reply?: ImapReply } = {},
  ): Operation {
    const outcome = options.outcome ?? 'ok';
    const invoke = this.recorder.invoke({
      process: client,
      f: 'append',
      node,
      address: addressOf(node),
      account,
      folder,
      value: { messageId, hash: options.hash ?? hashOf(messageId) },
    });
    const value = outcome === 'ok' && options.uid !== undefined ? { uid: options.uid, uidValidity: options.uidValidity ?? 1 } : undefined;
    const reply = options.reply ?? (outcome === 'ok' ? { status: 'OK' as const, text: 'APPEND Ok.' } : undefined);
    const completion = this.recorder.complete(invoke, outcome, { value, reply });
    return { invoke, completion };
  }

  /** Records an EXPUNGE of one tracked message. */
  expunge(
    client: string,
    node: string,
    account: string,
    folder: string,
    messageId: string,
    options: { outcome?: Completion; effect?: 'applied' | 'none'; reply?: ImapReply } = {},
  ): Operation {
    const outcome = options.outcome ?? 'ok';
    const invoke = this.recorder.invoke({
      process: client,
      f: 'expunge',
      node,
      address: addressOf(node),
      account,
      folder,
      value: { messageId },
    });
    const value = outcome === 'ok' ? { uid: 1, effect: options.effect ?? 'applied' } : undefined;
    const completion = this.recorder.complete(invoke, outcome, { value, reply: options.reply });
    return { invoke, completion };
  }

  connect(client: string, node: string, outcome: Completion = 'ok', account = 'user1'): Operation {
    const invoke = this.recorder.invoke({ process: client, f: 'connect', node, address: addressOf(node), account });
    const completion = this.recorder.complete(invoke, outcome, outcome === 'ok' ? { reply: { status: 'OK', text: 'LOGIN Ok.' } } : { error: 'connection failed' });
    return { invoke, completion };
  }

  /** Records a read (`fetch` or `search`) in INBOX of `user1`. */
  read(client: string, node: string, f: 'fetch' | 'search', outcome: Completion = 'ok'): Operation {
    const invoke = this.recorder.invoke({ process: client, f, node, address: addressOf(node), account: 'user1', folder: 'INBOX', value: {} });
    const completion = this.recorder.complete(
      invoke,
      outcome,
      outcome === 'ok' ? { reply: { status: 'OK', text: `${f.toUpperCase()} completed.` } } : { error: `${f} failed` },
    );
    return { invoke, completion };
  }

  /**
   * Records a write of kind `f`. `effect` is what the client saw on re-reading (STORE and EXPUNGE);
   * `value` replaces the completion value entirely, for example `{ attempted: false }`.
   */
  write(
    client: string,
    node: string,
    f: Exclude<OperationName, 'resolve' | 'connect' | 'fetch' | 'search'>,
    outcome: Completion,
    reply?: ImapReply,
    effect?: 'applied' | 'none',
    value?: Record<string, unknown>,
  ): Operation {
    const invoke = this.recorder.invoke({ process: client, f, node, address: addressOf(node), account: 'user1', folder: 'INBOX', value: {} });
    const completionValue = value ?? (effect ? { uid: 1, effect } : undefined);
    const completion = this.recorder.complete(invoke, outcome, { value: completionValue, reply });
    return { invoke, completion };
  }

  /** Records the start of a fault on `nodes`, as the runner's kill step does. */
  fault(name: string, nodes: string[]): EventEntry {
    return this.recorder.event({ kind: 'fault', phase: 'start', name, nodes });
  }

  /** Records the end of a fault on `nodes`: those nodes run again. */
  heal(name: string, nodes: string[]): EventEntry {
    return this.recorder.event({ kind: 'fault', phase: 'end', name, nodes });
  }

  /** Records one whole sync run (start and end events); returns its times. */
  sync(ok = true): { start: number; end: number; ok: boolean } {
    const start = this.syncStart();
    const end = this.syncEnd(ok);
    return { start: start.time, end: end.time, ok };
  }

  syncStart(): EventEntry {
    return this.recorder.event({ kind: 'sync', phase: 'start', name: 'rsync' });
  }

  syncEnd(ok = true): EventEntry {
    return this.recorder.event({ kind: 'sync', phase: 'end', name: 'rsync', ok, nodes: ['primary-1', 'backup'] });
  }

  /** Records an observation event and returns its time, for the snapshot taken there. */
  /** Records any event, for kinds without a helper of their own. */
  event(entry: Parameters<SteppedRecorder['event']>[0]): EventEntry {
    return this.recorder.event(entry);
  }

  observe(label: string, node: string): number {
    return this.recorder.event({ kind: 'observe', phase: 'point', name: label, nodes: [node], ok: true }).time;
  }

  /** Returns the history after checking it against the invoke/complete contract. */
  build(): HistoryEntry[] {
    const problems = validateHistory(this.recorder.entries);
    if (problems.length > 0) throw new Error(`fixture history breaks the contract: ${problems.join('; ')}`);
    const open = this.recorder.openOperations();
    if (open.length > 0) throw new Error(`fixture history leaves ${open.length} operations open`);
    return [...this.recorder.entries];
  }
}

export function addressOf(node: string): string {
  const addresses: Record<string, string> = {
    'primary-1': '10.0.0.10',
    'primary-2': '10.0.0.11',
    backup: '10.0.0.20',
  };
  return addresses[node] ?? '10.0.0.99';
}

/** Builds a MailboxSnapshot one message at a time. */
export class SnapshotBuilder {
  private readonly accounts: Record<string, Record<string, FolderObservation>> = {};
  private readonly errors: string[] = [];

  constructor(
    private readonly label: string,
    private readonly node: string,
    private readonly time: number,
  ) {}

  /** Adds an empty folder, or changes the UIDVALIDITY of an existing one. */
  folder(account: string, folder: string, uidValidity = 1): this {
    const folders = (this.accounts[account] ??= {});
    const state = (folders[folder] ??= { uidValidity, uidNext: 1, messages: [] });
    state.uidValidity = uidValidity;
    return this;
  }

  message(account: string, folder: string, message: Partial<MessageObservation> & { messageId: string; uid: number }, uidValidity = 1): this {
    this.folder(account, folder, uidValidity);
    const state = this.accounts[account][folder];
    state.messages.push({ hash: hashOf(message.messageId), flags: [], ...message });
    state.uidNext = Math.max(state.uidNext, message.uid + 1);
    return this;
  }

  /** Adds each acknowledged append exactly as its completion reported it. */
  holding(appends: readonly Operation[]): this {
    for (const { invoke, completion } of appends) {
      const messageId = String(invoke.value?.messageId);
      this.message(
        String(invoke.account),
        String(invoke.folder),
        { messageId, uid: Number(completion.value?.uid), hash: String(invoke.value?.hash) },
        Number(completion.value?.uidValidity),
      );
    }
    return this;
  }

  error(text: string): this {
    this.errors.push(text);
    return this;
  }

  build(): MailboxSnapshot {
    return {
      label: this.label,
      time: this.time,
      node: this.node,
      address: addressOf(this.node),
      accounts: structuredClone(this.accounts),
      errors: [...this.errors],
    };
  }
}

/** Builds a valid scenario with the given `expect` block, as the checkers receive it. */
export function scenarioWith(expect: Record<string, unknown> = {}): Scenario {
  return parseScenario(
    {
      name: 'unit-test',
      question: 'What does the checker decide for this history?',
      steps: [{ action: 'run', seconds: 1 }],
      expect,
    },
    'test.yaml',
  );
}
