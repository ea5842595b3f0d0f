/** The Toxiproxy server of a run, in a container on the run's internal network. */
import type { Logger } from 'pino';
import { Wait, type StartedTestContainer } from 'testcontainers';
import { LABEL_NODE, runLabels } from '../docker/labels.js';
import { StaticIpContainer } from '../docker/static-ip-container.js';
import { ToxiproxyLinks } from './toxiproxy-links.js';

const TOXIPROXY_API_PORT = 8474;
const START_TIMEOUT_MS = 90_000;

/** Settings of the Toxiproxy container. */
export interface ToxiproxyContainerOptions {
  image: string;
  /** True when `image` is Shopify's Toxiproxy, which takes its listen address as flags. */
  real: boolean;
  runId: string;
  network: string;
  address: string;
  log: Logger;
}

/** A started Toxiproxy container and the client of its API. */
export interface StartedToxiproxy {
  links: ToxiproxyLinks;
  container: StartedTestContainer;
}

/** Starts the Toxiproxy server every link goes through, waits for its API and returns a client for it. */
export async function startToxiproxyContainer(options: ToxiproxyContainerOptions): Promise<StartedToxiproxy> {
  const { image, address, log } = options;
  log.info({ image, address }, 'Starting toxiproxy...');
  let container = new StaticIpContainer(image)
    .withStaticIp(options.network, address)
    .withName(`${options.runId}-toxiproxy`)
    .withHostname('toxiproxy')
    .withLabels(runLabels(options.runId, { [LABEL_NODE]: 'toxiproxy' }))
    .withWaitStrategy(Wait.forLogMessage(/[Ll]istening|API HTTP server starting/))
    .withStartupTimeout(START_TIMEOUT_MS);
  if (options.real) container = container.withCommand(['-host=0.0.0.0', `-port=${TOXIPROXY_API_PORT}`]);
  const started = await container.start();
  log.info({ containerId: started.getId().slice(0, 12) }, 'Started toxiproxy');
  return { links: new ToxiproxyLinks(`http://${address}:${TOXIPROXY_API_PORT}`), container: started };
}
