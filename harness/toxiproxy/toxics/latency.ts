import { TimedQueue, ToxicStage } from './stage.js';

/**
 * Delays each chunk by `latency` ms plus a uniform whole-millisecond jitter in
 * [-jitter, +jitter), never reordering chunks.
 * NOTE: the delay counts from when the chunk reaches this toxic. The real server counts it
 * from when the proxy read the chunk. The two differ only behind a toxic that buffers data.
 */
export class LatencyStage extends ToxicStage {
  private readonly queue = new TimedQueue(() => this.next);

  protected onChunk(chunk: Buffer): void {
    const latency = this.attribute('latency');
    const jitter = this.attribute('jitter');
    const delay = jitter > 0 ? latency + Math.floor(Math.random() * 2 * jitter) - jitter : latency;
    this.queue.push(chunk, performance.now() + delay);
  }

  protected onEnd(): void {
    this.queue.end();
  }

  override flush(): void {
    this.queue.flush();
  }
}
