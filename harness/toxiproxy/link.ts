/** One direction of a proxied connection: source socket, toxic chain, destination socket. */
import type { Socket } from 'node:net';
import type { Direction, Toxic } from './toxic.js';
import type { ChunkSink, LinkContext, ToxicStage } from './toxics/index.js';

/** Bytes buffered in a link's toxics above which it stops reading its source, besides what each toxic may hold. */
const BASE_BUFFER_LIMIT = 256 * 1024;

/** Interface of the connection that owns a link. */
export interface LinkOwner {
  /** Called once when the link's chain has ended: the owner closes the destination and stops the other link's source. */
  linkFinished(link: Link): void;
  /** Resets both sockets with TCP RST. */
  reset(): void;
}

/** End of the chain: writes to the destination socket and keeps the link's buffer count. */
class SocketWriter implements ChunkSink {
  closed = false;

  constructor(private readonly link: Link) {}

  write(chunk: Buffer): void {
    this.link.buffered -= chunk.length;
    if (!this.closed && !this.link.dest.destroyed) this.link.dest.write(chunk);
    this.link.resumeIfDrained();
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.link.owner.linkFinished(this.link);
  }
}

/**
 * A direction's toxic chain. With no toxics a chunk goes straight from `data` to
 * `dest.write`, with the usual pause-on-full and resume-on-drain backpressure. With toxics,
 * the link counts the bytes they hold and stops reading the source above a limit.
 */
export class Link implements LinkContext {
  /** Bytes that entered the chain and have not been written or discarded. */
  buffered = 0;
  private readonly stages: Array<{ toxic: Toxic; stage: ToxicStage }> = [];
  private readonly writer = new SocketWriter(this);
  private head: ChunkSink = this.writer;
  private bufferLimit = BASE_BUFFER_LIMIT;
  private sourceDone = false;

  constructor(
    readonly direction: Direction,
    readonly source: Socket,
    readonly dest: Socket,
    readonly owner: LinkOwner,
    toxics: readonly Toxic[],
  ) {
    for (const toxic of toxics) this.addToxic(toxic);
  }

  /** Starts reading the source. */
  start(): void {
    this.source.on('data', this.onData);
    this.source.on('end', () => this.endSource());
    this.dest.on('drain', () => this.resumeIfDrained());
  }

  /** Stops reading the source and ends the chain, which closes the destination once the toxics let it. */
  endSource(): void {
    if (this.sourceDone) return;
    this.sourceDone = true;
    this.source.off('data', this.onData);
    this.head.end();
  }

  /** Whether the chain has ended and closed (or given up) its destination. */
  get finished(): boolean {
    return this.writer.closed;
  }

  addToxic(toxic: Toxic): void {
    if (this.writer.closed) return;
    const stage = toxic.kind.createStage(toxic, this);
    stage.active = drawActive(toxic.toxicity);
    stage.next = this.writer;
    const last = this.stages.at(-1);
    if (last) last.stage.next = stage;
    else this.head = stage;
    this.stages.push({ toxic, stage });
    this.bufferLimit += toxic.kind.bufferLimit;
    stage.start();
  }

  /** Removes the toxic's stage from the chain. Data buffered in it goes on to the next stage at once. */
  removeToxic(toxic: Toxic): void {
    const index = this.stages.findIndex((entry) => entry.toxic === toxic);
    if (index < 0) return;
    const { stage } = this.stages[index]!;
    this.stages.splice(index, 1);
    const previous = this.stages[index - 1];
    if (previous) previous.stage.next = stage.next;
    else this.head = stage.next;
    this.bufferLimit -= toxic.kind.bufferLimit;
    stage.detach();
    this.resumeIfDrained();
  }

  /** Applies changed settings. The stage first sends its buffered data, then the toxicity is drawn again. */
  updateToxic(toxic: Toxic): void {
    const entry = this.stages.find((candidate) => candidate.toxic === toxic);
    if (!entry) return;
    entry.stage.flush();
    entry.stage.active = drawActive(toxic.toxicity);
    entry.stage.afterUpdate();
    this.resumeIfDrained();
  }

  discard(bytes: number): void {
    this.buffered -= bytes;
    this.resumeIfDrained();
  }

  reset(): void {
    this.owner.reset();
  }

  resumeIfDrained(): void {
    if (this.sourceDone || !this.source.isPaused()) return;
    if (this.dest.writableNeedDrain || this.buffered > this.bufferLimit / 2) return;
    this.source.resume();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.stages.length === 0) {
      if (this.writer.closed || this.dest.destroyed) return;
      if (!this.dest.write(chunk)) this.source.pause();
      return;
    }
    this.buffered += chunk.length;
    this.head.write(chunk);
    if (this.buffered + this.dest.writableLength > this.bufferLimit) this.source.pause();
  };
}

/** Draws whether a toxic acts on one link: true with probability `toxicity`, as the real server draws per link. */
function drawActive(toxicity: number): boolean {
  return Math.random() < toxicity;
}
