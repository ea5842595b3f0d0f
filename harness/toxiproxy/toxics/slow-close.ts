import { ToxicStage } from './stage.js';

/** Passes data unchanged and holds back the end of the stream (the close) by `delay` ms. */
export class SlowCloseStage extends ToxicStage {
  private timer: NodeJS.Timeout | undefined;

  protected onChunk(chunk: Buffer): void {
    this.next.write(chunk);
  }

  protected onEnd(): void {
    this.timer = setTimeout(() => this.next.end(), this.attribute('delay'));
  }

  /** On an update the wait starts again with the new delay, as when the real server restarts the toxic. */
  override flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.onEnd();
  }

  /** Passes a pending close on at once, because a removed slow_close no longer delays it. */
  override detach(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.next.end();
  }
}
