import { ToxicStage } from './stage.js';

/**
 * Drops all data. After `timeout` ms without data in its direction it closes the connection;
 * 0 never closes. Removing the toxic closes the connection.
 * Inferred from the real server's code, where each received chunk starts a new timer: the
 * timeout counts from the last chunk, or from when the toxic started when none came. Removal
 * closes the connection even where the toxicity draw left the toxic inactive.
 */
export class TimeoutStage extends ToxicStage {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  override start(): void {
    if (this.active) this.restartTimer();
  }

  protected onChunk(chunk: Buffer): void {
    this.link.discard(chunk.length);
    if (!this.closed) this.restartTimer();
  }

  protected onEnd(): void {
    this.close();
  }

  override flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  override afterUpdate(): void {
    if (this.active && !this.closed) this.restartTimer();
  }

  override detach(): void {
    this.flush();
    this.close();
  }

  private restartTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const timeout = this.attribute('timeout');
    if (timeout > 0) this.timer = setTimeout(() => this.close(), timeout);
  }

  private close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    this.closed = true;
    this.next.end();
  }
}
