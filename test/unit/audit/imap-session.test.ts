/** The audit's IMAP session against a scripted server on loopback. */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { ImapSession } from '../../../harness/audit/imap-session.js';

let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

/** Starts a server that sends a greeting, then replies to each command line with `respond(tag, line)`. */
async function scripted(respond: (tag: string, line: string) => string): Promise<number> {
  server = createServer((socket) => {
    socket.write('* OK test server ready\r\n');
    let pending = '';
    // A command that ends in a literal `{N}` gets its reply once its N bytes and CRLF have arrived.
    let literalCommand: { line: string; size: number } | undefined;
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      for (;;) {
        if (literalCommand) {
          if (pending.length < literalCommand.size + 2) return;
          pending = pending.slice(literalCommand.size + 2);
          socket.write(respond(literalCommand.line.split(' ')[0], literalCommand.line));
          literalCommand = undefined;
          continue;
        }
        const end = pending.indexOf('\r\n');
        if (end < 0) return;
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const literal = /\{(\d+)\}$/.exec(line);
        if (literal) {
          literalCommand = { line, size: Number(literal[1]) };
          socket.write('+ go ahead\r\n');
          continue;
        }
        socket.write(respond(line.split(' ')[0], line));
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server!.address() as AddressInfo).port;
}

describe('ImapSession', () => {
  test('tagged reply with code and untagged lines', async () => {
    const port = await scripted((tag) => `* 3 EXISTS\r\n* OK [UIDNEXT 4] next\r\n${tag} OK [READ-ONLY] Ok\r\n`);
    const session = await ImapSession.open('127.0.0.1', port);

    const reply = await session.command('SELECT "INBOX"');
    session.close();

    expect(reply.status).toBe('OK');
    expect(reply.code).toBe('READ-ONLY');
    expect(reply.text).toBe('Ok');
    expect(reply.untagged).toEqual(['* 3 EXISTS', '* OK [UIDNEXT 4] next']);
  });

  test('literal in a FETCH line stays in one line', async () => {
    const port = await scripted((tag) => `* 1 FETCH (UID 5 BODY[] {12}\r\nA1 OK fake\r\n FLAGS (\\Seen))\r\n${tag} OK FETCH completed.\r\n`);
    const session = await ImapSession.open('127.0.0.1', port);

    const reply = await session.command('FETCH 1 (BODY[])');
    session.close();

    expect(reply.text).toBe('FETCH completed.');
    expect(reply.untagged).toHaveLength(1);
    expect(reply.untagged[0]).toContain('FLAGS (\\Seen)');
  });

  test('APPEND waits for continuation', async () => {
    const port = await scripted((tag) => `${tag} NO Access denied for APPEND on INBOX (ACL "i" required)\r\n`);
    const session = await ImapSession.open('127.0.0.1', port);

    const reply = await session.command('APPEND "INBOX" ()', Buffer.from('Subject: x\r\n\r\nbody\r\n'));
    session.close();

    expect(reply.status).toBe('NO');
    expect(reply.code).toBeUndefined();
    expect(reply.text).toBe('Access denied for APPEND on INBOX (ACL "i" required)');
  });

  test('BYE ends the command', async () => {
    const port = await scripted(() => '* BYE [ALERT] Fatal error: Read-only file system\r\n');
    const session = await ImapSession.open('127.0.0.1', port);

    const reply = await session.command('SUBSCRIBE "INBOX"');
    session.close();

    expect(reply.status).toBe('BYE');
    expect(reply.code).toBe('ALERT');
  });
});
