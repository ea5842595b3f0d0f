/** The toxic types the API accepts, with their attributes in the real server's JSON order. */
import { BandwidthStage } from './bandwidth.js';
import { LatencyStage } from './latency.js';
import { LimitDataStage } from './limit-data.js';
import { NoopStage } from './noop.js';
import { ResetPeerStage } from './reset-peer.js';
import { SlicerStage } from './slicer.js';
import { SlowCloseStage } from './slow-close.js';
import type { LinkContext, ToxicSettings, ToxicStage } from './stage.js';
import { TimeoutStage } from './timeout.js';

export type { ChunkSink, LinkContext, ToxicSettings } from './stage.js';
export { ToxicStage } from './stage.js';

/** A toxic type: its attributes and how to build its stage in one link. */
export interface ToxicType {
  /** Attribute names in the order the real server serializes them; all are integers. */
  readonly attributes: readonly string[];
  /** Go's type name of the attributes struct, used in decoding error messages. */
  readonly goName: string;
  /**
   * Bytes the toxic may buffer before the link stops reading its source. The latency toxic
   * buffers a whole delay's worth of data, as the real server's 1024-chunk buffer does.
   */
  readonly bufferLimit: number;
  createStage(settings: ToxicSettings, link: LinkContext): ToxicStage;
}

const MIB = 1024 * 1024;

export const TOXIC_TYPES: ReadonlyMap<string, ToxicType> = new Map<string, ToxicType>([
  ['noop', { attributes: [], goName: 'NoopToxic', bufferLimit: 0, createStage: (s, l) => new NoopStage(s, l) }],
  ['latency', { attributes: ['latency', 'jitter'], goName: 'LatencyToxic', bufferLimit: 32 * MIB, createStage: (s, l) => new LatencyStage(s, l) }],
  ['bandwidth', { attributes: ['rate'], goName: 'BandwidthToxic', bufferLimit: 0, createStage: (s, l) => new BandwidthStage(s, l) }],
  ['slow_close', { attributes: ['delay'], goName: 'SlowCloseToxic', bufferLimit: 0, createStage: (s, l) => new SlowCloseStage(s, l) }],
  ['timeout', { attributes: ['timeout'], goName: 'TimeoutToxic', bufferLimit: 0, createStage: (s, l) => new TimeoutStage(s, l) }],
  ['reset_peer', { attributes: ['timeout'], goName: 'ResetToxic', bufferLimit: 0, createStage: (s, l) => new ResetPeerStage(s, l) }],
  ['slicer', { attributes: ['average_size', 'size_variation', 'delay'], goName: 'SlicerToxic', bufferLimit: 0, createStage: (s, l) => new SlicerStage(s, l) }],
  ['limit_data', { attributes: ['bytes'], goName: 'LimitDataToxic', bufferLimit: 0, createStage: (s, l) => new LimitDataStage(s, l) }],
]);
