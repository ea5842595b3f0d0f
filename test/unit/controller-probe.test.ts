/** The controller's IMAP greeting probe against small servers on loopback. */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeImapGreeting } from '../../harness/controller/probe.js';

const servers: Server[] = [];
const sockets: Socket[] = [];

/** Starts a loopback server that handles each connection with `onConnection`; returns its port. */
async function serve(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('loopback server has no port');
  return address.port;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('probeImapGreeting', () => {
  it('passes on OK greeting', async () => {
    const port = await serve((socket) => socket.write('* OK [CAPABILITY IMAP4rev1] Courier-IMAP ready.\r\n'));

    expect(await probeImapGreeting({ host: '127.0.0.1', port }, 1000)).toEqual({ ok: true });
  });

  it('passes on greeting split across packets', async () => {
    const port = await serve((socket) => {
      socket.write('* O');
      setTimeout(() => socket.write('K ready\r\n'), 20);
    });

    expect(await probeImapGreeting({ host: '127.0.0.1', port }, 1000)).toEqual({ ok: true });
  });

  it('fails on BYE greeting', async () => {
    const port = await serve((socket) => socket.end('* BYE too many connections\r\n'));

    expect(await probeImapGreeting({ host: '127.0.0.1', port }, 1000)).toEqual({ ok: false, error: 'unexpected greeting "* BYE too many connections"' });
  });

  it('fails on silent server', async () => {
    const port = await serve(() => {});

    expect(await probeImapGreeting({ host: '127.0.0.1', port }, 150)).toEqual({ ok: false, error: 'no IMAP greeting within 150 ms' });
  });

  it('fails on closed port', async () => {
    const port = await serve(() => {});
    await new Promise((resolve) => servers.pop()!.close(resolve));

    const outcome = await probeImapGreeting({ host: '127.0.0.1', port }, 1000);

    expect(outcome).toEqual({ ok: false, error: 'connection failed: ECONNREFUSED' });
  });
});
