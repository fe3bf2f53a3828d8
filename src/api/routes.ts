/**
 * freqtrade's REST routes under /api/v1 that FreqUI and freqtrade-client use, with freqtrade's paths, query
 * parameters, bodies and answers (api_v1.py). Errors as freqtrade gives them: {"detail"} for HTTP errors,
 * 502 {"error": "Error querying /api/v1/...: ..."} for what the bot cannot do (FreqUI shows it and stays online;
 * a 5xx other than 502 would mark the bot offline).
 */
import type { TradeBook } from '../journal/index.js';
import { timeframeMs } from '../protocol/index.js';
import type { StrategyStatus } from '../strategy/index.js';
import {
  balance, health, logs, prices, running, showConfig, tradesJson, wallet, whitelist, type BotSources, type CpuMeter,
} from './bot.js';
import { pairCandles, type CandlesRequest } from './pair-candles.js';
import { grouped, profit, timeunitProfit, type Grouping, type TimeUnit } from './trade-stats.js';

export interface ApiRequest {
  readonly method: string;
  /** The path below /api/v1, e.g. "/trade/3". */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The parsed JSON body (undefined without one). */
  readonly body: unknown;
}

/** An answer: a value to send as JSON, or JSON made already, as UTF-8 (pair_candles). */
export type Reply = { readonly status: number; readonly json: unknown } | { readonly status: number; readonly bytes: Buffer };

export interface RouteContext {
  readonly bot: BotSources;
  readonly cpu: CpuMeter;
  /** When a frame was last stored (health's last_process). */
  lastProcess(): number | null;
}

type Handler = (req: ApiRequest, params: readonly string[], ctx: RouteContext) => Reply | Promise<Reply>;

const ok = (json: unknown): Reply => ({ status: 200, json });
const notFound = (detail: string): Reply => ({ status: 404, json: { detail } });
/** freqtrade's RPCException answer. */
const rpcError = (req: ApiRequest, msg: string): Reply => ({ status: 502, json: { error: `Error querying /api/v1${req.path}: ${msg}` } });
/** pydantic's answer to a bad parameter. */
const invalid = (where: 'query' | 'body', name: string, msg: string, input: unknown): Reply =>
  ({ status: 422, json: { detail: [{ type: 'value_error', loc: [where, name], msg, input: input ?? null }] } });

function intParam(req: ApiRequest, name: string, fallback: number, min: number, max: number): number | Reply {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) return invalid('query', name, `Input should be an integer from ${min} to ${max}`, raw);
  return n;
}

/** The running strategy and its journal, or freqtrade's answer when the trader is not running. */
function trading(req: ApiRequest, ctx: RouteContext): { readonly running: StrategyStatus; readonly book: TradeBook } | Reply {
  const status = running(ctx.bot);
  const book = ctx.bot.trading.book();
  return status === null || book === null ? rpcError(req, 'trader is not running') : { running: status, book };
}

const statsRoute = (by: Grouping): Handler => (req, _p, ctx) => {
  const t = trading(req, ctx);
  if (!('book' in t)) return t;
  return ok(grouped(t.book.trades(), by, req.query.get('pair') ?? undefined));
};

const timeunitRoute = (unit: TimeUnit, fallback: number): Handler => (req, _p, ctx) => {
  const t = trading(req, ctx);
  if (!('book' in t)) return t;
  const timescale = intParam(req, 'timescale', fallback, 1, 366);
  if (typeof timescale !== 'number') return timescale;
  return ok(timeunitProfit(t.book.trades(), unit, timescale, wallet(ctx.bot, t.running).total, ctx.bot.config.stake_currency, Date.now()));
};

const candles = (req: ApiRequest, r: { readonly [K in keyof CandlesRequest]?: unknown }, ctx: RouteContext): Reply => {
  if (typeof r.pair !== 'string' || r.pair === '') return invalid(req.method === 'GET' ? 'query' : 'body', 'pair', 'Field required', r.pair);
  if (typeof r.timeframe !== 'string' || timeframeMs(r.timeframe) === undefined) {
    return invalid(req.method === 'GET' ? 'query' : 'body', 'timeframe', 'Field required: a timeframe like 5m', r.timeframe);
  }
  const c = ctx.bot.config;
  const status = running(ctx.bot);
  const producers = c.external_message_consumer.producers.map((p) => p.name);
  return {
    status: 200,
    bytes: pairCandles(ctx.bot.store, producers, c.trading_mode === 'futures' ? 'futures' : 'spot', status?.strategy ?? c.strategy, timeframeMs(r.timeframe)!, {
      pair: r.pair, timeframe: r.timeframe,
      ...(typeof r.limit === 'number' && r.limit > 0 ? { limit: Math.floor(r.limit) } : {}),
      ...(Array.isArray(r.columns) ? { columns: r.columns.filter((x): x is string => typeof x === 'string') } : {}),
    }),
  };
};

const STOPENTRY = 'No more entries will occur from now. Run /start to enter again.';

/** "METHOD /path" with {name} parameters -> handler. */
const ROUTES: readonly (readonly [string, Handler])[] = [
  ['GET /version', (_r, _p, ctx) => ok({ version: ctx.bot.version })],
  ['GET /show_config', (_r, _p, ctx) => ok(showConfig(ctx.bot))],
  ['GET /status', (_r, _p, ctx) => {
    const status = running(ctx.bot);
    const book = ctx.bot.trading.book();
    return ok(status === null || book === null ? [] : tradesJson(ctx.bot, book, book.openTrades(), status));
  }],
  ['GET /trades', (req, _p, ctx) => {
    const limit = intParam(req, 'limit', 500, 0, 500);
    if (typeof limit !== 'number') return limit;
    const offset = intParam(req, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    if (typeof offset !== 'number') return offset;
    const book = ctx.bot.trading.book();
    if (book === null) return ok({ trades: [], trades_count: 0, offset, total_trades: 0 });
    const trades = tradesJson(ctx.bot, book, book.closedTrades(limit === 0 ? 500 : limit, offset), running(ctx.bot));
    return ok({ trades, trades_count: trades.length, offset, total_trades: book.closedCount() });
  }],
  ['GET /trade/{id}', (_r, [id], ctx) => {
    const book = ctx.bot.trading.book();
    const t = book === null || !/^\d+$/.test(id!) ? undefined : book.trade(Number(id));
    return t === undefined || book === null ? notFound('Trade not found.') : ok(tradesJson(ctx.bot, book, [t], running(ctx.bot))[0]);
  }],
  ['GET /profit', (req, _p, ctx) => {
    const t = trading(req, ctx);
    if (!('book' in t)) return t;
    const trades = t.book.trades();
    const orders = t.book.ordersOf(trades.map((x) => x.id));
    return ok(profit({
      trades, prices: prices(t.running), startingBalance: wallet(ctx.bot, t.running).starting,
      tradingVolume: orders.reduce((s, o) => s + (o.filled > 0 ? o.cost : 0), 0), botStart: ctx.bot.startedAt, now: Date.now(),
    }));
  }],
  ['GET /balance', (_r, _p, ctx) => ok(balance(ctx.bot))],
  ['GET /count', (req, _p, ctx) => {
    const t = trading(req, ctx);
    if (!('book' in t)) return t;
    const open = t.book.openTrades();
    const max = t.running.max_open_trades;
    return ok({ current: open.length, max: max === null || !Number.isFinite(max) ? -1 : max, total_stake: open.reduce((s, x) => s + x.openRate * x.amount, 0) });
  }],
  ['GET /performance', statsRoute('pair')],
  ['GET /entries', statsRoute('enter_tag')],
  ['GET /exits', statsRoute('exit_reason')],
  ['GET /mix_tags', statsRoute('mix_tag')],
  ['GET /daily', timeunitRoute('days', 7)],
  ['GET /weekly', timeunitRoute('weeks', 4)],
  ['GET /monthly', timeunitRoute('months', 3)],
  ['GET /whitelist', (_r, _p, ctx) => {
    const pairs = whitelist(ctx.bot);
    return ok({ whitelist: pairs, length: pairs.length, method: ['ProducerPairList'] });
  }],
  ['GET /blacklist', (_r, _p, ctx) => {
    const list = ctx.bot.config.exchange?.pair_blacklist ?? [];
    return ok({ blacklist: list, blacklist_expanded: list, errors: {}, length: list.length, method: ['ProducerPairList'] });
  }],
  ['POST /blacklist', (req) => rpcError(req, 'the blacklist is exchange.pair_blacklist in the configuration; ft-edge does not change it at run time')],
  ['DELETE /blacklist', (req) => rpcError(req, 'the blacklist is exchange.pair_blacklist in the configuration; ft-edge does not change it at run time')],
  ['GET /locks', () => ok({ lock_count: 0, locks: [] })],
  ['GET /logs', (req, _p, ctx) => {
    const limit = intParam(req, 'limit', 0, 0, 1000);
    return typeof limit === 'number' ? ok(logs(ctx.bot, limit === 0 ? undefined : limit)) : limit;
  }],
  ['GET /health', (_r, _p, ctx) => ok(health(ctx.bot, ctx.lastProcess()))],
  ['GET /sysinfo', (_r, _p, ctx) => ok(ctx.cpu.sysinfo())],
  ['GET /pair_candles', (req, _p, ctx) => {
    const limit = intParam(req, 'limit', 0, 0, 1500);
    if (typeof limit !== 'number') return limit;
    return candles(req, { pair: req.query.get('pair') ?? undefined, timeframe: req.query.get('timeframe') ?? undefined, limit }, ctx);
  }],
  ['POST /pair_candles', (req, _p, ctx) => candles(req, (req.body ?? {}) as Record<string, unknown>, ctx)],
  ['GET /available_pairs', (req, _p, ctx) => {
    const tf = req.query.get('timeframe');
    const ct = req.query.get('candletype');
    const keys = [...ctx.bot.store.keys()].filter((k) => (tf === null || k.key.timeframe === tf) && (ct === null || k.key.candleType === ct));
    const intervals = [...new Map(keys.map((k) => [`${k.key.pair} ${k.key.timeframe} ${k.key.candleType}`, [k.key.pair, k.key.timeframe, k.key.candleType]])).values()];
    const pairs = [...new Set(keys.map((k) => k.key.pair))].sort();
    return ok({ length: pairs.length, pairs, pair_interval: intervals });
  }],
  ['GET /plot_config', () => ok({ main_plot: {}, subplots: {} })],
  ['POST /start', (req, _p, ctx) => {
    const status = running(ctx.bot);
    if (status === null) return rpcError(req, 'trading is off (see ft-edge status)');
    if (!status.entries_stopped) return ok({ status: 'already running' });
    ctx.bot.trading.stopEntries(false);
    return ok({ status: 'starting trader ...' });
  }],
  ['POST /stop', (_r, _p, ctx) => {
    const status = running(ctx.bot);
    if (status === null || status.entries_stopped) return ok({ status: 'already stopped' });
    ctx.bot.trading.stopEntries(true);
    return ok({ status: 'stopping trader ... (ft-edge: no new entries; open trades still exit)' });
  }],
  ['POST /stopentry', (_r, _p, ctx) => (ctx.bot.trading.stopEntries(true), ok({ status: STOPENTRY }))],
  ['POST /stopbuy', (_r, _p, ctx) => (ctx.bot.trading.stopEntries(true), ok({ status: STOPENTRY }))],
  ['POST /forceexit', forceExit],
  ['POST /forcesell', forceExit],
  ['POST /forceenter', (req) => rpcError(req, 'Force_entry not enabled.')],
  ['POST /forcebuy', (req) => rpcError(req, 'Force_entry not enabled.')],
  ['POST /reload_config', (req) => rpcError(req, 'ft-edge reads its configuration when it starts: systemctl restart ft-edge')],
  ['DELETE /trades/{id}', (req) => rpcError(req, 'ft-edge does not delete trades from its journal (forceexit closes one)')],
  ['DELETE /trades/{id}/open-order', (req) => rpcError(req, 'ft-edge cancels open orders itself (unfilledtimeout)')],
];

async function forceExit(req: ApiRequest, _p: readonly string[], ctx: RouteContext): Promise<Reply> {
  const body = (req.body ?? {}) as { tradeid?: unknown; amount?: unknown };
  const id = body.tradeid;
  // FreqUI sends amount only when the user typed a partial one; exiting the whole trade instead would surprise.
  if (body.amount !== undefined && body.amount !== null) return rpcError(req, 'ft-edge exits whole trades only: leave the amount empty');
  const target = id === 'all' ? 'all' : typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id)) ? Number(id) : null;
  if (target === null) return invalid('body', 'tradeid', 'a trade id or "all"', id);
  const t = trading(req, ctx);
  if (!('book' in t)) return t;
  if (target !== 'all' && !t.book.openTrades().some((x) => x.id === target)) return rpcError(req, 'invalid argument');
  await ctx.bot.trading.forceExit(target);
  return ok({ result: target === 'all' ? 'Created exit orders for all open trades.' : `Created exit order for trade ${target}.` });
}

interface Compiled {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: Handler;
}

const COMPILED: readonly Compiled[] = ROUTES.map(([spec, handler]) => {
  const [method, path] = spec.split(' ') as [string, string];
  return { method, handler, pattern: new RegExp(`^${path.replace(/\{[a-z]+\}/g, '([^/]+)')}$`) };
});

/** The route's handler and parameters; 'method' when the path exists with another method; null when none. */
export function route(method: string, path: string): { handler: Handler; params: string[] } | 'method' | null {
  let other = false;
  for (const r of COMPILED) {
    const m = r.pattern.exec(path);
    if (m === null) continue;
    if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { handler: r.handler, params: m.slice(1).map(decodeURIComponent) };
    other = true;
  }
  return other ? 'method' : null;
}
