/**
 * A plain TCP IMAP session that returns every tagged reply with its status, response code, text
 * and untagged lines. The audit uses it instead of imapflow because it needs the exact reply of
 * every command. imapflow does not expose the text of OK replies, resolves some refused commands
 * (STORE, EXPUNGE) with `false`, and has no methods for GETACL, MYRIGHTS, SETACL or DELETEACL.
 */
import { connect, type Socket } from 'node:net';

export interface TaggedReply {
  status: 'OK' | 'NO' | 'BAD' | 'BYE';
  code?: string;
  text: string;
  /** Untagged lines (`* ...`), with any literal inlined. */
  untagged: string[];
}

const TAGGED = /^(?<tag>A\d+) (?<status>OK|NO|BAD)(?: \[(?<code>[^\]]*)\])? ?(?<text>.*)$/s;
const BYE = /^\* BYE(?: \[(?<code>[^\]]*)\])? ?(?<text>.*)$/s;
const LITERAL_AT_END = /\{(\d+)\}$/;

export class ImapSession {
  private buffer = Buffer.alloc(0);
  private lines: string[] = [];
  private waiter: (() => void) | undefined;
  private tag = 0;
  private closed = false;

  private constructor(private readonly socket: Socket, private readonly timeoutMs: number) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.splitLines();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  /** Connects and reads the greeting; throws when the server sends no `* OK` within `timeoutMs`. */
  static async open(host: string, port: number, timeoutMs = 15_000): Promise<ImapSession> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const session = new ImapSession(socket, timeoutMs);
    const greeting = await session.nextLine();
    if (!greeting.startsWith('* OK')) {
      session.close();
      throw new Error(`${host}:${port} sent no IMAP greeting: ${greeting}`);
    }
    return session;
  }

  /**
   * Sends one command and waits for its tagged reply. `literal` is sent as a synchronizing
   * literal after the command text, once the server sends its `+` continuation.
   */
  async command(text: string, literal?: Buffer): Promise<TaggedReply> {
    this.tag += 1;
    const tag = `A${this.tag}`;
    const untagged: string[] = [];
    if (literal) {
      this.socket.write(`${tag} ${text} {${literal.length}}\r\n`);
      for (;;) {
        const line = await this.nextLine();
        if (line.startsWith('+')) break;
        const reply = this.parse(line, tag, untagged);
        if (reply) return reply;
      }
      this.socket.write(Buffer.concat([literal, Buffer.from('\r\n')]));
    } else {
      this.socket.write(`${tag} ${text}\r\n`);
    }
    for (;;) {
      const reply = this.parse(await this.nextLine(), tag, untagged);
      if (reply) return reply;
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(line: string, tag: string, untagged: string[]): TaggedReply | undefined {
    const bye = BYE.exec(line);
    if (bye?.groups) return { status: 'BYE', ...(bye.groups.code ? { code: bye.groups.code } : {}), text: bye.groups.text.trim(), untagged };
    const tagged = TAGGED.exec(line);
    if (tagged?.groups && tagged.groups.tag === tag) {
      return {
        status: tagged.groups.status as TaggedReply['status'],
        ...(tagged.groups.code ? { code: tagged.groups.code } : {}),
        text: tagged.groups.text.trim(),
        untagged,
      };
    }
    untagged.push(line);
    return undefined;
  }

  private async nextLine(): Promise<string> {
    const deadline = Date.now() + this.timeoutMs;
    while (this.lines.length === 0) {
      if (this.closed) throw new Error('the server closed the connection');
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no reply from the server within ${this.timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.lines.shift()!;
  }

  /** Cuts complete lines off the buffer; a line ending in `{N}` continues after N literal bytes. */
  private splitLines(): void {
    let start = 0;
    let line = '';
    for (;;) {
      const end = this.buffer.indexOf('\r\n', start);
      if (end < 0) break;
      const part = this.buffer.subarray(start, end).toString('latin1');
      const literal = LITERAL_AT_END.exec(part);
      if (literal) {
        const size = Number(literal[1]);
        if (this.buffer.length < end + 2 + size) break;
        line += `${part}\r\n${this.buffer.subarray(end + 2, end + 2 + size).toString('latin1')}`;
        start = end + 2 + size;
        continue;
      }
      this.lines.push(line + part);
      line = '';
      start = end + 2;
      this.buffer = this.buffer.subarray(start);
      start = 0;
    }
    this.waiter?.();
  }
}
