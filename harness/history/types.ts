/**
 * The history of a run: every client operation as invoke, then ok, fail or info, and every
 * fault, DNS change, sync and observation as an event, all on one millisecond clock.
 * Nothing in here knows how nodes are run.
 */

/** `info` means the outcome is unknown (the connection dropped or timed out before the reply). */
export type OperationType = 'invoke' | 'ok' | 'fail' | 'info';

export type OperationName =
  | 'resolve'
  | 'connect'
  | 'append'
  | 'fetch'
  | 'search'
  | 'store'
  | 'expunge'
  | 'create';

/** The IMAP commands each operation sends, in order, as the history reports them. */
export const OPERATION_COMMANDS: Readonly<Record<OperationName, string>> = {
  resolve: 'DNS A query',
  connect: 'LOGIN',
  append: 'APPEND',
  fetch: 'SELECT, FETCH',
  search: 'SELECT, UID SEARCH',
  store: 'SELECT, FETCH, UID STORE, UID FETCH',
  expunge: 'SELECT, UID SEARCH, UID STORE +FLAGS (\\Deleted), UID EXPUNGE, UID SEARCH',
  create: 'CREATE',
};

/** Operations that change server state; every other operation is a read. */
export const WRITE_OPERATIONS: ReadonlySet<OperationName> = new Set(['append', 'store', 'expunge', 'create']);

/** The tagged reply of the IMAP command that decided an operation's outcome. */
export interface ImapReply {
  status: 'OK' | 'NO' | 'BAD' | 'BYE' | 'NONE';
  code?: string;
  text?: string;
}

export interface OperationEntry {
  index: number;
  /** Milliseconds since the run started, from a monotonic clock. */
  time: number;
  type: OperationType;
  /** Client id, for example `client-2`, or `seed` for the bed's own initial appends. */
  process: string;
  f: OperationName;
  /** The IMAP commands behind `f` (see {@link OPERATION_COMMANDS}); set on invoke. */
  command?: string;
  /** Topology node name of the server, when known. */
  node: string | null;
  /** Server address the operation went to. */
  address: string | null;
  account?: string;
  folder?: string;
  /** Operation input on invoke; observed result on completion. */
  value?: Record<string, unknown>;
  reply?: ImapReply;
  error?: string;
}

export type EventKind =
  | 'step'
  | 'fault'
  | 'dns-update'
  | 'sync'
  | 'observe'
  | 'bed'
  /** The failover controller: its start and stop, and each change of a node's probe state. */
  | 'controller'
  /** A read-only audit of the backup, with its verdict and outcome table in `detail`. */
  | 'audit'
  /** A change of a primary's replicated storage state (DRBD cs, ro, ds), with the new state in `detail`. */
  | 'storage';

export interface EventEntry {
  index: number;
  time: number;
  type: 'event';
  kind: EventKind;
  /** `start`/`end` for things with a duration, `point` for instants. */
  phase: 'start' | 'end' | 'point';
  /** Fault, step or sync name. */
  name: string;
  nodes?: string[];
  ok?: boolean;
  detail?: Record<string, unknown>;
}

export type HistoryEntry = OperationEntry | EventEntry;

export function isOperation(entry: HistoryEntry): entry is OperationEntry {
  return entry.type !== 'event';
}

export function isEvent(entry: HistoryEntry): entry is EventEntry {
  return entry.type === 'event';
}
