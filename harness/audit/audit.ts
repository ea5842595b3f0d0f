/**
 * The read-only audit: runs every IMAP command a client may send against a backup, as the
 * mailbox owner, and classifies each outcome by re-reading the stored state afterwards. It needs
 * only an IMAP address, accounts and folder names, so it runs against any runtime.
 */
import { randomBytes } from 'node:crypto';
import type { StoreEntry } from '../bed/bed.js';
import { classify, judge, type Classification, type CommandKind, type ReplySummary, type Verdict } from './classify.js';
import { ImapSession, type TaggedReply } from './imap-session.js';
import { diffStore, type StoreChange } from './side-effects.js';
import { parseListName, quote, StateReader } from './state.js';
import { uidMeaningChanges, type FolderUidMaps, type UidMeaningChange } from './uid-meaning.js';

export interface AuditAccount {
  login: string;
  password: string;
}

export interface AuditOptions {
  host: string;
  port: number;
  accounts: readonly AuditAccount[];
  /** Folders to audit, parents before children (for example INBOX, INBOX.Archive, INBOX.Archive.2024). */
  folders: readonly string[];
  /** Domain of the Message-ID of appended test messages. */
  messageIdDomain?: string;
  /**
   * Lists the backup's mail store. When given, the report lists what the reading routine wrote
   * to disk (`sideEffects`); without it, `sideEffects` is null.
   */
  listStore?: () => Promise<StoreEntry[]>;
  /**
   * Adds mail on a primary and syncs the backup; it must not expunge. When given, the audit
   * reads every folder's UID-to-Message-ID map after the reading routine and again after this
   * call, and reports each UID whose meaning changed (`uidMeaning`).
   */
  nextSync?: () => Promise<void>;
}

export interface AuditRow {
  account: string;
  /**
   * `reading` for the routine a reading client runs (checked for side effects on disk), `audit`
   * for the command sweep, `escalation` for the owner's attempt to give itself write rights.
   */
  phase: 'reading' | 'audit' | 'escalation';
  command: string;
  folder: string | null;
  reply: ReplySummary;
  classification: Classification;
  evidence: { before?: unknown; after?: unknown; note?: string };
}

export interface EscalationResult {
  account: string;
  folder: string;
  rightsBefore: string;
  rightsAfter: string;
  /** The command that changed the owner's rights: SETACL, or DELETEACL when SETACL changed nothing. */
  via: 'SETACL' | 'DELETEACL' | 'none';
  append: Classification;
  /** True when APPEND was performed after the owner changed its own rights. */
  escalatable: boolean;
}

export interface AuditReport extends Verdict {
  host: string;
  rows: AuditRow[];
  escalation: EscalationResult[];
  /** Changes the reading routine made to the store, or null when the store could not be listed. */
  sideEffects: StoreChange[] | null;
  /** UIDs whose meaning changed across the next sync, or null when no sync was run. */
  uidMeaning: { folders: number; changes: UidMeaningChange[] } | null;
}

// Courier 5.0.13 rejects `user=NAME` for a login it does not know ("NO Invalid ACL identifier."), so the audit grants `anyone`.
const AUDIT_ACL_IDENTIFIER = 'anyone';
const ESCALATION_RIGHTS = '+ilrswte';

function summarize(reply: TaggedReply): ReplySummary {
  return { status: reply.status, ...(reply.code ? { code: reply.code } : {}), text: reply.text };
}

/** Builds a small message with a fresh Message-ID in `domain`, for APPEND. */
export function testMessage(domain: string): Buffer {
  const id = `<audit.${randomBytes(6).toString('hex')}@${domain}>`;
  return Buffer.from(
    [`From: audit@${domain}`, `To: owner@${domain}`, 'Subject: mailha read-only audit', `Message-ID: ${id}`, `Date: ${new Date().toUTCString()}`, '', 'Appended by the read-only audit.', ''].join('\r\n'),
  );
}

/** One account's audit: an acting session that sends the commands and a reader that checks their effect. */
class AccountAudit {
  readonly rows: AuditRow[] = [];
  readonly escalation: EscalationResult[] = [];

  constructor(
    private readonly account: AuditAccount,
    private actor: ImapSession,
    private readonly reader: StateReader,
    private readonly domain: string,
    private readonly reopen: () => Promise<ImapSession>,
  ) {}

  /** Ends the acting session with LOGOUT. */
  async logout(): Promise<void> {
    await this.actor.command('LOGOUT').catch(() => undefined);
    this.actor.close();
  }

  /** Sends one command, re-reads `state` around it when given, and records the classified row. */
  async step(
    kind: CommandKind,
    label: string,
    folder: string | null,
    send: () => Promise<TaggedReply>,
    state?: () => Promise<unknown>,
    phase: AuditRow['phase'] = 'audit',
  ): Promise<AuditRow> {
    const before = state ? await state() : undefined;
    let reply: TaggedReply;
    try {
      reply = await send();
    } catch (error) {
      reply = { status: 'BYE', text: `connection failed: ${(error as Error).message}`, untagged: [] };
    }
    const after = state ? await state() : undefined;
    let note: string | undefined;
    if (reply.status === 'BYE' && label !== 'LOGIN') {
      // A server that ends the session on a refused write would fail every later command, so
      // the audit logs in again and notes that in the row.
      this.actor.close();
      this.actor = await this.reopen();
      note = 'the server ended the session; the audit logged in again';
    }
    const row: AuditRow = {
      account: this.account.login,
      phase,
      command: label,
      folder,
      reply: summarize(reply),
      classification: classify(kind, reply, before, after),
      evidence: { ...(state ? { before, after } : {}), ...(note ? { note } : {}) },
    };
    this.rows.push(row);
    return row;
  }

  read(label: string, folder: string | null, text: string): Promise<AuditRow> {
    return this.step('read', label, folder, () => this.actor.command(text));
  }

  /**
   * Runs what a client that only reads does: list and examine every folder, select it, fetch
   * flags, headers and one whole body, and search. The audit runs it first and alone, so that
   * the store listed around it shows what reading wrote.
   */
  async readingRoutine(folders: readonly string[]): Promise<void> {
    const read = (label: string, folder: string | null, text: string) => this.step('read', label, folder, () => this.actor.command(text), undefined, 'reading');
    await read('CAPABILITY', null, 'CAPABILITY');
    await read('LIST', null, 'LIST "" "*"');
    await read('LSUB', null, 'LSUB "" "*"');
    for (const folder of folders) {
      const name = quote(folder);
      await read('STATUS', folder, `STATUS ${name} (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)`);
      await read('EXAMINE', folder, `EXAMINE ${name}`);
      await read('FETCH FLAGS ENVELOPE', folder, 'FETCH 1:* (UID FLAGS ENVELOPE)');
      const select = await read('SELECT', folder, `SELECT ${name}`);
      if (select.classification !== 'read-ok') continue;
      await read('FETCH BODY.PEEK[HEADER]', folder, 'FETCH 1:* (UID BODY.PEEK[HEADER])');
      await read('FETCH BODY[]', folder, 'FETCH 1 (BODY[])');
      await read('SEARCH', folder, 'SEARCH ALL');
      await read('CLOSE', folder, 'CLOSE');
    }
  }

  async sessionCommands(): Promise<void> {
    await this.read('CAPABILITY', null, 'CAPABILITY');
    await this.read('NAMESPACE', null, 'NAMESPACE');
    await this.read('LIST', null, 'LIST "" "*"');
    await this.read('LSUB', null, 'LSUB "" "*"');
  }

  async folderCommands(folder: string): Promise<void> {
    const name = quote(folder);
    const folderState = () => this.reader.folder(folder);
    await this.read('STATUS', folder, `STATUS ${name} (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)`);
    await this.read('EXAMINE', folder, `EXAMINE ${name}`);
    await this.read('GETACL', folder, `GETACL ${name}`);
    await this.read('MYRIGHTS', folder, `MYRIGHTS ${name}`);

    const select = await this.read('SELECT', folder, `SELECT ${name}`);
    const initial = await this.reader.folder(folder);
    const messages = 'exists' in initial ? initial.exists : 0;
    if (select.classification === 'read-ok' && messages > 0) {
      // BODY.PEEK must not set \Seen, so this read is also checked against the stored flags.
      const peek = await this.step('read', 'FETCH BODY.PEEK[]', folder, () => this.actor.command('FETCH 1 (FLAGS BODY.PEEK[])'), folderState);
      this.noteSideEffect(peek);
      await this.read('SEARCH', folder, 'SEARCH ALL');
      await this.read('NOOP', folder, 'NOOP');
      for (const flag of ['\\Seen', '\\Flagged', '$MailhaAudit', '\\Deleted']) {
        await this.step('write', `STORE +FLAGS ${flag}`, folder, () => this.actor.command(`STORE 1 +FLAGS (${flag})`), folderState);
      }
      // BODY[] sets \Seen on a writable folder (RFC 3501 6.4.5), so it is read from the last message, which no STORE touched.
      const body = await this.step('read', 'FETCH BODY[]', folder, () => this.actor.command(`FETCH ${messages} (FLAGS BODY[])`), folderState);
      this.noteSideEffect(body);
      await this.step('write', 'COPY', folder, () => this.actor.command(`COPY 1 ${name}`), folderState);
    }

    await this.step('write', 'APPEND', folder, () => this.actor.command(`APPEND ${name} ()`, testMessage(this.domain)), folderState);
    if (select.classification === 'read-ok' && messages > 0) {
      await this.step('write', 'EXPUNGE', folder, () => this.actor.command('EXPUNGE'), folderState);
      const mark = await this.actor.command('STORE 1 +FLAGS (\\Deleted)');
      const row = await this.step('write', 'CLOSE after \\Deleted', folder, () => this.actor.command('CLOSE'), folderState);
      row.evidence.note = `STORE 1 +FLAGS (\\Deleted) before CLOSE answered ${mark.status} ${mark.text}`;
    }

    await this.subscription(folder);

    const aclState = () => this.reader.acl(folder);
    await this.step('write', `SETACL ${AUDIT_ACL_IDENTIFIER} lr`, folder, () => this.actor.command(`SETACL ${name} ${AUDIT_ACL_IDENTIFIER} lr`), aclState);
    const removal = await this.step('write', `DELETEACL ${AUDIT_ACL_IDENTIFIER}`, folder, () => this.actor.command(`DELETEACL ${name} ${AUDIT_ACL_IDENTIFIER}`), aclState);
    if (!String(removal.evidence.before).includes(AUDIT_ACL_IDENTIFIER)) removal.evidence.note = `the folder had no ${AUDIT_ACL_IDENTIFIER} entry to delete, because SETACL did not store it`;

    const listState = () => this.reader.listLines();
    await this.step('write', 'CREATE', folder, () => this.actor.command(`CREATE ${quote(`${folder}.mailha-audit`)}`), listState);
  }

  /** SUBSCRIBE and UNSUBSCRIBE, ordered so that each one would change the subscription list. */
  private async subscription(folder: string): Promise<void> {
    const subscribed = (await this.reader.subscriptions()).some((line) => parseListName(line) === folder && !/\\Noselect/i.test(line));
    const state = () => this.reader.subscriptions();
    const order = subscribed ? ['UNSUBSCRIBE', 'SUBSCRIBE'] : ['SUBSCRIBE', 'UNSUBSCRIBE'];
    for (const command of order) {
      await this.step('write', command, folder, () => this.actor.command(`${command} ${quote(folder)}`), state);
    }
  }

  /** RENAME of each folder but INBOX (renamed back when performed), then DELETE, children first. */
  async structureCommands(folders: readonly string[]): Promise<void> {
    const listState = () => this.reader.listLines();
    for (const folder of folders.filter((name) => name !== 'INBOX')) {
      const target = `${folder}-audit`;
      const row = await this.step('write', 'RENAME', folder, () => this.actor.command(`RENAME ${quote(folder)} ${quote(target)}`), listState);
      if (row.classification === 'write-performed') {
        const back = await this.actor.command(`RENAME ${quote(target)} ${quote(folder)}`);
        row.evidence.note = `renamed back so later commands find the folder: ${back.status} ${back.text}`;
      }
    }
    for (const folder of [...folders].reverse()) {
      await this.step('write', 'DELETE', folder, () => this.actor.command(`DELETE ${quote(folder)}`), listState);
    }
  }

  /**
   * Tries, as the owner, to give itself write rights back, with SETACL or else DELETEACL of its own
   * entry, then appends. Courier never lets the owner lose the `a` right, so ACLs alone cannot
   * stop this.
   */
  async escalate(folder: string): Promise<void> {
    const name = quote(folder);
    const rightsBefore = await this.reader.myRights(folder);
    const aclState = () => this.reader.acl(folder);
    let via: EscalationResult['via'] = 'none';
    const setacl = await this.step('write', `SETACL owner ${ESCALATION_RIGHTS}`, folder, () => this.actor.command(`SETACL ${name} owner ${ESCALATION_RIGHTS}`), aclState, 'escalation');
    if (setacl.classification === 'write-performed') via = 'SETACL';
    else {
      const deleteacl = await this.step('write', 'DELETEACL owner', folder, () => this.actor.command(`DELETEACL ${name} owner`), aclState, 'escalation');
      if (deleteacl.classification === 'write-performed') via = 'DELETEACL';
    }
    const rightsAfter = await this.reader.myRights(folder);
    const append = await this.step('write', 'APPEND', folder, () => this.actor.command(`APPEND ${name} ()`, testMessage(this.domain)), () => this.reader.folder(folder), 'escalation');
    append.evidence.note = `MYRIGHTS before: ${rightsBefore}; after ${via}: ${rightsAfter}`;
    this.escalation.push({
      account: this.account.login,
      folder,
      rightsBefore,
      rightsAfter,
      via,
      append: append.classification,
      escalatable: via !== 'none' && append.classification === 'write-performed',
    });
  }

  /** Folders that still exist, read by the state reader. */
  remainingFolders(): Promise<string[]> {
    return this.reader.folders();
  }

  private noteSideEffect(row: AuditRow): void {
    const changed = JSON.stringify(row.evidence.before) !== JSON.stringify(row.evidence.after);
    row.evidence.note = changed ? 'side effect: the stored flags changed' : 'no stored flag changed';
  }
}

async function openActor(host: string, port: number, account: AuditAccount): Promise<ImapSession> {
  const session = await ImapSession.open(host, port);
  const login = await session.command(`LOGIN ${quote(account.login)} ${quote(account.password)}`);
  if (login.status !== 'OK') {
    session.close();
    throw new Error(`LOGIN as ${account.login} on ${host}:${port} failed after the server ended the session: ${login.status} ${login.text}`);
  }
  return session;
}

/** Opens the acting session and the state reader of each account, runs `body`, and closes both. */
async function eachAccount(options: AuditOptions, domain: string, body: (audit: AccountAudit) => Promise<void>, into: { rows: AuditRow[]; escalation: EscalationResult[] }): Promise<void> {
  for (const account of options.accounts) {
    const actor = await ImapSession.open(options.host, options.port);
    const reader = await StateReader.open(options.host, options.port, account.login, account.password);
    const audit = new AccountAudit(account, actor, reader, domain, () => openActor(options.host, options.port, account));
    try {
      const login = await audit.read('LOGIN', null, `LOGIN ${quote(account.login)} ${quote(account.password)}`);
      if (login.classification === 'read-ok') await body(audit);
    } finally {
      into.rows.push(...audit.rows);
      into.escalation.push(...audit.escalation);
      await audit.logout();
      reader.close();
    }
  }
}

async function readUidMaps(options: AuditOptions): Promise<Array<{ account: string; folder: string; map: Awaited<ReturnType<StateReader['uidMap']>> }>> {
  const maps = [];
  for (const account of options.accounts) {
    const reader = await StateReader.open(options.host, options.port, account.login, account.password);
    try {
      for (const folder of options.folders) maps.push({ account: account.login, folder, map: await reader.uidMap(folder) });
    } finally {
      reader.close();
    }
  }
  return maps;
}

/**
 * Runs the audit in four phases. First the reading routine, with the store listed around it when
 * `listStore` is given. Then the UID check across `nextSync`, when given. Then the command sweep
 * for every account and folder, and last the escalation attempt on every folder that still
 * exists. The sweep and the escalation change the backup, so run the audit only against a bed.
 */
export async function auditReadOnly(options: AuditOptions): Promise<AuditReport> {
  const collected = { rows: [] as AuditRow[], escalation: [] as EscalationResult[] };
  const domain = options.messageIdDomain ?? 'mailha.test';

  const storeBefore = options.listStore ? await options.listStore() : undefined;
  await eachAccount(options, domain, (audit) => audit.readingRoutine(options.folders), collected);
  const sideEffects = storeBefore && options.listStore ? diffStore(storeBefore, await options.listStore()) : null;

  let uidMeaning: AuditReport['uidMeaning'] = null;
  if (options.nextSync) {
    const before = await readUidMaps(options);
    await options.nextSync();
    const after = await readUidMaps(options);
    const folders: FolderUidMaps[] = before.map((entry, i) => ({ account: entry.account, folder: entry.folder, before: entry.map, after: after[i].map }));
    uidMeaning = { folders: folders.length, changes: uidMeaningChanges(folders) };
  }

  await eachAccount(
    options,
    domain,
    async (audit) => {
      await audit.sessionCommands();
      for (const folder of options.folders) await audit.folderCommands(folder);
      await audit.structureCommands(options.folders);
      const remaining = await audit.remainingFolders();
      for (const folder of options.folders.filter((name) => remaining.includes(name))) await audit.escalate(folder);
    },
    collected,
  );
  const verdict = judge(collected.rows.map((row) => row.classification));
  const uidViolations = uidMeaning?.changes.length ?? 0;
  return {
    host: options.host,
    ...verdict,
    ...(uidViolations > 0 ? { verdict: 'invalid' as const, violations: verdict.violations + uidViolations } : {}),
    rows: collected.rows,
    escalation: collected.escalation,
    sideEffects,
    uidMeaning,
  };
}
