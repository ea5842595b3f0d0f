import { TimedQueue, ToxicStage } from './stage.js';

const SLICE_MS = 100;

/**
 * Paces data to `rate` KB/s (1 KB = 1000 bytes). A chunk is released when its last byte would
 * have been sent at that rate. Chunks larger than 100 ms of data are split into 100 ms slices.
 * A rate of 0 or less passes data unchanged.
 */
export class BandwidthStage extends ToxicStage {
  private readonly queue = new TimedQueue(() => this.next);
  /** When the paced link is next free, in performance.now() milliseconds. */
  private freeAt = 0;

  protected onChunk(chunk: Buffer): void {
    const bytesPerMs = this.attribute('rate');
    const now = performance.now();
    if (bytesPerMs <= 0) {
      this.queue.push(chunk, now);
      return;
    }
    // Due times come from a running schedule rather than from timer callbacks, so a timer
    // that fires late delays one chunk and not the average rate.
    let time = Math.max(this.freeAt, now);
    const sliceBytes = bytesPerMs * SLICE_MS;
    for (let offset = 0; offset < chunk.length; offset += sliceBytes) {
      const slice = chunk.length <= sliceBytes ? chunk : chunk.subarray(offset, offset + sliceBytes);
      time += slice.length / bytesPerMs;
      this.queue.push(slice, time);
    }
    this.freeAt = time;
  }

  protected onEnd(): void {
    this.queue.end();
  }

  override flush(): void {
    this.queue.flush();
  }
}
