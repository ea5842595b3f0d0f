import { ToxicStage } from './stage.js';

/** Passes data unchanged. The real server registers this type, so the API accepts "noop". */
export class NoopStage extends ToxicStage {
  protected onChunk(chunk: Buffer): void {
    this.next.write(chunk);
  }

  protected onEnd(): void {
    this.next.end();
  }
}
