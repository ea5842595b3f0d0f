/**
 * Re-reads mailbox state through its own IMAP session, so the audit judges a command by what
 * the server stored, not by what it replied to the session that sent the command.
 */
import { ImapSession, type TaggedReply } from './imap-session.js';

export interface FolderState {
  exists: number;
  uidNext: number | null;
  /** Flags of each message by UID, sorted. */
  flags: Record<string, string[]>;
}

/** Extracts the mailbox name from an untagged LIST or LSUB line. */
export function parseListName(line: string): string | undefined {
  const match = /^\* (?:LIST|LSUB) \([^)]*\) (?:"[^"]*"|NIL) (.+)$/.exec(line);
  if (!match) return undefined;
  const name = match[1].trim();
  return name.startsWith('"') ? name.slice(1, -1).replace(/\\(.)/g, '$1') : name;
}

/** Quotes a mailbox name or string as an IMAP quoted string. */
export function quote(value: string): string {
  return `"${value.replace(/([\\"])/g, '\\$1')}"`;
}

export function parseFetchFlags(lines: readonly string[]): Record<string, string[]> {
  const flags: Record<string, string[]> = {};
  for (const line of lines) {
    if (!/^\* \d+ FETCH /.test(line)) continue;
    const uid = /UID (\d+)/.exec(line)?.[1];
    const list = /FLAGS \(([^)]*)\)/.exec(line)?.[1];
    if (uid === undefined || list === undefined) continue;
    flags[uid] = list.split(' ').filter(Boolean).sort();
  }
  return flags;
}

/** A folder's UIDVALIDITY and the Message-ID each UID names. */
export interface UidMap {
  uidValidity: number | null;
  messageIds: Record<string, string>;
}

/** Reads `UID n` and the Message-ID header from FETCH lines of `UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]`. */
export function parseMessageIds(lines: readonly string[]): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const line of lines) {
    if (!/^\* \d+ FETCH /.test(line)) continue;
    const uid = /UID (\d+)/.exec(line)?.[1];
    const id = /Message-ID:\s*(<[^>\r\n]+>)/i.exec(line)?.[1];
    if (uid !== undefined) ids[uid] = id ?? '(no Message-ID)';
  }
  return ids;
}

export class StateReader {
  private constructor(private readonly session: ImapSession) {}

  static async open(host: string, port: number, login: string, password: string): Promise<StateReader> {
    const session = await ImapSession.open(host, port);
    const reply = await session.command(`LOGIN ${quote(login)} ${quote(password)}`);
    if (reply.status !== 'OK') {
      session.close();
      throw new Error(`state reader LOGIN as ${login} failed: ${reply.status} ${reply.text}`);
    }
    return new StateReader(session);
  }

  /** Message count, UIDNEXT and flags of a folder, read with EXAMINE so the read sets no flag. */
  async folder(name: string): Promise<FolderState | { error: string }> {
    const examine = await this.session.command(`EXAMINE ${quote(name)}`);
    if (examine.status !== 'OK') return { error: `EXAMINE ${examine.status} ${examine.text}` };
    const exists = Number(examine.untagged.map((line) => /^\* (\d+) EXISTS/.exec(line)?.[1]).find(Boolean) ?? 0);
    const uidNextText = examine.untagged.map((line) => /\[UIDNEXT (\d+)\]/.exec(line)?.[1]).find(Boolean);
    const fetch: TaggedReply | undefined = exists > 0 ? await this.session.command('FETCH 1:* (UID FLAGS)') : undefined;
    await this.session.command('CLOSE');
    return { exists, uidNext: uidNextText ? Number(uidNextText) : null, flags: fetch ? parseFetchFlags(fetch.untagged) : {} };
  }

  /** UIDVALIDITY and the Message-ID of every UID, read with EXAMINE so the read sets no flag. */
  async uidMap(name: string): Promise<UidMap | { error: string }> {
    const examine = await this.session.command(`EXAMINE ${quote(name)}`);
    if (examine.status !== 'OK') return { error: `EXAMINE ${examine.status} ${examine.text}` };
    const validity = examine.untagged.map((line) => /\[UIDVALIDITY (\d+)\]/.exec(line)?.[1]).find(Boolean);
    const exists = Number(examine.untagged.map((line) => /^\* (\d+) EXISTS/.exec(line)?.[1]).find(Boolean) ?? 0);
    const fetch = exists > 0 ? await this.session.command('FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])') : undefined;
    await this.session.command('CLOSE');
    return { uidValidity: validity ? Number(validity) : null, messageIds: fetch ? parseMessageIds(fetch.untagged) : {} };
  }

  /** Names of the folders LIST returns that can be selected (no `\Noselect` or `\NonExistent`). */
  async folders(): Promise<string[]> {
    const lines = await this.listLines();
    return lines.filter((line) => !/\\No(?:select|nExistent)/i.test(line)).map(parseListName).filter((name): name is string => name !== undefined).sort();
  }

  /**
   * Untagged LIST lines, sorted. Whole lines, because a deleted folder that still has children
   * stays listed, only with `\Noselect`.
   */
  async listLines(): Promise<string[]> {
    const reply = await this.session.command('LIST "" "*"');
    return reply.untagged.filter((line) => line.startsWith('* LIST')).sort();
  }

  /**
   * Untagged LSUB lines, sorted. Whole lines, not names, because Courier lists the parent of a
   * subscribed folder as `\Noselect` when the parent itself is not subscribed.
   */
  async subscriptions(): Promise<string[]> {
    const reply = await this.session.command('LSUB "" "*"');
    return reply.untagged.filter((line) => line.startsWith('* LSUB')).sort();
  }

  /** Reads the untagged ACL line of GETACL, or returns the reply when GETACL failed. */
  async acl(name: string): Promise<string> {
    const reply = await this.session.command(`GETACL ${quote(name)}`);
    return reply.status === 'OK' ? reply.untagged.find((line) => line.startsWith('* ACL')) ?? '' : `${reply.status} ${reply.text}`;
  }

  async myRights(name: string): Promise<string> {
    const reply = await this.session.command(`MYRIGHTS ${quote(name)}`);
    return reply.status === 'OK' ? reply.untagged.find((line) => line.startsWith('* MYRIGHTS')) ?? '' : `${reply.status} ${reply.text}`;
  }

  close(): void {
    this.session.close();
  }
}
