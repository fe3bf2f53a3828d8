/**
 * The frames a consumer holds, per (producer, pair, timeframe, candle_type), kept by freqtrade's consumer
 * rules (PROTOCOL.md "What the consumer does with a frame", steps 2-7; freqtrade's
 * DataProvider._add_external_df). Decoded frames are copied into per-key rings; strategies read them as
 * Arrow tables over those rings.
 */
import type { Table } from 'apache-arrow';
import type { ColumnKind, DecodedFrame } from '../wire/decoded-frame.js';
import { timeframeMs, type CandleType, type PairKey } from '../wire/market.js';
import { RingView } from './arrow-view.js';
import { exportFrames, type Manifest } from './export.js';
import { FrameRing } from './frame-ring.js';
import { RequestThrottle } from './request-throttle.js';

/** freqtrade's FULL_DATAFRAME_THRESHOLD: a frame this long replaces what is held. */
export const FULL = 100;
/** What freqtrade asks for when it needs a whole frame (also the producer's cap per reply). */
export const FULL_REQUEST = 1500;

export interface StoreOptions {
  /** Rows held per key (freqtrade keeps 1500). */
  capacity: number;
  /** Monotonic milliseconds for request backoff; defaults to performance.now. */
  now?: () => number;
}

export type IngestOutcome =
  | { action: 'replaced' | 'appended' } // stored; update listeners were told
  | { action: 'request'; pair: string; limit: number } // not stored; send this request on the producer's connection
  | { action: 'held_back' }; // not stored; a request is outstanding or backing off for this key

export interface HeldKey {
  producer: string;
  key: PairKey;
  rows: number;
  firstDate: number;
  lastDate: number;
  la: string;
}

export type UpdateListener = (producer: string, key: PairKey) => void;

const REPLACED: IngestOutcome = Object.freeze({ action: 'replaced' });
const APPENDED: IngestOutcome = Object.freeze({ action: 'appended' });
const HELD_BACK: IngestOutcome = Object.freeze({ action: 'held_back' });

/** Everything known about one key: its rows (once a frame was stored) and its request state. */
class KeySlot {
  ring: FrameRing | undefined = undefined;
  /** Arrow side of `ring`, made on its first read (FrameStore.table). */
  view: RingView | undefined = undefined;
  readonly requests = new RequestThrottle();
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
  private readonly listeners: UpdateListener[] = [];
  private readonly capacity: number;
  private readonly now: () => number;

  constructor(opts: StoreOptions) {
    if (!Number.isInteger(opts.capacity) || opts.capacity < 1) throw new RangeError(`store capacity must be a positive integer, got ${opts.capacity}`);
    this.capacity = opts.capacity;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Column kinds held for the key, for the decoder (undefined: nothing held). */
  hint(producer: string, key: PairKey): ReadonlyMap<string, ColumnKind> | undefined {
    return this.find(producer, key)?.ring?.kinds;
  }

  /** Applies a decoded analyzed_df frame for `key` from `producer` (PROTOCOL.md steps 2-7). */
  ingest(producer: string, key: PairKey, la: string, frame: DecodedFrame): IngestOutcome {
    const n = frame.rows;
    if (n === 0) return HELD_BACK; // the consumer skips empty frames; nothing to store
    const slot = this.slotFor(producer, key);
    const ring = slot.ring;
    // Step 2: a full frame replaces whatever is held.
    if (n >= FULL) return this.replace(slot, frame, la);
    // Step 3, and a changed schema: a short frame cannot be appended, ask for a whole frame. The reply to
    // our own request is stored whatever its length (freqtrade would ask again forever). Over held rows of
    // another schema only a frame of several rows is taken for that reply: producers broadcast single rows,
    // and one of those must not wipe the held history.
    if (ring === undefined || !ring.sameSchema(frame)) {
      const reply = slot.requests.outstanding && (ring === undefined || n > 1);
      return reply ? this.replace(slot, frame, la) : this.request(slot, FULL_REQUEST);
    }
    // Step 4: candles missed between what is held and the incoming frame. An unknown timeframe makes d NaN:
    // no hole can be told, so the frame is appended.
    const d = ring.candlesUntil(frame, slot.timeframeMs);
    if (d > 1) {
      const missing = Math.trunc(d) + 1; // freqtrade: int(d), plus one candle of overlap
      return this.request(slot, missing < FULL ? missing : FULL_REQUEST);
    }
    // Step 5: drop held rows dated >= the incoming first date, append, keep the last `capacity` rows.
    ring.merge(frame);
    return this.stored(slot, ring, la, APPENDED);
  }

  /** The producer (re)connected: requests sent on the old connection will never be answered. */
  connectionReset(producer: string): void {
    for (const slots of this.slots.get(producer)?.values() ?? []) for (const slot of slots) slot.requests.connectionReset();
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

  /** `listener` runs synchronously after each stored replace/append; keep it cheap, it must not throw. */
  onUpdate(listener: UpdateListener): void {
    this.listeners.push(listener);
  }

  /** Writes every held frame as an Arrow IPC file plus manifest.json into `dir` (see export.ts). */
  exportTo(dir: string): Promise<Manifest> {
    const order = (h: HeldKey): string[] => [h.producer, h.key.pair, h.key.timeframe, h.key.candleType];
    const held = [...this.keys()].sort((a, b) => compareLists(order(a), order(b)));
    const sources = held.map(({ producer, key }) => () => this.snapshot(producer, key));
    return exportFrames(dir, sources, this.whitelists);
  }

  /** The key's table and its facts at one instant. */
  private snapshot(producer: string, key: PairKey): { held: HeldKey; table: Table } {
    const slot = this.find(producer, key)!;
    const ring = slot.ring!; // keys are never forgotten, and a held key always has a ring
    return { held: slot.held(ring), table: this.table(slot, ring) };
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
    return this.stored(slot, ring, la, REPLACED);
  }

  private stored(slot: KeySlot, ring: FrameRing, la: string, outcome: IngestOutcome): IngestOutcome {
    ring.la = la;
    slot.requests.answered();
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i]!(slot.producer, slot.key);
    return outcome;
  }

  private request(slot: KeySlot, limit: number): IngestOutcome {
    if (!slot.requests.tryRequest(this.now())) return HELD_BACK;
    return { action: 'request', pair: slot.key.pair, limit };
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

function compareLists(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}
