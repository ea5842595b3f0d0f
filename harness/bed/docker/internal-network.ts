/** The `--internal` Docker network of a run, on a /24 of its own under 10.213.0.0/16. */
import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { runLabels } from './labels.js';

/**
 * Creates an internal bridge network named `name` and returns its first three octets, such as
 * `10.213.42`. Nodes get fixed host octets in it. Another random subnet is tried when a network
 * already uses one, up to 8 times.
 */
export async function createInternalNetwork(docker: Dockerode, name: string, runId: string, log: Logger): Promise<string> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const third = 1 + randomBytes(1)[0] % 254;
    const prefix = `10.213.${third}`;
    try {
      await docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        Internal: true,
        CheckDuplicate: true,
        Labels: runLabels(runId),
        IPAM: { Config: [{ Subnet: `${prefix}.0/24`, Gateway: `${prefix}.1` }] },
      });
      log.info({ network: name, subnet: `${prefix}.0/24` }, 'Created internal network');
      return prefix;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`Failed to create internal network ${name} after 8 subnets`, { cause: lastError });
}
