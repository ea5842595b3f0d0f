/**
 * The bed's STONITH stand-in. It handles the fence requests of each node's DRBD fence-peer
 * handler by powering the peer off (killing its container), as a power switch would.
 */
import type { Logger } from 'pino';
import type { UmlNode } from './uml-node.js';

/** Seconds one `mailha-fence wait` blocks in a container before the loop calls it again. */
const WAIT_SECONDS = 5;
/** Exit code of a fence-peer handler for "peer powered off" in DRBD 8.4, after which IO resumes. */
export const PEER_POWERED_OFF = 7;
/** Exit code for a fence request that was not carried out. DRBD then keeps IO frozen. */
const FENCE_FAILED = 1;

/** One fence request and what the bed did with it. */
export interface FenceEvent {
  /** Milliseconds since the epoch when the request reached the bed. */
  at: number;
  requester: string;
  victim: string;
  /** Exit code handed back to the handler. */
  answer: number;
  detail: string;
  /** True when this request powered the victim off; false when it was already off or the request failed. */
  poweredOff?: boolean;
}

/**
 * Watches both nodes for fence requests while started. Requests are handled one at a time, so
 * when both nodes send one at once, the first to reach the bed wins. The other request is
 * dropped because its node is off by then.
 */
export class StonithFencer {
  readonly events: FenceEvent[] = [];
  private readonly listeners: Array<(event: FenceEvent) => void> = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly nodes: readonly [UmlNode, UmlNode],
    private readonly log: Logger,
  ) {}

  /** Registers a listener called with every fence event that powered a node off, after it happened. */
  onFence(listener: (event: FenceEvent) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = this.nodes.map((node) => this.watch(node));
  }

  /** Stops watching and returns once each node's current wait has ended, within 5 s. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await this.queue;
  }

  private async watch(node: UmlNode): Promise<void> {
    while (this.running) {
      if (!(await node.isRunning().catch(() => false))) {
        await sleep(500);
        continue;
      }
      const result = await node.execInContainer(['/usr/local/sbin/mailha-fence', 'wait', '-t', String(WAIT_SECONDS)]).catch(() => undefined);
      if (!result || result.exitCode !== 0) {
        // Exit 3 means no request came. Other failures, such as a killed container, are retried after a pause.
        if (result?.exitCode !== 3) await sleep(500);
        continue;
      }
      const [id = '', requester = node.name] = result.output.trim().split(/\s+/);
      this.queue = this.queue.then(() => this.fence(node, id, requester));
      await this.queue;
    }
  }

  private async fence(requester: UmlNode, id: string, requesterName: string): Promise<void> {
    const victim = this.nodes.find((node) => node !== requester)!;
    const event: FenceEvent = { at: Date.now(), requester: requesterName, victim: victim.name, answer: FENCE_FAILED, detail: '' };
    if (!(await requester.isRunning())) {
      event.detail = 'dropped: the requester was powered off before its request was handled';
      this.record(event);
      return;
    }
    try {
      if (await victim.isRunning()) {
        await victim.kill();
        event.detail = 'peer powered off';
        event.poweredOff = true;
      } else {
        event.detail = 'peer was already powered off';
      }
      event.answer = PEER_POWERED_OFF;
    } catch (error) {
      event.detail = `powering the peer off failed: ${(error as Error).message}`;
    }
    try {
      await requester.execInContainer(['/usr/local/sbin/mailha-fence', 'answer', id, String(event.answer)]);
    } catch (error) {
      event.detail += `; sending the exit code to the handler failed: ${(error as Error).message}`;
    }
    this.record(event);
  }

  private record(event: FenceEvent): void {
    this.events.push(event);
    if (event.poweredOff) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.log.warn({ err: error, victim: event.victim }, 'Fence listener failed');
        }
      }
    }
    if (event.answer === PEER_POWERED_OFF) this.log.info({ ...event }, 'Fenced DRBD peer');
    else this.log.warn({ ...event }, 'Failed to fence DRBD peer');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
