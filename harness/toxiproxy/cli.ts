/** The `toxiproxy` command: runs the Toxiproxy-compatible server in the foreground. */
import { InvalidArgumentError, type Command } from 'commander';
import { pino } from 'pino';
import { startToxiproxyServer } from './server.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`--port must be a whole number from 0 to 65535, got "${value}"`);
  }
  return port;
}

/** Adds `toxiproxy [--host H] [--port P]` to `program`. It logs JSON lines (pino) to stdout and stops on SIGINT or SIGTERM. */
export function registerToxiproxyCommand(program: Command): void {
  program
    .command('toxiproxy')
    .description('Run a Toxiproxy-compatible server (HTTP API of Toxiproxy 2.12) in the foreground')
    .option('--host <host>', 'address the HTTP API listens on', '127.0.0.1')
    .option('--port <port>', 'port of the HTTP API (0 picks a free port)', parsePort, 8474)
    .action(async (options: { host: string; port: number }) => {
      const log = pino({ name: 'toxiproxy' });
      const server = await startToxiproxyServer({ host: options.host, port: options.port, log });
      log.info(`Listening on ${server.url}`);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          log.info({ signal }, 'Stopping');
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
    });
}
