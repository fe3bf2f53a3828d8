/**
 * The design change issue 14 asks to measure first: the rows of a frame scanned by WebAssembly
 * (bench/wasm-rows/rows.c, built here with Debian's clang-14 and wasm-ld-14, -msimd128) against FrameDecoder's
 * JS loop, on the 100 full frames the demo producer sends a connecting consumer (100 pairs x 1500 x 30).
 *
 * The wasm side is given every advantage but none of the JS side's work: its column plan comes from the names
 * (as the decoder's default states), the frame text is copied into its memory and the columns out of it into
 * typed arrays (both timed). Before any timing, every cell of every message is compared with the JS decoder's
 * (doubles bit for bit, valid bytes, int8, dates), and every vector and 3,000 mutants of both are tried: a cell
 * the scanner does not take makes it give the message back (BAIL), never a different value.
 *
 * Timed twice: in fresh processes (the connect burst: module compile, first, tenth and last frame, the whole
 * 100, CPU), and warm (median of many decodes of one frame).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoProducer } from '../src/demo/index.js';
import { Random } from '../src/demo/random.js';
import { SIGNAL_COLUMNS, TAG_COLUMNS } from '../src/protocol/index.js';
import { parseEnvelope } from '../src/wire/envelope.js';
import { charOut, decodeInnerString, innerStringEnd } from '../src/wire/escaped-text.js';
import { FrameDecoder } from '../src/wire/frame-decoder.js';
import { VECTORS_DIR } from '../test/helpers/vectors.js';
import { capture } from './_capture.js';
import { medians } from './_timing.js';

const PAIRS = 100;
const ROWS = 1500;
const COLUMNS = 30;
const TOKEN = 'bench-decoder-wasm-token';
const MUTANTS = 3000;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCE = join(ROOT, 'bench', 'wasm-rows', 'rows.c');

const enum Kind { Date = 0, F64 = 1, Int8 = 2, Tag = 3 }
const SIGNALS: ReadonlySet<string> = new Set(SIGNAL_COLUMNS);
const TAGS: ReadonlySet<string> = new Set(TAG_COLUMNS);
/** The members of a frame as they stand in the escaped frame text. */
const DATA_MEMBER = Buffer.from(',\\"data\\":');
const COLUMNS_MEMBER = Buffer.from('{\\"columns\\":');
const INDEX_MEMBER = Buffer.from(',\\"index\\":[');
/** rows.c's flags on a listed cell: a string JS must decode, a number JS must round. */
const NOT_PLAIN = 1 << 30;
const LONG_NUMBER = 1 << 29;
const TWO_63 = 2 ** 63;
const ch = charOut();

/** The module's bytes, or why it could not be built. */
function build(dir: string): Buffer | string {
  const obj = join(dir, 'rows.o');
  const wasm = join(dir, 'rows.wasm');
  const cc = spawnSync('clang-14', ['--target=wasm32', '-O3', '-msimd128', '-nostdlib', '-c', '-o', obj, SOURCE], { encoding: 'utf8' });
  if (cc.error !== undefined || cc.status !== 0) return `clang-14 failed (apt-get install clang-14 lld-14): ${cc.error?.message ?? cc.stderr.trim()}`;
  const ld = spawnSync('wasm-ld-14', ['--no-entry', '--export=scan_rows', '--export=heap_base', '-o', wasm, obj], { encoding: 'utf8' });
  if (ld.error !== undefined || ld.status !== 0) return `wasm-ld-14 failed (apt-get install lld-14): ${ld.error?.message ?? ld.stderr.trim()}`;
  return readFileSync(wasm);
}

interface Columns {
  rows: number;
  dates: Float64Array;
  /** Per wire column (date's entry unused): its values and valid bytes, as FrameDecoder's arrays hold them. */
  f64: (Float64Array | undefined)[];
  i8: (Int8Array | undefined)[];
  codes: (Int32Array | undefined)[];
  dictionary: string[][];
  valid: Uint8Array[];
}

/** The scanner and its linear memory: frame text at the heap base, then the plan, dates, values, valid bytes, strings. */
class WasmRows {
  private readonly memory: WebAssembly.Memory;
  private readonly scan: (...args: number[]) => number;
  private readonly base: number;
  private names: string[] = [];
  private plan = new Uint8Array(0);
  private listRaw = Buffer.alloc(0);
  bails = 0;

  constructor(module: WebAssembly.Module) {
    const inst = new WebAssembly.Instance(module, {});
    this.memory = inst.exports['memory'] as WebAssembly.Memory;
    this.scan = inst.exports['scan_rows'] as (...args: number[]) => number;
    this.base = ((inst.exports['heap_base'] as () => number)() + 15) & ~15;
  }

  /**
   * Decodes the frame text msg[start, end) when it is exactly what pandas writes (columns, index 0..n-1, data);
   * false gives it back to the JS decoder.
   */
  decode(msg: Buffer, start: number, end: number, out: Columns): boolean {
    const frame = msg.subarray(start, end);
    if (!frame.subarray(0, COLUMNS_MEMBER.length).equals(COLUMNS_MEMBER)) return this.bail();
    const listStart = COLUMNS_MEMBER.length;
    const listEnd = frame.indexOf(']', listStart) + 1;
    if (listEnd === 0) return this.bail();
    if (!frame.subarray(listStart, listEnd).equals(this.listRaw) && !this.layout(frame.subarray(listStart, listEnd))) return this.bail();
    if (!frame.subarray(listEnd, listEnd + INDEX_MEMBER.length).equals(INDEX_MEMBER)) return this.bail();
    // the index: 0,1,2,... as pandas numbers a fresh frame's rows
    let p = listEnd + INDEX_MEMBER.length;
    let labels = 0;
    if (frame[p] === 0x5d) p++;
    else for (;;) {
      const digits = String(labels);
      for (let i = 0; i < digits.length; i++) if (frame[p + i] !== digits.charCodeAt(i)) return this.bail();
      p += digits.length;
      labels++;
      if (frame[p] === 0x5d) { p++; break; }
      if (frame[p++] !== 0x2c) return this.bail();
    }
    if (!frame.subarray(p, p + DATA_MEMBER.length).equals(DATA_MEMBER)) return this.bail();
    const dataAt = p + DATA_MEMBER.length;
    const ncols = this.names.length;
    const cap = ROWS;
    const text = this.base, plan = text + frame.length + 15 & ~15, dates = plan + ncols + 15 & ~15;
    const values = dates + cap * 8, valid = values + ncols * cap * 8, count = valid + ncols * cap + 15 & ~15;
    const strs = count + 16, maxStrs = cap * ncols;
    const need = strs + maxStrs * 16 - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    const mem = new Uint8Array(this.memory.buffer);
    mem.set(frame, text);
    mem.set(this.plan, plan);
    const rows = this.scan(text, dataAt, frame.length, plan, ncols, cap, dates, values, valid, strs, maxStrs, count, count + 4);
    if (rows < 0 || rows !== labels) return this.bail();
    const after = new Int32Array(this.memory.buffer, count + 4, 1)[0]!;
    if (after !== frame.length - 1 || frame[after] !== 0x7d) return this.bail();
    const buf = this.memory.buffer;
    out.rows = rows;
    out.dates.set(new Float64Array(buf, dates, rows));
    for (let k = 0; k < ncols; k++) {
      const kind = this.plan[k];
      if (kind === Kind.Date) continue;
      const at = values + k * cap * 8;
      if (kind === Kind.Int8) (out.i8[k] ??= new Int8Array(cap)).set(new Int8Array(buf, at, rows));
      else if (kind === Kind.F64) (out.f64[k] ??= new Float64Array(cap)).set(new Float64Array(buf, at, rows));
      else (out.codes[k] ??= new Int32Array(cap)).fill(-1, 0, rows);
      (out.valid[k] ??= new Uint8Array(cap)).set(new Uint8Array(buf, valid + k * cap, rows));
    }
    const listed = new Int32Array(buf, strs, new Int32Array(buf, count, 1)[0]! * 4); // strings, long numbers
    const lookup = new Map<string, number>();
    for (let k = 0; k < ncols; k++) if (this.plan[k] === Kind.Tag) (out.dictionary[k] ??= []).length = 0;
    for (let i = 0; i < listed.length; i += 4) {
      const k = listed[i + 1]! & ~(NOT_PLAIN | LONG_NUMBER), s = listed[i + 2]!, e = listed[i + 3]!;
      if (listed[i + 1] === (k | LONG_NUMBER)) {
        // |v| >= 2^63 (±Infinity included) is for FrameDecoder: nulls, integers it refuses, floats it takes
        const v = Number(frame.toString('latin1', s, e));
        if (v >= TWO_63 || v <= -TWO_63) return this.bail();
        out.f64[k]![listed[i]!] = v;
        out.valid[k]![listed[i]!] = 1;
        continue;
      }
      let text: string;
      if (listed[i + 1] === k) text = frame.toString('latin1', s, e);
      else if (innerStringEnd(frame, s, frame.length, ch) === e) text = decodeInnerString(frame, s, e, ch);
      else return this.bail();
      const dict = out.dictionary[k]!;
      let code = lookup.get(`${k}:${text}`);
      if (code === undefined) lookup.set(`${k}:${text}`, (code = dict.push(text) - 1));
      out.codes[k]![listed[i]!] = code;
    }
    return true;
  }

  columnNames(): readonly string[] {
    return this.names;
  }

  /** Takes the column list if the JS decoder would (strings, no duplicates, a date), else false. */
  private layout(raw: Buffer): boolean {
    let names: unknown;
    try {
      names = JSON.parse(JSON.parse(`"${raw.toString('latin1')}"`) as string);
    } catch {
      return false;
    }
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string') || new Set(names).size !== names.length || !names.includes('date')) return false;
    this.names = names as string[];
    this.plan = Uint8Array.from(this.names, (n) => n === 'date' ? Kind.Date : SIGNALS.has(n) ? Kind.Int8 : TAGS.has(n) ? Kind.Tag : Kind.F64);
    this.listRaw = Buffer.from(raw);
    return true;
  }

  private bail(): false {
    this.bails++;
    return false;
  }
}

const emptyColumns = (): Columns => ({ rows: 0, dates: new Float64Array(ROWS), f64: [], i8: [], codes: [], dictionary: [], valid: [] });

/** Where the wasm result differs from the JS decoder's frame, or '' when every cell is the same. */
function difference(js: FrameDecoder, names: readonly string[], w: Columns): string {
  const f = js.frame;
  if (f.rows !== w.rows) return `${w.rows} rows, JS ${f.rows}`;
  for (let r = 0; r < f.rows; r++) if (!Object.is(f.dates[r], w.dates[r])) return `date of row ${r}`;
  for (let k = 0; k < names.length; k++) {
    if (names[k] === 'date') continue;
    const c = f.columns.find((x) => x.name === names[k]);
    if (c === undefined) return `column ${names[k]} missing in JS`;
    const planned = SIGNALS.has(names[k]!) ? 'int8' : TAGS.has(names[k]!) ? 'dict' : 'float64';
    if (c.kind !== planned) return `${names[k]} is ${c.kind} in JS, ${planned} in wasm`;
    for (let r = 0; r < f.rows; r++) {
      if (c.valid[r] !== w.valid[k]![r]) return `${names[k]} row ${r}: valid ${w.valid[k]![r]}, JS ${c.valid[r]}`;
      if (c.kind === 'float64' && c.valid[r] === 1 && !Object.is(c.f64[r], w.f64[k]![r])) return `${names[k]} row ${r}: ${w.f64[k]![r]}, JS ${c.f64[r]}`;
      if (c.kind === 'float64' && w.f64[k] === undefined) return `${names[k]} is float64 in JS`;
      if (c.kind === 'int8' && c.i8[r] !== w.i8[k]![r]) return `${names[k]} row ${r}: ${w.i8[k]![r]}, JS ${c.i8[r]}`;
      if (c.kind === 'dict' && c.valid[r] === 1 && c.dictionary[c.codes[r]!] !== w.dictionary[k]![w.codes[k]![r]!]) return `${names[k]} row ${r}: text differs`;
      if (c.kind === 'dict' && c.valid[r] === 0 && w.codes[k]![r] !== -1) return `${names[k]} row ${r}: code of a null`;
    }
  }
  return '';
}

interface ColdRun { compileMs: number; first: number; tenth: number; last: number; totalMs: number; cpuMs: number; bails: number }

/** In a fresh process: decode every message of `file` with `which`, timing each. */
function coldChild(which: 'js' | 'wasm', file: string, wasmFile: string): void {
  const messages = readFileSync(file, 'utf8').split('\n').map((m) => Buffer.from(m));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const wasm = which === 'wasm' ? new WasmRows(new WebAssembly.Module(readFileSync(wasmFile))) : undefined;
  const compileMs = performance.now() - t0;
  const js = new FrameDecoder();
  const out = emptyColumns();
  const times: number[] = [];
  for (const msg of messages) {
    const t = performance.now();
    const env = parseEnvelope(msg);
    if (env.kind !== 'analyzed_df') continue;
    if (wasm === undefined || !wasm.decode(msg, env.frameStart, env.frameEnd, out)) {
      const r = js.decode(msg, env.frameStart, env.frameEnd, { removeSignals: false });
      if (!r.ok) throw new Error(r.reason);
    }
    times.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  const run: ColdRun = {
    compileMs, first: times[0]!, tenth: times[9]!, last: times[times.length - 1]!,
    totalMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, bails: wasm?.bails ?? 0,
  };
  console.log(JSON.stringify(run));
}

function cold(which: 'js' | 'wasm', file: string, wasmFile: string): ColdRun {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'cold', which, file, wasmFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cold ${which} run failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ColdRun;
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-bench-wasm-'));
  const producer = await startDemoProducer({ token: TOKEN, pairs: Array.from({ length: PAIRS }, (_, i) => `P${i}/USDT`), history: ROWS, columns: COLUMNS, candleIntervalMs: 0 });
  try {
    const bytes = build(tmp);
    if (typeof bytes === 'string') {
      console.log(`skipped: ${bytes}`);
      return;
    }
    const wasmFile = join(tmp, 'rows.wasm');
    const texts = await capture(producer, TOKEN, PAIRS, ROWS);
    const file = join(tmp, 'messages.txt');
    writeFileSync(file, texts.join('\n'));
    const module = new WebAssembly.Module(bytes);

    // Same cells, or given back: the burst's 100 messages, then every vector.
    const js = new FrameDecoder();
    const w = new WasmRows(module);
    const out = emptyColumns();
    let same = 0;
    const check = (msg: Buffer, what: string): void => {
      const env = parseEnvelope(msg);
      if (env.kind !== 'analyzed_df') return;
      const r = js.decode(msg, env.frameStart, env.frameEnd, { removeSignals: false });
      if (!w.decode(msg, env.frameStart, env.frameEnd, out)) return;
      if (!r.ok) throw new Error(`${what}: wasm decoded a message the JS decoder refuses (${r.reason})`);
      const diff = difference(js, w.columnNames(), out);
      if (diff !== '') throw new Error(`${what}: wasm and JS differ: ${diff}`);
      same++;
    };
    texts.forEach((t, i) => check(Buffer.from(t), `message ${i}`));
    const burstBails = w.bails;
    const vectors = readdirSync(VECTORS_DIR).filter((n) => n.endsWith('.wire')).sort().map((f) => readFileSync(join(VECTORS_DIR, f)));
    vectors.forEach((v, i) => check(v, `vector ${i}`));
    const vectorBails = w.bails - burstBails;
    console.log(`wasm module ${bytes.length} bytes; cell for cell as the JS decoder: ${same} messages (the burst's ${PAIRS} with ${burstBails} given back, then the vectors: ${vectorBails} given back)`);
    // Mutants: 1-3 bytes of a burst message or a vector replaced by JSON's structural characters, digits, escapes.
    const rng = new Random(14);
    const random = (): number => rng.next();
    const alphabet = Buffer.from('0123456789-+.eE,[]{}"\\nul tfaNI:');
    const [sameBefore, bailsBefore] = [same, w.bails];
    let refused = 0;
    for (let i = 0; i < MUTANTS; i++) {
      const source = i % 2 === 0 ? Buffer.from(texts[1 + (i >> 1) % PAIRS]!) : Buffer.from(vectors[(i >> 1) % vectors.length]!);
      for (let e = 1 + Math.floor(random() * 3); e > 0; e--) source[Math.floor(random() * source.length)] = alphabet[Math.floor(random() * alphabet.length)]!;
      const env = parseEnvelope(source);
      if (env.kind === 'analyzed_df' && !js.decode(source, env.frameStart, env.frameEnd, { removeSignals: false }).ok) refused++;
      check(source, `mutant ${i}`);
    }
    console.log(`${MUTANTS} mutants: ${same - sameBefore} decoded by wasm as by JS, ${w.bails - bailsBefore} given back, none different (${refused} refused by the JS decoder)`);

    const line = (name: string, r: ColdRun[]): string => {
      const med = (get: (x: ColdRun) => number): string => {
        const xs = r.map(get).sort((a, b) => a - b);
        return `${xs[xs.length >> 1]!.toFixed(1)} (${xs[0]!.toFixed(1)}-${xs[xs.length - 1]!.toFixed(1)})`;
      };
      return `  ${name.padEnd(5)} compile ${med((x) => x.compileMs)} ms, frame 1 ${med((x) => x.first)} ms, frame 10 ${med((x) => x.tenth)} ms, ` +
        `frame 100 ${med((x) => x.last)} ms; all 100: ${med((x) => x.totalMs)} ms wall, ${med((x) => x.cpuMs)} ms CPU (whole process)` +
        (name === 'wasm' ? `; given back to JS: ${med((x) => x.bails)}` : '');
    };
    const jsRuns: ColdRun[] = [];
    const wasmRuns: ColdRun[] = [];
    for (let i = 0; i < 5; i++) { jsRuns.push(cold('js', file, wasmFile)); wasmRuns.push(cold('wasm', file, wasmFile)); }
    console.log(`fresh process, envelope + decode of the ${PAIRS} messages, 5 runs each, median (range):`);
    console.log(line('JS', jsRuns));
    console.log(line('wasm', wasmRuns));

    const msg = Buffer.from(texts[1]!);
    const env = parseEnvelope(msg);
    if (env.kind !== 'analyzed_df') throw new Error('message 1 is not an analyzed_df');
    const decodeJs = (): void => { js.decode(msg, env.frameStart, env.frameEnd, { removeSignals: false }); };
    const decodeWasm = (): void => {
      if (!w.decode(msg, env.frameStart, env.frameEnd, out)) throw new Error('wasm gave message 1 back: nothing to time');
    };
    for (let i = 0; i < 300; i++) { decodeJs(); decodeWasm(); }
    const [tj, tw] = medians(decodeJs, decodeWasm, 20, 40);
    console.log(`warm, one full frame (${msg.length} bytes, decode only): JS ${tj.toFixed(0)} us (${(env.frameEnd - env.frameStart) / tj | 0} MB/s), wasm ${tw.toFixed(0)} us (${(env.frameEnd - env.frameStart) / tw | 0} MB/s): ${(tj / tw).toFixed(1)}x`);
  } finally {
    await producer.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'cold') coldChild(process.argv[3] as 'js' | 'wasm', process.argv[4]!, process.argv[5]!);
else await main();
