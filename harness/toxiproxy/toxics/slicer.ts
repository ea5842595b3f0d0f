import { TimedQueue, ToxicStage } from './stage.js';

/**
 * Cuts each chunk into pieces of about `average_size` ± `size_variation` bytes and waits
 * `delay` microseconds after each piece, as the real server does (also after the last one).
 * NOTE: Node timers count whole milliseconds, so delays under 1000 µs take one event-loop
 * turn, and longer ones are rounded up to the next millisecond for each piece.
 */
export class SlicerStage extends ToxicStage {
  private readonly queue = new TimedQueue(() => this.next);
  private freeAt = 0;

  protected onChunk(chunk: Buffer): void {
    const delayMs = this.attribute('delay') / 1000;
    const bounds = this.cut(0, chunk.length);
    let time = Math.max(this.freeAt, performance.now());
    for (let i = 1; i < bounds.length; i += 2) {
      this.queue.push(chunk.subarray(bounds[i - 1], bounds[i]), time);
      time += delayMs;
    }
    this.freeAt = time;
  }

  protected onEnd(): void {
    this.queue.end();
  }

  override flush(): void {
    this.queue.flush();
  }

  /**
   * Splits [start, end) by halving until a piece is at most average_size + size_variation
   * bytes, moving each cut by a random offset in [-size_variation, +size_variation).
   * Returns start and end offsets in pairs, as the real server's slicer does.
   */
  private cut(start: number, end: number): number[] {
    const average = this.attribute('average_size');
    const variation = this.attribute('size_variation');
    if (end - start - average <= variation) return [start, end];
    let middle = start + Math.floor((end - start) / 2);
    if (variation > 0) middle += Math.floor(Math.random() * 2 * variation) - variation;
    return [...this.cut(start, middle), ...this.cut(middle, end)];
  }
}
