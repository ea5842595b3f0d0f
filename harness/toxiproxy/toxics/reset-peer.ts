import { ToxicStage } from './stage.js';

/**
 * On the first chunk (or the end of the stream), drops it and all later data, waits
 * `timeout` ms and resets the connection with TCP RST.
 * NOTE: the real server sets SO_LINGER 0 only on connections accepted while the toxic
 * existed and otherwise closes with FIN; this server always resets.
 */
export class ResetPeerStage extends ToxicStage {
  private triggered = false;

  protected onChunk(chunk: Buffer): void {
    this.link.discard(chunk.length);
    this.trigger();
  }

  protected onEnd(): void {
    this.trigger();
  }

  // A pending reset still happens after the toxic is removed: the real server's removal
  // waits for it.
  private trigger(): void {
    if (this.triggered) return;
    this.triggered = true;
    setTimeout(() => this.link.reset(), this.attribute('timeout'));
  }
}
