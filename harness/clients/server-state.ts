/**
 * Re-reads a mailbox's stored state through its own imapflow session, so a client's write is
 * judged by what the server kept, not by what it replied to the client.
 */
import { ImapFlow } from 'imapflow';
import type { ClientTarget } from './routine.js';

export interface FolderState {
  exists: number;
  uidNext: number;
  /** Flags and keywords of each message by UID, sorted. */
  flags: Record<string, string[]>;
}

/** A logger for imapflow that drops everything: the routines record replies themselves. */
export const SILENT_LOGGER = { debug() {}, info() {}, warn() {}, error() {} };

export class ServerState {
  private constructor(private readonly client: ImapFlow) {}

  /** Logs in; throws naming the account and the server's reply when LOGIN fails. */
  static async open(target: ClientTarget): Promise<ServerState> {
    const client = new ImapFlow({ host: target.host, port: target.port, secure: false, doSTARTTLS: false, auth: { user: target.login, pass: target.password }, logger: SILENT_LOGGER });
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      const reply = (error as { responseText?: string }).responseText ?? (error as Error).message;
      throw new Error(`state reader LOGIN as ${target.login} on ${target.host}:${target.port} failed: ${reply}`, { cause: error });
    }
    return new ServerState(client);
  }

  /** Message count, UIDNEXT and flags, read with EXAMINE so the read itself sets no flag. */
  async folder(path: string): Promise<FolderState | { error: string }> {
    try {
      const mailbox = await this.client.mailboxOpen(path, { readOnly: true });
      const flags: Record<string, string[]> = {};
      if (mailbox.exists > 0) {
        for await (const message of this.client.fetch('1:*', { uid: true, flags: true })) {
          flags[String(message.uid)] = [...(message.flags ?? [])].sort();
        }
      }
      await this.client.mailboxClose();
      return { exists: mailbox.exists, uidNext: mailbox.uidNext, flags };
    } catch (error) {
      return { error: `EXAMINE ${path} failed: ${(error as { responseText?: string }).responseText ?? (error as Error).message}` };
    }
  }

  /** Paths of every listed folder, sorted. */
  async folders(): Promise<string[]> {
    return (await this.client.list()).map((entry) => entry.path).sort();
  }

  async close(): Promise<void> {
    await this.client.logout().catch(() => this.client.close());
  }
}
