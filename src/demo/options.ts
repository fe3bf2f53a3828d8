/** The demo producer's options: defaults, validation (one clear message per problem), token checking. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isCandleType, timeframeMs, type CandleType } from '../protocol/index.js';
import type { ChannelOptions, DemoLog } from './channel.js';
import { MAX_COLUMNS, MIN_COLUMNS, type SignalStyle } from './columns.js';
import { hashString } from './random.js';
import type { PairSeriesOptions } from './pair-series.js';

export interface DemoProducerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) = a free port. */
  port?: number;
  /** Accepted ws_token(s); a wrong or missing token is refused with HTTP 403 before the WebSocket opens. */
  token: string | readonly string[];
  /** The whitelist; default eight large USDT pairs (with `:USDT` for futures-like candle types). */
  pairs?: readonly string[];
  /** Default '5m'. */
  timeframe?: string;
  /** Default 'spot'. */
  candleType?: CandleType;
  /** Candles held per pair (default 1500). */
  history?: number;
  /** Columns per frame, date and signal/tag columns included: 20..40 (default 30). */
  columns?: number;
  /** Wall milliseconds per new candle (default 2000); 0 = manual clock (call tick()). */
  candleIntervalMs?: number;
  /** Re-analyze and re-broadcast each pair's last candle this often between candles; 0 (default) = off. */
  analyzeIntervalMs?: number;
  /** Signal columns as 0/1 ints with null tags ('int', default) or 1.0/null with "" tags ('loc'). */
  signalStyle?: SignalStyle;
  /** Accept permessage-deflate when the consumer offers it, as freqtrade's uvicorn does (default true). */
  deflate?: boolean;
  /** Seed of the candle walk (default 1): the same seed serves the same candles. */
  seed?: number;
  /** Date of the newest candle at start (default: the last closed candle before now). */
  lastCandleMs?: number;
  /** Upper bound of the broadcast send timeout (freqtrade: 3000 ms; the lower bound is min(1000, this)). */
  sendTimeoutMs?: number;
  /** Pause after each send (freqtrade: 10 ms). */
  sendThrottleMs?: number;
  log?: DemoLog;
}

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly tokens: readonly string[];
  readonly pairs: readonly string[];
  readonly timeframe: string;
  readonly timeframeMs: number;
  readonly candleType: CandleType;
  readonly history: number;
  readonly columns: number;
  readonly candleIntervalMs: number;
  readonly analyzeIntervalMs: number;
  readonly signalStyle: SignalStyle;
  readonly deflate: boolean;
  readonly seed: number;
  readonly lastCandleMs: number;
  readonly channel: ChannelOptions;
}

const DEFAULT_BASES = ['BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'DOGE', 'LTC'];
/** Rough prices, so each default pair's numbers look like that market's. */
const START_PRICES: Readonly<Record<string, number>> = {
  BTC: 67_000, ETH: 2_600, BNB: 590, SOL: 150, XRP: 0.52, ADA: 0.35, DOGE: 0.12, LTC: 68,
};

function check(ok: boolean, problem: string): void {
  if (!ok) throw new RangeError(`demo producer: ${problem}`);
}

function nonNegativeInt(v: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  check(Number.isInteger(v) && v >= 0 && v <= max, `${name} must be an integer from 0 to ${max}, got ${v}`);
  return v;
}

/** A whitelist as given, or a RangeError naming its problem. */
export function checkPairs(pairs: readonly string[]): readonly string[] {
  check(pairs.every((p) => typeof p === 'string' && p.length > 0), 'every pair must be a non-empty string');
  check(new Set(pairs).size === pairs.length, 'pairs must not repeat');
  return [...pairs];
}

/** Options with defaults applied; throws a RangeError naming the first problem. */
export function resolveOptions(o: DemoProducerOptions): ResolvedOptions {
  const tokens = typeof o.token === 'string' ? [o.token] : [...o.token];
  check(tokens.length > 0 && tokens.every((t) => typeof t === 'string' && t.length > 0), 'token must be a non-empty string or list of them');
  const timeframe = o.timeframe ?? '5m';
  const tfMs = timeframeMs(timeframe);
  check(tfMs !== undefined, `timeframe ${JSON.stringify(timeframe)} is not a freqtrade timeframe`);
  const candleType = o.candleType ?? 'spot';
  check(isCandleType(candleType), `candleType ${JSON.stringify(candleType)} is not a freqtrade candle type`);
  const pairs = checkPairs(o.pairs ?? DEFAULT_BASES.map((b) => (candleType === 'spot' ? `${b}/USDT` : `${b}/USDT:USDT`)));
  const columns = o.columns ?? 30;
  check(Number.isInteger(columns) && columns >= MIN_COLUMNS && columns <= MAX_COLUMNS, `columns must be an integer from ${MIN_COLUMNS} to ${MAX_COLUMNS}, got ${columns}`);
  const history = o.history ?? 1500;
  check(Number.isInteger(history) && history >= 1 && history <= 100_000, `history must be an integer from 1 to 100000, got ${history}`);
  const sendTimeoutMs = nonNegativeInt(o.sendTimeoutMs ?? 3000, 'sendTimeoutMs');
  const last = o.lastCandleMs ?? Math.floor(Date.now() / tfMs!) * tfMs! - tfMs!;
  check(Number.isInteger(last) && last % tfMs! === 0, `lastCandleMs must be a multiple of the timeframe (${tfMs} ms)`);
  return {
    host: o.host ?? '127.0.0.1',
    port: nonNegativeInt(o.port ?? 0, 'port', 65535),
    tokens,
    pairs,
    timeframe,
    timeframeMs: tfMs!,
    candleType,
    history,
    columns,
    candleIntervalMs: nonNegativeInt(o.candleIntervalMs ?? 2000, 'candleIntervalMs'),
    analyzeIntervalMs: nonNegativeInt(o.analyzeIntervalMs ?? 0, 'analyzeIntervalMs'),
    signalStyle: o.signalStyle ?? 'int',
    deflate: o.deflate ?? true,
    seed: o.seed ?? 1,
    lastCandleMs: last,
    channel: {
      throttleMs: nonNegativeInt(o.sendThrottleMs ?? 10, 'sendThrottleMs'),
      minTimeoutMs: Math.min(1000, sendTimeoutMs),
      maxTimeoutMs: sendTimeoutMs,
    },
  };
}

/** The walk of one pair: its own seed and a price scale like its market's. */
export function seriesOptions(o: ResolvedOptions, pair: string): PairSeriesOptions {
  const h = hashString(pair);
  const base = pair.split('/')[0] ?? pair;
  return {
    history: o.history,
    timeframeMs: o.timeframeMs,
    seed: (h ^ Math.imul(o.seed, 0x9e3779b1)) >>> 0,
    startPrice: START_PRICES[base] ?? 10 ** ((h % 500) / 100 - 1),
  };
}

/** Constant-time token check (digests of equal length, every accepted token compared), as freqtrade does. */
export function tokenMatcher(tokens: readonly string[]): (token: string | null) => boolean {
  const digests = tokens.map(digest);
  return (token) => {
    if (token === null || token === '') return false;
    const d = digest(token);
    let ok = false;
    for (const accepted of digests) ok = timingSafeEqual(d, accepted) || ok;
    return ok;
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
