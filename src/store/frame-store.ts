/**
 * The frames a consumer holds, per (producer, pair, timeframe, candle_type), kept by freqtrade's consumer
 * rules (PROTOCOL.md "What the consumer does with a frame", steps 2-7; freqtrade's
 * DataProvider._add_external_df). Decoded frames are copied into per-key rings; strategies read them as
 * Arrow tables over those rings. The store only says when candles are missing; asking the producer for them is
 * the ingest service's business.
 */
import type { Table } from 'apache-arrow';
import {
  FULL_FRAME_ROWS, MAX_CANDLES, timeframeMs, type CandleType, type ColumnKind, type DecodedFrame, type PairKey,
} from '../protocol/index.js';
import { RingView } from './arrow-view.js';
import { FrameRing } from './frame-ring.js';


export interface StoreOptions {
  /** Rows held per key (freqtrade keeps 1500). */
  capacity: number;
}

export type IngestOutcome =
  | { readonly action: 'replaced' | 'appended' } // stored
  | { readonly action: 'missing'; readonly limit: number } // not stored: the last `limit` candles are needed first
  | { readonly action: 'skipped' }; // not stored: a frame without rows

export interface HeldKey {
  producer: string;
  key: PairKey;
  rows: number;
  firstDate: number;
  lastDate: number;
  la: string;
}

const REPLACED: IngestOutcome = Object.freeze({ action: 'replaced' });
const APPENDED: IngestOutcome = Object.freeze({ action: 'appended' });
const SKIPPED: IngestOutcome = Object.freeze({ action: 'skipped' });
/** Outcomes asking for a whole frame, and for each gap size below a full frame, made once. */
const MISSING_ALL: IngestOutcome = Object.freeze({ action: 'missing', limit: MAX_CANDLES });
const MISSING: readonly IngestOutcome[] = Array.from({ length: FULL_FRAME_ROWS }, (_, limit) => Object.freeze({ action: 'missing', limit }));

/** Everything known about one key: its rows, once a frame was stored. */
class KeySlot {
  ring: FrameRing | undefined = undefined;
  /** Arrow side of `ring`, made on its first read (FrameStore.table). */
  view: RingView | undefined = undefined;
  constructor(
    readonly producer: string,
    readonly key: PairKey,
    /** Candle length; NaN for a timeframe freqtrade does not know. */
    readonly timeframeMs: number,
  ) {}

  held(ring: FrameRing): HeldKey {
    return { producer: this.producer, key: this.key, rows: ring.rows, firstDate: ring.date(0), lastDate: ring.lastDate(), la: ring.la };
  }
}

export class FrameStore {
  /** producer -> pair -> the pair's keys (a few timeframes/candle types at most, so a short list). */
  private readonly slots = new Map<string, Map<string, KeySlot[]>>();
  private readonly whitelists = new Map<string, readonly string[]>();
  private readonly capacity: number;

  constructor(opts: StoreOptions) {
    if (!Number.isInteger(opts.capacity) || opts.capacity < 1) throw new RangeError(`store capacity must be a positive integer, got ${opts.capacity}`);
    this.capacity = opts.capacity;
  }

  /** Column kinds held for the key, for the decoder (undefined: nothing held). */
  kinds(producer: string, key: PairKey): ReadonlyMap<string, ColumnKind> | undefined {
    return this.find(producer, key)?.ring?.kinds;
  }

  /**
   * Applies a decoded analyzed_df frame for `key` from `producer` (PROTOCOL.md steps 2-7). `replyExpected`: a
   * request for the key's candles is outstanding, so a short frame may be its reply.
   */
  ingest(producer: string, key: PairKey, la: string, frame: DecodedFrame, replyExpected = false): IngestOutcome {
    const n = frame.rows;
    if (n === 0) return SKIPPED; // the consumer skips empty frames; nothing to store
    const slot = this.slotFor(producer, key);
    const ring = slot.ring;
    // Step 2: a full frame replaces whatever is held.
    if (n >= FULL_FRAME_ROWS) return this.replace(slot, frame, la);
    // Step 3, and a changed schema: a short frame cannot be appended, ask for a whole frame. The reply to
    // our own request is stored whatever its length (freqtrade would ask again forever). Over held rows of
    // another schema only a frame of several rows is taken for that reply: producers broadcast single rows,
    // and one of those must not wipe the held history.
    if (ring === undefined || !ring.sameSchema(frame)) {
      const reply = replyExpected && (ring === undefined || n > 1);
      return reply ? this.replace(slot, frame, la) : MISSING_ALL;
    }
    // Step 4: candles missed between what is held and the incoming frame. An unknown timeframe makes d NaN:
    // no hole can be told, so the frame is appended.
    const d = ring.candlesUntil(frame, slot.timeframeMs);
    if (d > 1) {
      const missing = Math.trunc(d) + 1; // freqtrade: int(d), plus one candle of overlap
      return missing < FULL_FRAME_ROWS ? MISSING[missing]! : MISSING_ALL;
    }
    // Step 5: drop held rows dated >= the incoming first date, append, keep the last `capacity` rows.
    ring.merge(frame);
    ring.la = la;
    return APPENDED;
  }

  setWhitelist(producer: string, pairs: readonly string[]): void {
    this.whitelists.set(producer, Object.freeze([...pairs]));
  }

  /** freqtrade's get_producer_pairs: the producer's last whitelist (empty before the first). */
  producerPairs(producer: string): readonly string[] {
    return this.whitelists.get(producer) ?? [];
  }

  /**
   * freqtrade's get_producer_df: the key's frame as an Arrow table over the held buffers (no copy), and
   * its `la`. The table shows the rows as they are until the key's next ingest; read it, don't keep it.
   */
  producerDf(pair: string, timeframe: string, candleType: CandleType, producer = 'default'): { table: Table; la: string } | undefined {
    const slot = this.find(producer, { pair, timeframe, candleType });
    const ring = slot?.ring;
    if (slot === undefined || ring === undefined) return undefined;
    return { table: this.table(slot, ring), la: ring.la };
  }

  /** Every key with rows held. */
  *keys(): Iterable<HeldKey> {
    for (const slot of this.allSlots()) if (slot.ring !== undefined) yield slot.held(slot.ring);
  }

  /** The key's facts and a table over exactly those rows, at one instant; undefined when nothing is held. */
  snapshot(producer: string, key: PairKey): { held: HeldKey; table: Table } | undefined {
    const slot = this.find(producer, key);
    const ring = slot?.ring;
    if (slot === undefined || ring === undefined) return undefined;
    return { held: slot.held(ring), table: this.table(slot, ring) };
  }

  /** Every producer's last whitelist. */
  allWhitelists(): ReadonlyMap<string, readonly string[]> {
    return this.whitelists;
  }

  /**
   * A table over the key's ring. Its view is made on the first read and shares its schema with the keys
   * holding the same columns: a schema is stable per key until its columns change, so readers may cache by it.
   */
  private table(slot: KeySlot, ring: FrameRing): Table {
    slot.view ??= RingView.of(ring, this.views());
    return slot.view.table();
  }

  private *views(): Iterable<RingView> {
    for (const slot of this.allSlots()) if (slot.view !== undefined) yield slot.view;
  }

  private *allSlots(): Iterable<KeySlot> {
    for (const pairs of this.slots.values()) for (const slots of pairs.values()) yield* slots;
  }

  private replace(slot: KeySlot, frame: DecodedFrame, la: string): IngestOutcome {
    let ring = slot.ring;
    if (ring === undefined || !ring.sameSchema(frame)) {
      ring = slot.ring = FrameRing.allocate(this.capacity, frame);
      slot.view = undefined;
    }
    ring.replace(frame);
    ring.la = la;
    return REPLACED;
  }

  private find(producer: string, key: PairKey): KeySlot | undefined {
    const slots = this.slots.get(producer)?.get(key.pair);
    if (slots === undefined) return undefined;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (s.key.timeframe === key.timeframe && s.key.candleType === key.candleType) return s;
    }
    return undefined;
  }

  private slotFor(producer: string, key: PairKey): KeySlot {
    const found = this.find(producer, key);
    if (found !== undefined) return found;
    let pairs = this.slots.get(producer);
    if (pairs === undefined) this.slots.set(producer, (pairs = new Map()));
    let slots = pairs.get(key.pair);
    if (slots === undefined) pairs.set(key.pair, (slots = []));
    const slot = new KeySlot(producer, { pair: key.pair, timeframe: key.timeframe, candleType: key.candleType }, timeframeMs(key.timeframe) ?? NaN);
    slots.push(slot);
    return slot;
  }
}
