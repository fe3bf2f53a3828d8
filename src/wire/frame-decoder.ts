import {
  OHLCV_COLUMNS, SIGNAL_COLUMNS, TAG_COLUMNS, type ColumnKind, type DecodedFrame,
} from '../protocol/index.js';
import { Ch, EscapedJsonReader, FAIL } from './escaped-json-reader.js';
import { decodeInnerString, innerStringEnd } from './escaped-text.js';
import { FrameColumn, Put, State } from './frame-column.js';
import { scanNumber } from './json-number.js';

/**
 * Decodes the frame text of an analyzed_df message (pandas `to_json(orient="split")`, still escaped inside the
 * outer message) straight into the typed arrays of a reusable DecodedFrame: one pass over the bytes, no
 * JSON.parse, no per-row objects, strings only for tag cells (deduplicated per column by their raw bytes).
 * Numbers are correctly rounded (as JSON.parse); NaN/Infinity literals, null and floats beyond the double range
 * are null; integers beyond 64 bits, ragged rows and anything not split orient fail the message with a reason.
 */

export interface DecodeOptions {
  /** Kinds the store holds for this key (stable types). A value that does not fit one decodes the message again without hints. */
  hint?: ReadonlyMap<string, ColumnKind> | undefined;
  /** Projection: keep only these + date + OHLCV. Pass the same Set every time: its identity caches the layout. */
  keep?: ReadonlySet<string> | null | undefined;
  /** freqtrade's remove_entry_exit_signals, applied while decoding. */
  removeSignals: boolean;
}

export type DecodeResult = { ok: true } | { ok: false; reason: string };

const OK: DecodeResult = Object.freeze({ ok: true });
const MISMATCH = -2; // a value does not fit its hinted kind: decode again without hints

const DATE = -2; // slot of the date column
const SKIP = -1; // slot of a column the projection drops
const MAX_DATE_MS = 8.64e15; // the range of a JS Date
const MAX_COLUMNS = 16_384; // FreqAI frames reach a few thousand; a garbage list of millions must not become strings
const TWO_63 = 2 ** 63;
const SIGNALS: ReadonlySet<string> = new Set(SIGNAL_COLUMNS);
const TAGS: ReadonlySet<string> = new Set(TAG_COLUMNS);
const OHLCV: ReadonlySet<string> = new Set(OHLCV_COLUMNS);
/** Columns remove_entry_exit_signals sets, in the order freqtrade adds the missing ones. */
const REMOVED_SIGNALS: readonly string[] = [...SIGNAL_COLUMNS, ...TAG_COLUMNS];
const HINTED_STATE: Readonly<Record<ColumnKind, State>> = {
  float64: State.F64, int8: State.Int8, bool: State.Bool, dict: State.Dict,
};

/** One per connection: `frame` is reused, with its arrays, by every message. */
export class FrameDecoder extends EscapedJsonReader {
  /** Rows [0, frame.rows) of the last successful decode; rows = 0 and no columns after a failure. */
  readonly frame: DecodedFrame = { rows: 0, dates: new Float64Array(0), columns: [] };

  private seq = 0;
  private cap = 0;
  /** Per column position on the wire: DATE, SKIP or the index in frame.columns. */
  private slot = new Int32Array(32);
  private ncols = -1;
  private hasDate = false;
  /** The column names on the wire, their raw list (to recognise it next time) and their set. */
  private readonly names: string[] = [];
  private listRaw = new Uint8Array(0);
  private readonly nameSet = new Set<string>();
  /** Whether slot and frame.columns are those of `names` under this projection and signal removal. */
  private layoutValid = false;
  private layoutKeep: DecodeOptions['keep'] = undefined;
  private layoutRemove = false;
  /** The columns of the latest message by name, reused (with their arrays) when names move. */
  private readonly pool = new Map<string, FrameColumn>();

  /** Decodes the frame text msg[start, end) into `frame`. Never throws. */
  decode(msg: Buffer, start: number, end: number, opts: DecodeOptions): DecodeResult {
    let r = FAIL;
    try {
      r = this.run(msg, start, end, opts, opts.hint);
      if (r === MISMATCH) r = this.run(msg, start, end, opts, undefined);
    } catch (e) {
      this.reason = `internal decoder error: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.release();
    }
    if (r >= 0) return OK;
    this.frame.rows = 0;
    this.frame.columns.length = 0;
    this.listRaw = new Uint8Array(0); // whatever a bad message left half-read, the next one starts from scratch
    this.layoutValid = false;
    return { ok: false, reason: this.reason };
  }

  private run(msg: Buffer, start: number, end: number, opts: DecodeOptions, hint: DecodeOptions['hint']): number {
    this.start(msg, start, end);
    this.seq++;
    this.ncols = -1;
    this.frame.rows = 0;
    let indexLength = -1;
    let dataAt = -1;
    let data = false;

    let p = this.ws(start);
    if (this.charAt(p) !== Ch.OpenObj) return this.fail(p, 'frame is not a JSON object');
    p = this.ws(p + this.ch.width);
    if (this.charAt(p) === Ch.CloseObj) p += this.ch.width;
    else for (;;) {
      p = this.memberName(p);
      if (p < 0) return p;
      p = this.ws(p);
      if (this.isName('columns')) {
        if (this.ncols >= 0) return this.fail(p, 'duplicate "columns"');
        p = this.columns(p, opts, hint);
      } else if (this.isName('index')) {
        if (indexLength >= 0) return this.fail(p, 'duplicate "index"');
        if (this.charAt(p) !== Ch.Open) return this.fail(p, '"index" is not a list');
        p = this.skipValue(p);
        indexLength = this.listLength;
      } else if (this.isName('data')) {
        if (data) return this.fail(p, 'duplicate "data"');
        data = true;
        if (this.ncols >= 0) p = this.data(p, indexLength);
        else { dataAt = p; p = this.skipValue(p); } // columns come later: decode the rows once they are known
      } else {
        return this.fail(this.nameStart, 'unexpected member (not a split-orient frame)');
      }
      if (p < 0) return p;
      p = this.ws(p);
      const c = this.charAt(p);
      if (c === Ch.CloseObj) { p += this.ch.width; break; }
      if (c !== Ch.Comma) return this.fail(p, p >= end ? 'truncated frame' : 'expected , or } after a frame member');
      p = this.ws(p + this.ch.width);
    }
    if (this.ws(p) !== end) return this.fail(p, 'text after the frame');
    if (this.ncols < 0) return this.fail(-1, 'frame has no "columns" (not split orient)');
    if (!data) return this.fail(-1, 'frame has no "data" (not split orient)');
    if (dataAt >= 0 && (p = this.data(dataAt, indexLength)) < 0) return p;
    const rows = this.frame.rows;
    if (!this.hasDate && (this.ncols > 0 || rows > 0)) return this.fail(-1, 'frame has no "date" column');
    if (indexLength >= 0 && indexLength !== rows) return this.fail(-1, `"index" has ${indexLength} labels for ${rows} rows`);
    this.finish(rows);
    return 0;
  }

  /** Whether the last member name read is `word` (compared as bytes: no string is made). */
  private isName(word: string): boolean {
    const s = this.nameStart;
    if (!this.namePlain || this.nameEnd - s !== word.length) return false;
    for (let i = 0; i < word.length; i++) if (this.b[s + i] !== word.charCodeAt(i)) return false;
    return true;
  }

  /**
   * Reads the column names and decides, per name, where its values go and in what state its column starts. A list
   * byte-identical to the previous message's (the usual case) is recognised with one compare: no strings are made.
   */
  private columns(p: number, opts: DecodeOptions, hint: DecodeOptions['hint']): number {
    const b = this.b, ch = this.ch, last = this.listRaw;
    if (last.length > 0 && p + last.length <= this.end && b.compare(last, 0, last.length, p, p + last.length) === 0) {
      p += last.length;
    } else {
      const listStart = p;
      if (this.charAt(p) !== Ch.Open) return this.fail(p, '"columns" is not a list');
      p = this.ws(p + ch.width);
      const names = this.names;
      names.length = 0;
      if (this.charAt(p) === Ch.Close) p += ch.width;
      else for (;;) {
        if (this.charAt(p) !== Ch.Quote) return this.fail(p, `column name ${names.length} is not a string`);
        if (names.length === MAX_COLUMNS) return this.fail(p, `more than ${MAX_COLUMNS} columns`);
        const s = p + ch.width;
        const e = innerStringEnd(b, s, this.end, ch);
        if (e < 0) return this.fail(s, 'malformed string');
        p = e + ch.width;
        names.push(ch.plain ? b.toString('latin1', s, e) : decodeInnerString(b, s, e, ch));
        p = this.ws(p);
        const c = this.charAt(p);
        if (c === Ch.Close) { p += ch.width; break; }
        if (c !== Ch.Comma) return this.fail(p, p >= this.end ? 'truncated frame' : 'expected , or ] in "columns"');
        p = this.ws(p + ch.width);
      }
      const seen = this.nameSet;
      seen.clear();
      for (const name of names) {
        if (seen.has(name)) return this.fail(-1, `duplicate column ${JSON.stringify(name)}`);
        seen.add(name);
      }
      this.listRaw = new Uint8Array(b.subarray(listStart, p));
      this.layoutValid = false;
    }
    if (!this.layoutValid || opts.keep !== this.layoutKeep || opts.removeSignals !== this.layoutRemove) {
      this.layout(opts.keep ?? null, opts.removeSignals);
      this.layoutValid = true;
      this.layoutKeep = opts.keep;
      this.layoutRemove = opts.removeSignals;
    }
    for (const col of this.frame.columns as FrameColumn[]) this.prepare(col, opts.removeSignals, hint?.get(col.name));
    this.ncols = this.names.length;
    return p;
  }

  /** Where each wire position goes (date, dropped, or a column), and the frame's column list. */
  private layout(keep: ReadonlySet<string> | null, removeSignals: boolean): void {
    const names = this.names, n = names.length;
    const cols = this.frame.columns as FrameColumn[];
    if (this.slot.length < n) this.slot = new Int32Array(n * 2);
    this.hasDate = false;
    let m = 0;
    for (let k = 0; k < n; k++) {
      const name = names[k]!;
      if (name === 'date') {
        this.slot[k] = DATE;
        this.hasDate = true;
      } else if (keep !== null && !keep.has(name) && !OHLCV.has(name)) {
        this.slot[k] = SKIP;
      } else {
        this.slot[k] = m;
        cols[m++] = this.column(name);
      }
    }
    if (removeSignals) {
      for (const name of REMOVED_SIGNALS) {
        if (!this.nameSet.has(name) && (keep === null || keep.has(name))) cols[m++] = this.column(name);
      }
    }
    cols.length = m;
  }

  private column(name: string): FrameColumn {
    let col = this.pool.get(name);
    if (col === undefined) {
      col = new FrameColumn(name, SIGNALS.has(name), TAGS.has(name));
      this.pool.set(name, col);
    }
    return col;
  }

  private prepare(col: FrameColumn, removeSignals: boolean, kind: ColumnKind | undefined): void {
    col.seen = this.seq;
    col.hinted = kind !== undefined;
    if (removeSignals && (col.signal || col.tag)) col.state = State.Forced;
    else if (kind !== undefined) col.state = HINTED_STATE[kind];
    else col.state = col.signal ? State.Int8 : col.tag ? State.Dict : State.F64;
  }

  /** Decodes the rows of "data" (p at its opening bracket). */
  private data(p: number, indexLength: number): number {
    const end = this.end, ch = this.ch, frame = this.frame;
    const ncols = this.ncols;
    const cols = frame.columns as FrameColumn[];
    if (this.charAt(p) !== Ch.Open) return this.fail(p, '"data" is not a list');
    p = this.ws(p + ch.width);

    const cap = Math.max(indexLength, 1);
    this.cap = cap;
    const d = frame.dates;
    if (d.length < cap || (d.length > 4 * cap && d.length > 4096)) frame.dates = new Float64Array(cap);
    for (let i = 0; i < cols.length; i++) cols[i]!.begin(cap);

    let row = 0;
    if (this.charAt(p) === Ch.Close) return p + ch.width;
    for (;;) {
      if (this.charAt(p) !== Ch.Open) return this.fail(p, p >= end ? 'truncated frame' : `row ${row} is not a list`);
      p = this.ws(p + ch.width);
      if (ncols > 0 && this.charAt(p) === Ch.Close) return this.fail(-1, `ragged row ${row}: 0 values for ${ncols} columns`);
      if (row === this.cap) this.grow(row);
      if ((p = this.cells(p, row)) < 0) return p;
      p = this.ws(p);
      let c = this.charAt(p);
      if (c === Ch.Comma || (ncols === 0 && c !== Ch.Close && c >= 0)) return this.extraValues(p, row);
      if (c !== Ch.Close) return this.fail(p, p >= end ? 'truncated frame' : `expected ] after row ${row}`);
      row++;
      p = this.ws(p + ch.width);
      c = this.charAt(p);
      if (c === Ch.Close) { p += ch.width; break; }
      if (c !== Ch.Comma) return this.fail(p, p >= end ? 'truncated frame' : 'expected , or ] between rows');
      p = this.ws(p + ch.width);
    }
    frame.rows = row;
    return p;
  }

  /**
   * The cells of one row (p at its first value): the position after the last, or FAIL / MISMATCH. A method of
   * its own, called per row, so that V8 compiles this hot part once like any function, instead of replacing the
   * whole of data() mid-loop (on-stack replacement) again and again while the first frames arrive.
   */
  private cells(p: number, row: number): number {
    const b = this.b, end = this.end, num = this.num, frame = this.frame, slot = this.slot;
    const ncols = this.ncols;
    const cols = frame.columns as FrameColumn[];
    for (let k = 0; k < ncols; k++) {
      if (k > 0) {
        if (p < end && b[p] === Ch.Comma) p++;
        else if ((p = this.comma(p, k, row)) < 0) return p;
      }
      const s = slot[k]!;
      if (s >= 0) {
        // hot paths inline: a number in a float64 column, 0/1 in a signal column, null; cell() does the rest
        const col = cols[s]!;
        const state = col.state;
        const c = p < end ? b[p]! : -1;
        if (state === State.F64 && ((c >= 0x30 && c <= 0x39) || c === Ch.Minus)) {
          const q = scanNumber(b, p, end, num);
          const v = num.value;
          if (q >= 0 && v < TWO_63 && v > -TWO_63) {
            col.f64[row] = v;
            col.valid[row] = 1;
            p = q;
            continue;
          }
        } else if (state === State.Int8 && (c === 0x30 || c === 0x31) && p + 1 < end && (b[p + 1] === Ch.Comma || b[p + 1] === Ch.Close)) {
          col.i8[row] = c - 0x30;
          col.valid[row] = 1;
          p++;
          continue;
        } else if (c === 0x6e && p + 4 <= end && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c) {
          col.putNull(row);
          p += 4;
          continue;
        }
        p = this.cell(p, col, row);
      } else if (s === DATE) {
        const q = scanNumber(b, p, end, num);
        const v = num.value;
        if (q >= 0 && Number.isInteger(v) && v <= MAX_DATE_MS && v >= -MAX_DATE_MS) {
          frame.dates[row] = v;
          p = q;
          continue;
        }
        p = this.date(p, row);
      } else {
        p = this.skipCell(p, row);
      }
      if (p < 0) return p;
    }
    return p;
  }

  /** The separator before value k of a row, when it is not a plain comma. */
  private comma(p: number, k: number, row: number): number {
    p = this.ws(p);
    const c = this.charAt(p);
    if (c === Ch.Comma) return p + this.ch.width;
    if (c === Ch.Close) return this.fail(-1, `ragged row ${row}: ${k} values for ${this.ncols} columns`);
    return this.fail(p, p >= this.end ? 'truncated frame' : `expected , in row ${row}`);
  }

  /** A cell of a column the projection drops: checked, not kept. */
  private skipCell(p: number, row: number): number {
    p = this.ws(p);
    const c = this.charAt(p);
    if (c === Ch.Open || c === Ch.OpenObj) return this.fail(p, `unsupported value (list or object) in row ${row}`);
    return this.skipValue(p);
  }

  /** A row longer than the column list: count its values for the reason. */
  private extraValues(p: number, row: number): number {
    let n = this.ncols;
    if (this.charAt(p) === Ch.Comma) p += this.ch.width;
    for (;;) {
      if ((p = this.skipValue(p)) < 0) return p;
      n++;
      p = this.ws(p);
      const c = this.charAt(p);
      if (c === Ch.Close) return this.fail(-1, `ragged row ${row}: ${n} values for ${this.ncols} columns`);
      if (c !== Ch.Comma) return this.fail(p, p >= this.end ? 'truncated frame' : `expected , or ] in row ${row}`);
      p += this.ch.width;
    }
  }

  private date(p: number, row: number): number {
    p = this.ws(p);
    const q = this.numberAt(p, this.charAt(p)) ? this.number(p) : FAIL;
    const v = this.num.value;
    if (q < 0 || !Number.isInteger(v) || Math.abs(v) > MAX_DATE_MS) {
      return this.fail(p, `date in row ${row} is not an integer of epoch milliseconds`);
    }
    this.frame.dates[row] = v;
    return q;
  }

  /** Any cell of a kept column (p at its first byte). */
  private cell(p: number, col: FrameColumn, row: number): number {
    p = this.ws(p);
    const c = this.charAt(p);
    if (this.numberAt(p, c)) {
      const q = this.number(p);
      if (q < 0) return q;
      const v = this.num.value;
      if (v === Infinity || v === -Infinity) {
        col.putNull(row); // beyond the double range: pandas reads ±inf, held as null like every non-finite value
        return q;
      }
      return this.put(col.putNumber(row, v, this.cap), col, row, q);
    }
    let q: number;
    switch (c) {
      case 0x6e: q = this.literal(p, 'null'); break;
      case 0x4e: q = this.literal(p, 'NaN'); break;
      case Ch.LetterI: q = this.literal(p, 'Infinity'); break;
      case Ch.Minus: q = this.literal(p, '-Infinity'); break;
      case 0x74: q = this.literal(p, 'true'); return q < 0 ? q : this.put(col.putBool(row, 1, this.cap), col, row, q);
      case 0x66: q = this.literal(p, 'false'); return q < 0 ? q : this.put(col.putBool(row, 0, this.cap), col, row, q);
      case Ch.Quote: return this.string(p + this.ch.width, col, row);
      case Ch.Open: case Ch.OpenObj: return this.fail(p, `unsupported value (list or object) in row ${row}`);
      default: return this.fail(p, p >= this.end ? 'truncated frame' : `unexpected character in row ${row}`);
    }
    if (q >= 0) col.putNull(row);
    return q;
  }

  /** A string cell whose content starts at s. */
  private string(s: number, col: FrameColumn, row: number): number {
    const e = innerStringEnd(this.b, s, this.end, this.ch);
    if (e < 0) return this.fail(s, `malformed string in row ${row}`);
    const q = e + this.ch.width;
    return this.put(col.putString(row, this.b, s, e, this.ch, this.cap), col, row, q);
  }

  /** Position q after a value the column took, or what its refusal means. */
  private put(r: Put, col: FrameColumn, row: number, q: number): number {
    if (r === Put.Ok) return q;
    if (r === Put.Mismatch) return MISMATCH;
    return this.fail(-1, `column ${JSON.stringify(col.name)} mixes text and numbers (row ${row})`);
  }

  private grow(rows: number): void {
    const cap = this.cap * 2;
    const frame = this.frame;
    if (frame.dates.length < cap) {
      const dates = new Float64Array(cap);
      dates.set(frame.dates.subarray(0, rows));
      frame.dates = dates;
    }
    for (const col of frame.columns as FrameColumn[]) col.grow(cap, rows);
    this.cap = cap;
  }

  /** Settles kinds (and the columns remove_entry_exit_signals sets), forgets columns no longer sent. */
  private finish(rows: number): void {
    const frame = this.frame;
    for (const col of frame.columns as FrameColumn[]) col.finish(rows, this.cap);
    frame.rows = rows;
    if (this.pool.size > frame.columns.length) {
      for (const [name, col] of this.pool) if (col.seen !== this.seq) this.pool.delete(name);
    }
  }
}
