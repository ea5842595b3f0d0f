/** Records history entries in order, checks the invoke/complete contract, and streams JSONL. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { OPERATION_COMMANDS, type EventEntry, type HistoryEntry, type OperationEntry, type OperationType } from './types.js';

/** A history that breaks the invoke/complete contract: a bug in the bed, never a test result. */
export class HistoryContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryContractError';
  }
}

type InvokeFields = Omit<OperationEntry, 'index' | 'time' | 'type'>;
type CompleteFields = Partial<Pick<OperationEntry, 'node' | 'address' | 'value' | 'reply' | 'error' | 'folder'>>;
type EventFields = Omit<EventEntry, 'index' | 'time' | 'type'>;

/**
 * Appends entries to an in-memory history and, when given a path, to a JSONL file.
 * Contract: each process has at most one open operation; a completion must match the
 * process's open invoke. Violations throw {@link HistoryContractError}.
 */
export class HistoryRecorder {
  readonly entries: HistoryEntry[] = [];
  readonly startedAt = new Date();
  private readonly origin = performance.now();
  private readonly open = new Map<string, OperationEntry>();
  private readonly stream?: WriteStream;

  constructor(path?: string) {
    if (path) {
      this.stream = createWriteStream(path, { flags: 'a' });
    }
  }

  /** Milliseconds since the recorder was created, rounded to 0.1 ms. */
  now(): number {
    return Math.round((performance.now() - this.origin) * 10) / 10;
  }

  invoke(fields: InvokeFields): OperationEntry {
    if (this.open.has(fields.process)) {
      const previous = this.open.get(fields.process)!;
      throw new HistoryContractError(
        `${fields.process} invoked ${fields.f} while ${previous.f} (entry ${previous.index}) is still open`,
      );
    }
    const entry: OperationEntry = { index: this.entries.length, time: this.now(), type: 'invoke', command: OPERATION_COMMANDS[fields.f], ...fields };
    this.open.set(fields.process, entry);
    this.append(entry);
    return entry;
  }

  complete(invoke: OperationEntry, type: Exclude<OperationType, 'invoke'>, fields: CompleteFields = {}): OperationEntry {
    const open = this.open.get(invoke.process);
    if (open !== invoke) {
      throw new HistoryContractError(
        `${invoke.process} completed ${invoke.f} (entry ${invoke.index}) without a matching open invoke`,
      );
    }
    this.open.delete(invoke.process);
    const entry: OperationEntry = {
      index: this.entries.length,
      time: this.now(),
      type,
      process: invoke.process,
      f: invoke.f,
      node: fields.node ?? invoke.node,
      address: fields.address ?? invoke.address,
      account: invoke.account,
      folder: fields.folder ?? invoke.folder,
      ...(fields.value ? { value: fields.value } : {}),
      ...(fields.reply ? { reply: fields.reply } : {}),
      ...(fields.error ? { error: fields.error } : {}),
    };
    this.append(entry);
    return entry;
  }

  event(fields: EventFields): EventEntry {
    const entry: EventEntry = { index: this.entries.length, time: this.now(), type: 'event', ...fields };
    this.append(entry);
    return entry;
  }

  /** Operations invoked and never completed; a finished run must have none. */
  openOperations(): OperationEntry[] {
    return [...this.open.values()];
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  private append(entry: HistoryEntry): void {
    this.entries.push(entry);
    this.stream?.write(`${JSON.stringify(entry)}\n`);
  }
}

/**
 * Checks a complete history (for example one read back from JSONL) against the same
 * contract the recorder enforces while writing. Returns the problems found.
 */
export function validateHistory(entries: readonly HistoryEntry[]): string[] {
  const problems: string[] = [];
  const open = new Map<string, OperationEntry>();
  for (const entry of entries) {
    if (entry.type === 'event') continue;
    const previous = open.get(entry.process);
    if (entry.type === 'invoke') {
      if (previous) problems.push(`entry ${entry.index}: ${entry.process} invoked twice in a row (open since entry ${previous.index})`);
      open.set(entry.process, entry);
    } else if (!previous) {
      problems.push(`entry ${entry.index}: ${entry.process} completed ${entry.f} without an invoke`);
    } else if (previous.f !== entry.f) {
      problems.push(`entry ${entry.index}: ${entry.process} completed ${entry.f} but invoked ${previous.f}`);
      open.delete(entry.process);
    } else {
      open.delete(entry.process);
    }
  }
  return problems;
}
