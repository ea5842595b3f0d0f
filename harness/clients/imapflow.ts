/**
 * The routine of a typical imapflow-based client: log in, list, STATUS each folder, open it with
 * SELECT as mail clients do, fetch envelopes and one body, search, then try each write once.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import type { CommandKind } from '../audit/classify.js';
import { judgeStep, type ClientReport, type ClientRoutine, type ClientStep, type ClientTarget } from './routine.js';
import { ServerState } from './server-state.js';

// A tagged reply; untagged (`*`) and continuation (`+`) lines are left out.
const TAGGED_REPLY = /^[^*+\s]\S* (?:OK|NO|BAD)\b/;
// Named for the client, so a folder that another routine created on the same account is not mistaken for this one's.
const CREATED_FOLDER_SUFFIX = 'mailha-imapflow';
const KEYWORD = '$MailhaClient';

/**
 * An imapflow logger that keeps the tagged replies the server sent. imapflow resolves a
 * refused STORE, COPY or EXPUNGE with `false` and keeps the reply only in its log, so this is
 * where the routine reads the server's text from. One imapflow call can send several commands
 * (MOVE without the MOVE capability sends COPY, STORE and EXPUNGE), so every reply is kept.
 */
export class ReplyRecorder {
  /** Tagged replies since the last `clear()`, oldest first. */
  replies: string[] = [];

  clear(): void {
    this.replies = [];
  }

  debug(entry: { src?: string; msg?: string }): void {
    if (entry.src === 's' && typeof entry.msg === 'string' && TAGGED_REPLY.test(entry.msg)) this.replies.push(entry.msg);
  }

  info(): void {}
  warn(): void {}
  error(): void {}
}

interface Outcome {
  succeeded: boolean;
  /** Text added before the server reply, such as what imapflow returned. */
  note?: string;
}

function imapflowVersion(): string {
  const manifest = createRequire(import.meta.url)('imapflow/package.json') as { version: string };
  return `imapflow ${manifest.version}`;
}

function errorText(error: unknown): string {
  const fields = error as { responseText?: string; message?: string };
  return fields.responseText ?? fields.message ?? String(error);
}

/** JSON of an imapflow result, whose UIDVALIDITY and MODSEQ fields are BigInts. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => (typeof field === 'bigint' ? field.toString() : field));
}

function testMessage(): Buffer {
  const id = `<client.${randomBytes(6).toString('hex')}@mailha.test>`;
  return Buffer.from([`From: client@mailha.test`, `To: owner@mailha.test`, 'Subject: mailha client routine', `Message-ID: ${id}`, `Date: ${new Date().toUTCString()}`, '', 'Appended by the imapflow client routine.', ''].join('\r\n'));
}

/** One run: the client session that acts and the independent session that judges. */
class ImapflowRun {
  readonly steps: ClientStep[] = [];

  constructor(
    private readonly client: ImapFlow,
    private readonly replies: ReplyRecorder,
    private readonly state: ServerState,
  ) {}

  /**
   * Runs one operation and records its step. An operation that throws or resolves `false`
   * failed. `observe` re-reads the state that a write would change.
   */
  async step(kind: CommandKind, operation: string, folder: string | undefined, act: () => Promise<Outcome>, observe?: () => Promise<unknown>): Promise<ClientStep> {
    const before = observe ? await observe() : undefined;
    this.replies.clear();
    let outcome: Outcome;
    try {
      outcome = await act();
    } catch (error) {
      outcome = { succeeded: false, note: `imapflow threw: ${errorText(error)}` };
    }
    const after = observe ? await observe() : undefined;
    const reply = this.replies.replies.length ? `server replied ${this.replies.replies.map((line) => `"${line}"`).join(', ')}` : 'no tagged reply';
    const step: ClientStep = {
      kind,
      operation,
      ...(folder ? { folder } : {}),
      outcome: judgeStep(kind, outcome.succeeded, before, after),
      detail: outcome.note ? `${outcome.note}; ${reply}` : reply,
    };
    this.steps.push(step);
    return step;
  }

  /** Reads one folder as a mail client does. Returns true when SELECT succeeded and the folder has messages to write to. */
  async readFolder(folder: string): Promise<boolean> {
    await this.step('read', 'STATUS', folder, async () => {
      const status = await this.client.status(folder, { messages: true, uidNext: true, unseen: true });
      return { succeeded: true, note: `messages ${status.messages}, uidNext ${status.uidNext}` };
    });

    // A normal client opens with SELECT. imapflow does not treat [READ-ONLY] as an error: it sets mailbox.readOnly.
    let exists = 0;
    const select = await this.step('read', 'SELECT', folder, async () => {
      const mailbox = await this.client.mailboxOpen(folder);
      exists = mailbox.exists;
      return { succeeded: true, note: `mailboxOpen resolved with readOnly=${mailbox.readOnly === true}, exists ${mailbox.exists}` };
    });
    if (select.outcome !== 'read-ok') return false;

    await this.step('read', 'FETCH envelopes', folder, async () => {
      let count = 0;
      for await (const message of this.client.fetch('1:*', { uid: true, envelope: true, flags: true })) if (message.envelope) count += 1;
      return { succeeded: count === exists, note: `${count} envelopes of ${exists} messages` };
    });
    if (exists > 0) {
      await this.step('read', 'FETCH body', folder, async () => {
        const message = await this.client.fetchOne(String(exists), { source: true });
        const size = message ? message.source?.length ?? 0 : 0;
        return { succeeded: size > 0, note: `body of message ${exists}: ${size} bytes` };
      });
    }
    await this.step('read', 'SEARCH', folder, async () => {
      const found = await this.client.search({ all: true });
      return { succeeded: Array.isArray(found), note: `SEARCH ALL found ${Array.isArray(found) ? found.length : 'nothing'}` };
    });
    return exists > 0;
  }

  /** Tries each write once in a folder opened with SELECT. `other` is the COPY and MOVE destination. */
  async writeFolder(folder: string, other: string): Promise<void> {
    await this.client.mailboxOpen(folder);
    const folderState = () => this.state.folder(folder);
    const bothStates = async () => ({ [folder]: await this.state.folder(folder), [other]: await this.state.folder(other) });
    const returned = (value: unknown) => ({ succeeded: value !== false, note: `imapflow returned ${toJson(value)}` });

    for (const [operation, flag] of [['set \\Seen', '\\Seen'], ['set \\Flagged', '\\Flagged'], ['add keyword', KEYWORD]]) {
      await this.step('write', operation, folder, async () => returned(await this.client.messageFlagsAdd('1', [flag])), folderState);
    }
    await this.step('write', 'APPEND', folder, async () => returned(await this.client.append(folder, testMessage())), folderState);
    await this.step('write', 'COPY', folder, async () => returned(await this.client.messageCopy('1', other)), bothStates);
    // Without the MOVE capability (Courier 5.0.13 has none) imapflow 1.7.8 sends COPY, STORE \Deleted and
    // EXPUNGE, and sends the last two even after COPY answered NO. Here the refused EXPUNGE keeps the message.
    await this.step('write', 'MOVE', folder, async () => returned(await this.client.messageMove('1', other)), bothStates);
    await this.step('write', 'delete and EXPUNGE', folder, async () => returned(await this.client.messageDelete('1')), folderState);
    await this.client.mailboxClose().catch(() => undefined);
  }

  /** CREATE, judged by the folder list that the independent session reads. */
  async createFolder(path: string): Promise<void> {
    const listed = () => this.state.folders();
    await this.step('write', 'CREATE', path, async () => ({ succeeded: true, note: `mailboxCreate resolved ${toJson(await this.client.mailboxCreate(path))}` }), listed);
  }
}

export class ImapflowRoutine implements ClientRoutine {
  readonly name = 'imapflow';

  async run(target: ClientTarget, _workDir: string): Promise<ClientReport> {
    const replies = new ReplyRecorder();
    const client = new ImapFlow({ host: target.host, port: target.port, secure: false, doSTARTTLS: false, auth: { user: target.login, pass: target.password }, logger: replies });
    client.on('error', () => {});
    const state = await ServerState.open(target);
    const run = new ImapflowRun(client, replies, state);
    try {
      const login = await run.step('read', 'LOGIN', undefined, async () => {
        await client.connect();
        return { succeeded: true };
      });
      if (login.outcome === 'read-ok') await this.routine(run, client, target);
    } finally {
      await client.logout().catch(() => client.close());
      await state.close();
    }
    return { client: this.name, version: imapflowVersion(), account: target.login, steps: run.steps };
  }

  private async routine(run: ImapflowRun, client: ImapFlow, target: ClientTarget): Promise<void> {
    await run.step('read', 'LIST', undefined, async () => {
      const listed = (await client.list()).map((entry) => entry.path);
      const missing = target.folders.filter((folder) => !listed.includes(folder));
      return { succeeded: missing.length === 0, note: missing.length ? `LIST lacks ${missing.join(', ')}` : `${listed.length} folders listed` };
    });

    const foldersWithMessages: string[] = [];
    for (const folder of target.folders) {
      if (await run.readFolder(folder)) foldersWithMessages.push(folder);
    }

    for (const folder of foldersWithMessages) {
      const other = target.folders.find((name) => name !== folder) ?? folder;
      await run.writeFolder(folder, other);
    }

    await run.createFolder(`${target.folders[0] ?? 'INBOX'}.${CREATED_FOLDER_SUFFIX}`);
  }
}
