/**
 * Standalone entry of the Toxiproxy-compatible server, bundled into the `mailha/toxiproxy`
 * image: `node toxiproxy.mjs [--host H] [--port P]`. Runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startToxiproxyServer } from './server.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8474' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a TCP port number, got "${values.port}"`);
  process.exit(2);
}

const server = await startToxiproxyServer({ host: values.host!, port, log: pino({ level: process.env.MAILHA_TOXIPROXY_LOG ?? 'warn' }) });
console.log(`Listening on ${server.url}`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
