/** The pieces every toxic is built from: the chunk sink, the link context and the stage base class. */

/** Receiver of one direction's data: the next toxic in the chain, or the writer to the destination socket. */
export interface ChunkSink {
  /** Accepts one chunk. The sink may keep a reference to it but never changes its bytes. */
  write(chunk: Buffer): void;
  /**
   * Signals that no chunk follows. The sink sends its buffered data and then ends its own
   * output. For the writer, ending closes the destination socket.
   */
  end(): void;
}

/** Services of the link a stage runs in. */
export interface LinkContext {
  /** Reports bytes a stage dropped, so the link's count of buffered bytes stays right. */
  discard(bytes: number): void;
  /** Resets the whole connection: both sockets are destroyed with TCP RST (SO_LINGER 0). */
  reset(): void;
}

/** The live settings of one toxic, shared by all its stages; an update changes them in place. */
export interface ToxicSettings {
  readonly attributes: Record<string, number>;
  toxicity: number;
}

/**
 * One toxic in one link (one connection and direction). The link decides through `active`,
 * drawn from the toxicity, whether the stage acts or passes data through unchanged.
 */
export abstract class ToxicStage implements ChunkSink {
  next!: ChunkSink;
  active = true;

  constructor(
    protected readonly settings: ToxicSettings,
    protected readonly link: LinkContext,
  ) {}

  write(chunk: Buffer): void {
    if (this.active) this.onChunk(chunk);
    else this.next.write(chunk);
  }

  end(): void {
    if (this.active) this.onEnd();
    else this.next.end();
  }

  /** Starts timers that run without data, such as the timeout toxic's. Called once, after `next` is set. */
  start(): void {}

  /**
   * Sends all buffered data to `next` now, without waiting for its delays. Called by
   * `detach`, and before an update because the real server interrupts the toxic and
   * restarts it with the new attributes.
   */
  flush(): void {}

  /** Called after an update has changed the settings and redrawn `active`. */
  afterUpdate(): void {}

  /**
   * Removes the stage from the chain: sends its buffered data to `next` and stops its timers.
   * The link has already pointed the previous stage at `next`.
   */
  detach(): void {
    this.flush();
  }

  protected abstract onChunk(chunk: Buffer): void;

  protected abstract onEnd(): void;

  protected attribute(name: string): number {
    return this.settings.attributes[name] ?? 0;
  }
}

/**
 * A first-in first-out queue of chunks, each sent to a sink at its due time
 * (`performance.now()` milliseconds). A chunk never overtakes an earlier one, and the end
 * of the stream is passed on after the last chunk.
 */
export class TimedQueue {
  private chunks: Buffer[] = [];
  private dueTimes: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private ended = false;
  private endSent = false;

  constructor(private readonly sink: () => ChunkSink) {}

  get length(): number {
    return this.chunks.length - this.head;
  }

  /** Due time of the last queued chunk, or -Infinity when the queue is empty. */
  get lastDue(): number {
    return this.length > 0 ? this.dueTimes[this.dueTimes.length - 1]! : -Infinity;
  }

  push(chunk: Buffer, due: number): void {
    this.chunks.push(chunk);
    this.dueTimes.push(due);
    if (this.length === 1) this.schedule();
  }

  /** Ends the stream once every queued chunk has been sent. */
  end(): void {
    this.ended = true;
    if (this.length === 0) this.sendEnd();
  }

  /** Sends every queued chunk now, then the end if it was requested. */
  flush(): void {
    this.cancel();
    while (this.length > 0) this.sendHead();
    if (this.ended) this.sendEnd();
  }

  /** Drops the timers; queued chunks stay until `flush`. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private schedule(): void {
    this.cancel();
    if (this.length === 0) return;
    const wait = this.dueTimes[this.head]! - performance.now();
    // setTimeout counts whole milliseconds and may fire up to 1 ms early against
    // performance.now(), so `run` checks the due time again and reschedules.
    if (wait <= 0) this.immediate = setImmediate(this.run);
    else this.timer = setTimeout(this.run, Math.max(1, Math.ceil(wait)));
  }

  private readonly run = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    const now = performance.now();
    while (this.length > 0 && this.dueTimes[this.head]! <= now) this.sendHead();
    if (this.length > 0) this.schedule();
    else if (this.ended) this.sendEnd();
  };

  private sendHead(): void {
    const chunk = this.chunks[this.head]!;
    this.chunks[this.head] = EMPTY;
    this.head++;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.dueTimes = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.dueTimes = this.dueTimes.slice(this.head);
      this.head = 0;
    }
    this.sink().write(chunk);
  }

  private sendEnd(): void {
    if (this.endSent) return;
    this.endSent = true;
    this.sink().end();
  }
}

const EMPTY = Buffer.alloc(0);
