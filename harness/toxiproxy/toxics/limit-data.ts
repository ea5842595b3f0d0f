import { ToxicStage } from './stage.js';

/**
 * Passes at most `bytes` bytes in its direction, then closes the connection. The count
 * survives updates, so raising the limit lets more data through on an open connection.
 * As in the real server, the limit is checked when a chunk arrives: with `bytes` 0 the
 * connection closes on the first chunk.
 */
export class LimitDataStage extends ToxicStage {
  private transmitted = 0;
  private closed = false;

  protected onChunk(chunk: Buffer): void {
    if (this.closed) {
      this.link.discard(chunk.length);
      return;
    }
    const remaining = Math.max(0, this.attribute('bytes') - this.transmitted);
    let passed = chunk;
    if (chunk.length > remaining) {
      passed = chunk.subarray(0, remaining);
      this.link.discard(chunk.length - remaining);
    }
    if (passed.length > 0) {
      this.next.write(passed);
      this.transmitted += passed.length;
    }
    if (this.attribute('bytes') - this.transmitted <= 0) {
      this.closed = true;
      this.next.end();
    }
  }

  protected onEnd(): void {
    if (this.closed) return;
    this.closed = true;
    this.next.end();
  }
}
