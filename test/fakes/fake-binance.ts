// fake-binance.ts: a small in-process fake of Binance's spot REST API (/api/v3) for node:test tests.
// The real ccxt `binance` class is pointed at it with `urls: { api: fake.urls }`; nothing leaves 127.0.0.1.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface FakeMarket {
  symbol: string; // unified, e.g. 'BTC/USDT' (Binance id is base+quote)
  price: number; // initial last/bid/ask price
  tickSize: string; // PRICE_FILTER
  stepSize: string; // LOT_SIZE
  minQty: string;
  maxQty: string;
  minNotional: string;
  notionalFilter?: 'NOTIONAL' | 'MIN_NOTIONAL'; // current Binance uses NOTIONAL; some pairs/testnet still MIN_NOTIONAL
}
/** 'received' = Binance default (buy pays fee in base, sell in quote); 'BNB' falls back to 'received' without BNB. */
export type FeeMode = 'received' | 'quote' | 'BNB';
export interface FakeBinanceOptions {
  apiKey?: string;
  secret?: string;
  markets?: FakeMarket[];
  balances?: Record<string, number>; // initial free balances
  feeRate?: number; // 0.001 = 0.1 %
  feeMode?: FeeMode;
  clockOffsetMs?: number; // server clock = Date.now() + offset (for -1021 / adjustForTimeDifference tests)
  duplicateScope?: 'open' | 'any'; // Binance rejects a clientOrderId reused by an *open* order of the symbol
}
export type Fault =
  | { kind: 'http'; status: number; body?: string | object; headers?: Record<string, string> } // answer instead of processing
  | { kind: 'binance'; code: number; msg: string; status?: number } // a Binance JSON error instead of processing
  | { kind: 'delay'; ms: number; after: boolean }; // after=true: process (order accepted) and only then hold the answer
/** Ready-made faults with the bodies/status codes the real exchange uses. */
export const faults = {
  rateLimited: (): Fault => ({ kind: 'http', status: 429, headers: { 'retry-after': '1' }, body: { code: -1003, msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.' } }),
  ipBanned: (): Fault => ({ kind: 'http', status: 418, headers: { 'retry-after': '120' }, body: { code: -1003, msg: `Way too much request weight used; IP banned until ${Date.now() + 120_000}. Please use WebSocket Streams for live updates to avoid bans.` } }),
  internalError: (): Fault => ({ kind: 'http', status: 500, body: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' } }),
  unavailable: (): Fault => ({ kind: 'http', status: 503, body: '<html><body><h1>503 Service Unavailable</h1></body></html>' }),
  backendTimeout: (): Fault => ({ kind: 'binance', status: 500, code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.' }),
  insufficientFunds: (): Fault => ({ kind: 'binance', code: -2010, msg: 'Account has insufficient balance for requested action.' }),
  notional: (): Fault => ({ kind: 'binance', code: -1013, msg: 'Filter failure: NOTIONAL' }),
  slow: (ms: number): Fault => ({ kind: 'delay', ms, after: false }),
  acceptedThenSlow: (ms: number): Fault => ({ kind: 'delay', ms, after: true }),
};
export interface RecordedRequest { method: string; path: string; params: Record<string, string>; apiKey: string | undefined; signed: boolean; status: number; at: number }
type Mkt = FakeMarket & { id: string; base: string; quote: string };
type Status = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';
interface Trade { id: number; orderId: number; price: number; qty: number; quoteQty: number; commission: number; commissionAsset: string; time: number; isBuyer: boolean; isMaker: boolean }
export interface FakeOrder {
  orderId: number; symbol: string; clientOrderId: string; side: 'BUY' | 'SELL'; type: 'LIMIT' | 'MARKET' | 'LIMIT_MAKER';
  timeInForce: string; price: number; origQty: number; origQuoteOrderQty: number; executedQty: number; cumQuote: number;
  status: Status; time: number; updateTime: number; fills: Trade[];
}
export interface FakeBinance {
  port: number;
  baseUrl: string;
  urls: Record<string, string>; // pass as `urls: { api: fake.urls }`: every key of binance's urls.api, so nothing can reach the real exchange
  requests: RecordedRequest[];
  orders: FakeOrder[];
  trades: Trade[];
  setPrice(symbol: string, price: number): void; // also fills crossed limit orders
  setSpread(symbol: string, half: number): void; // bid = price - half, ask = price + half (default 0)
  fillPartially(orderId: number, qty: number, price?: number): void;
  cancelOnExchange(orderId: number, status?: 'CANCELED' | 'EXPIRED'): void; // "by hand" / expiry, outside the API
  inject(route: string, fault: Fault, times?: number): void; // route 'POST /api/v3/order', or '*'
  balance(asset: string): { free: number; locked: number };
  setBalance(asset: string, free: number, locked?: number): void;
  setClockOffset(ms: number): void;
  unexpected(): RecordedRequest[]; // requests that hit no implemented route (sapi, fapi ...)
  stop(): Promise<void>;
}

const API_PATHS: Record<string, string> = { // binance urls.api keys (ccxt 4.5.x) and their real path prefixes
  public: '/api/v3', private: '/api/v3', v1: '/api/v1', sapi: '/sapi/v1', sapiV2: '/sapi/v2', sapiV3: '/sapi/v3', sapiV4: '/sapi/v4',
  dapiPublic: '/dapi/v1', dapiPrivate: '/dapi/v1', dapiPrivateV2: '/dapi/v2', dapiData: '/futures/data', eapiPublic: '/eapi/v1', eapiPrivate: '/eapi/v1',
  fapiPublic: '/fapi/v1', fapiPublicV2: '/fapi/v2', fapiPublicV3: '/fapi/v3', fapiPrivate: '/fapi/v1', fapiPrivateV2: '/fapi/v2', fapiPrivateV3: '/fapi/v3',
  fapiData: '/futures/data', papi: '/papi/v1', papiV2: '/papi/v2',
};
const DEFAULT_MARKETS: FakeMarket[] = [
  { symbol: 'BTC/USDT', price: 60000, tickSize: '0.01', stepSize: '0.00001', minQty: '0.00001', maxQty: '9000', minNotional: '5' },
  { symbol: 'ETH/USDT', price: 3000, tickSize: '0.01', stepSize: '0.0001', minQty: '0.0001', maxQty: '9000', minNotional: '5' },
  { symbol: 'BNB/USDT', price: 600, tickSize: '0.1', stepSize: '0.001', minQty: '0.001', maxQty: '9000', minNotional: '5', notionalFilter: 'MIN_NOTIONAL' },
];
const SIGNED = new Set(['/api/v3/account', '/api/v3/order', '/api/v3/order/test', '/api/v3/openOrders', '/api/v3/allOrders', '/api/v3/myTrades']);

class BinanceError extends Error { // thrown by handlers, answered as Binance's {code,msg}
  constructor(readonly status: number, readonly code: number, msg: string) { super(msg); }
}
const fail = (code: number, msg: string, status = 400): never => { throw new BinanceError(status, code, msg); };
const r8 = (x: number): number => Math.round(x * 1e8) / 1e8; // Binance works in 8 decimals; keeps float noise out of balances
const f8 = (x: number): string => r8(x).toFixed(8); // Binance sends decimals as strings with 8 places
const multipleOf = (x: number, step: number): boolean => step === 0 || Math.abs(Math.round(x / step) * step - x) < step * 1e-6;
const sleep = (ms: number, timers: Set<NodeJS.Timeout>): Promise<void> =>
  new Promise((resolve) => { const t = setTimeout(() => { timers.delete(t); resolve(); }, ms); timers.add(t); });

export async function startFakeBinance(opts: FakeBinanceOptions = {}): Promise<FakeBinance> {
  const apiKey = opts.apiKey ?? 'test-key';
  const secret = opts.secret ?? 'test-secret';
  const feeRate = opts.feeRate ?? 0.001;
  const feeMode = opts.feeMode ?? 'received';
  const dupScope = opts.duplicateScope ?? 'open';
  let clockOffset = opts.clockOffsetMs ?? 0;
  const now = (): number => Date.now() + clockOffset;
  const markets = new Map<string, Mkt>();
  for (const m of opts.markets ?? DEFAULT_MARKETS) {
    const [base, quote] = m.symbol.split('/') as [string, string];
    markets.set(base + quote, { ...m, id: base + quote, base, quote });
  }
  const prices = new Map<string, number>([...markets.values()].map((m) => [m.id, m.price]));
  const spreads = new Map<string, number>();
  const bidOf = (id: string): number => (prices.get(id) ?? 0) - (spreads.get(id) ?? 0);
  const askOf = (id: string): number => (prices.get(id) ?? 0) + (spreads.get(id) ?? 0);
  const balances = new Map<string, { free: number; locked: number }>();
  const bal = (asset: string): { free: number; locked: number } => {
    let b = balances.get(asset);
    if (!b) { b = { free: 0, locked: 0 }; balances.set(asset, b); }
    return b;
  };
  for (const m of markets.values()) { bal(m.base); bal(m.quote); } // Binance lists zero balances too
  for (const [asset, free] of Object.entries(opts.balances ?? { USDT: 10_000, BTC: 0.1, ETH: 1, BNB: 1 })) bal(asset).free = free;
  const orders: FakeOrder[] = [];
  const trades: Trade[] = [];
  const requests: RecordedRequest[] = [];
  const faultQueue: Array<{ route: string; fault: Fault }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let nextOrderId = 1000;
  let nextTradeId = 500;

  const marketOf = (id: string | undefined): Mkt => {
    if (id === undefined || id === '') return fail(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    return markets.get(id.replace('/', '')) ?? fail(-1121, 'Invalid symbol.');
  };
  const num = (p: Record<string, string>, k: string): number | undefined => {
    const v = p[k];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : fail(-1100, `Illegal characters found in parameter '${k}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
  };
  const isOpen = (o: FakeOrder): boolean => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';

  // Moves money for one fill; limit orders had their funds locked at creation, market orders pay from free.
  function fill(o: FakeOrder, qtyWanted: number, px: number, maker: boolean): void {
    const m = marketOf(o.symbol);
    const qty = r8(Math.min(qtyWanted, o.origQty - o.executedQty));
    if (qty <= 0) return;
    const quoteQty = r8(qty * px);
    const [base, quote] = [bal(m.base), bal(m.quote)];
    if (o.side === 'BUY') {
      if (o.type === 'MARKET') quote.free = r8(quote.free - quoteQty);
      else { quote.locked = r8(quote.locked - qty * o.price); quote.free = r8(quote.free + qty * o.price - quoteQty); } // refund price improvement
      base.free = r8(base.free + qty);
    } else {
      if (o.type === 'MARKET') base.free = r8(base.free - qty); else base.locked = r8(base.locked - qty);
      quote.free = r8(quote.free + quoteQty);
    }
    let feeAsset = o.side === 'BUY' ? m.base : m.quote; // Binance default: fee in the asset received
    let fee = o.side === 'BUY' ? qty * feeRate : quoteQty * feeRate;
    const bnbPx = prices.get('BNB' + m.quote);
    if (feeMode === 'quote') [feeAsset, fee] = [m.quote, quoteQty * feeRate];
    else if (feeMode === 'BNB' && bnbPx !== undefined && bal('BNB').free >= (quoteQty * feeRate) / bnbPx) [feeAsset, fee] = ['BNB', (quoteQty * feeRate) / bnbPx];
    bal(feeAsset).free = r8(bal(feeAsset).free - fee);
    const t: Trade = { id: nextTradeId++, orderId: o.orderId, price: px, qty, quoteQty, commission: r8(fee), commissionAsset: feeAsset, time: now(), isBuyer: o.side === 'BUY', isMaker: maker };
    trades.push(t); o.fills.push(t);
    o.executedQty = r8(o.executedQty + qty); o.cumQuote = r8(o.cumQuote + quoteQty); o.updateTime = t.time;
    o.status = o.executedQty >= o.origQty ? 'FILLED' : 'PARTIALLY_FILLED';
  }
  // Returns the unfilled part's locked funds to free (cancel / expire).
  function release(o: FakeOrder, status: 'CANCELED' | 'EXPIRED'): void {
    const m = marketOf(o.symbol);
    const rest = r8(o.origQty - o.executedQty);
    if (o.type !== 'MARKET') {
      const b = o.side === 'BUY' ? bal(m.quote) : bal(m.base);
      const amt = o.side === 'BUY' ? r8(rest * o.price) : rest;
      b.locked = r8(b.locked - amt); b.free = r8(b.free + amt);
    }
    o.status = status; o.updateTime = now();
  }
  const crosses = (o: FakeOrder): boolean => (o.side === 'BUY' ? askOf(o.symbol) <= o.price : bidOf(o.symbol) >= o.price);

  const orderJson = (o: FakeOrder): Record<string, unknown> => ({
    symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, price: f8(o.price), origQty: f8(o.origQty),
    executedQty: f8(o.executedQty), cummulativeQuoteQty: f8(o.cumQuote), status: o.status, timeInForce: o.timeInForce, type: o.type, side: o.side,
    stopPrice: f8(0), icebergQty: f8(0), time: o.time, updateTime: o.updateTime, isWorking: true, workingTime: o.time,
    origQuoteOrderQty: f8(o.origQuoteOrderQty), selfTradePreventionMode: 'EXPIRE_MAKER',
  });
  const tradeJson = (t: Trade): Record<string, unknown> => ({
    symbol: orders.find((o) => o.orderId === t.orderId)?.symbol, id: t.id, orderId: t.orderId, orderListId: -1, price: f8(t.price), qty: f8(t.qty),
    quoteQty: f8(t.quoteQty), commission: f8(t.commission), commissionAsset: t.commissionAsset, time: t.time, isBuyer: t.isBuyer, isMaker: t.isMaker, isBestMatch: true,
  });
  const findOrder = (p: Record<string, string>): FakeOrder | undefined => {
    const m = marketOf(p['symbol']);
    const id = num(p, 'orderId');
    const cid = p['origClientOrderId'];
    if (id === undefined && !cid) fail(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    const mine = orders.filter((o) => o.symbol === m.id && (id !== undefined ? o.orderId === id : o.clientOrderId === cid));
    return mine[mine.length - 1]; // a reused clientOrderId resolves to the latest order, as on Binance
  };
  const symbolsParam = (p: Record<string, string>): Mkt[] => {
    if (p['symbol']) return [marketOf(p['symbol'])];
    if (p['symbols']) return (JSON.parse(p['symbols']) as string[]).map((s) => marketOf(s));
    return [...markets.values()];
  };
  const oneOrMany = (p: Record<string, string>, f: (m: Mkt) => unknown): unknown =>
    p['symbol'] ? f(symbolsParam(p)[0]!) : symbolsParam(p).map(f); // Binance: object for symbol=, array otherwise
  const filterFailure = (name: string): never => fail(-1013, `Filter failure: ${name}`);

  function newOrder(p: Record<string, string>, test: boolean): Record<string, unknown> {
    const m = marketOf(p['symbol']);
    const side = p['side'];
    const type = p['type'];
    if (side !== 'BUY' && side !== 'SELL') return fail(-1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    if (type !== 'LIMIT' && type !== 'MARKET' && type !== 'LIMIT_MAKER') return fail(-1116, 'Invalid orderType.');
    const cid = p['newClientOrderId'] || `fake-${nextOrderId}`;
    if (orders.some((o) => o.symbol === m.id && o.clientOrderId === cid && (dupScope === 'any' || isOpen(o)))) fail(-2010, 'Duplicate order sent.');
    const px = prices.get(m.id) ?? 0;
    const [tick, step] = [Number(m.tickSize), Number(m.stepSize)];
    let qty = num(p, 'quantity');
    const quoteOrderQty = num(p, 'quoteOrderQty');
    let price = 0;
    if (type === 'MARKET') {
      if (qty === undefined && quoteOrderQty === undefined) fail(-1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!");
      if (qty === undefined) qty = r8(Math.floor((quoteOrderQty ?? 0) / px / step + 1e-9) * step); // spend up to quoteOrderQty
    } else {
      price = num(p, 'price') ?? fail(-1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
      if (type === 'LIMIT' && !p['timeInForce']) fail(-1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
      if (price < tick || !multipleOf(price, tick)) filterFailure('PRICE_FILTER');
    }
    if (qty === undefined) return fail(-1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
    if (qty < Number(m.minQty) || qty > Number(m.maxQty) || !multipleOf(qty, step)) filterFailure('LOT_SIZE');
    const notional = type === 'MARKET' ? quoteOrderQty ?? qty * px : qty * price;
    if (notional < Number(m.minNotional)) filterFailure(m.notionalFilter ?? 'NOTIONAL');
    const need = side === 'BUY' ? (type === 'MARKET' ? qty * px : qty * price) : qty;
    const payer = side === 'BUY' ? bal(m.quote) : bal(m.base);
    if (r8(need) > payer.free) fail(-2010, 'Account has insufficient balance for requested action.');
    const marketable = type !== 'MARKET' && (side === 'BUY' ? price >= askOf(m.id) : price <= bidOf(m.id));
    if (type === 'LIMIT_MAKER' && marketable) fail(-2010, 'Order would immediately match and take.');
    if (test) return {};
    const t = now();
    const o: FakeOrder = { orderId: nextOrderId++, symbol: m.id, clientOrderId: cid, side, type, timeInForce: type === 'LIMIT' ? p['timeInForce'] ?? 'GTC' : 'GTC',
      price, origQty: qty, origQuoteOrderQty: quoteOrderQty ?? 0, executedQty: 0, cumQuote: 0, status: 'NEW', time: t, updateTime: t, fills: [] };
    orders.push(o);
    if (type !== 'MARKET') { payer.free = r8(payer.free - need); payer.locked = r8(payer.locked + need); } // limit orders lock funds
    if (type === 'MARKET' || marketable) fill(o, qty, px, false); // taker fill at the current price
    if (isOpen(o) && (o.timeInForce === 'IOC' || o.timeInForce === 'FOK')) release(o, 'EXPIRED');
    const resp = p['newOrderRespType'] ?? (type === 'LIMIT' || type === 'MARKET' ? 'FULL' : 'ACK');
    if (resp === 'ACK') return { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: t };
    const { time: _t, updateTime: _u, isWorking: _w, stopPrice: _s, icebergQty: _i, ...result } = orderJson(o); // POST answers carry transactTime instead
    const body = { ...result, transactTime: t };
    return resp === 'FULL'
      ? { ...body, fills: o.fills.map((f) => ({ price: f8(f.price), qty: f8(f.qty), commission: f8(f.commission), commissionAsset: f.commissionAsset, tradeId: f.id })) }
      : body;
  }

  // Route table: 'METHOD /path' -> handler(params) returning the JSON body.
  const routes: Record<string, (p: Record<string, string>) => unknown> = {
    'GET /api/v3/ping': () => ({}),
    'GET /api/v3/time': () => ({ serverTime: now() }),
    'GET /api/v3/exchangeInfo': (p) => ({
      timezone: 'UTC', serverTime: now(), exchangeFilters: [],
      rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }, { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 }],
      symbols: symbolsParam(p).map((mm) => {
        return {
          symbol: mm.id, status: 'TRADING', baseAsset: mm.base, baseAssetPrecision: 8, quoteAsset: mm.quote, quotePrecision: 8, quoteAssetPrecision: 8,
          baseCommissionPrecision: 8, quoteCommissionPrecision: 8, orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
          icebergAllowed: true, ocoAllowed: true, otoAllowed: true, quoteOrderQtyMarketAllowed: true, allowTrailingStop: true, cancelReplaceAllowed: true,
          isSpotTradingAllowed: true, isMarginTradingAllowed: false, permissions: [], permissionSets: [['SPOT']],
          defaultSelfTradePreventionMode: 'EXPIRE_MAKER', allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
          filters: [
            { filterType: 'PRICE_FILTER', minPrice: f8(Number(mm.tickSize)), maxPrice: f8(1_000_000), tickSize: f8(Number(mm.tickSize)) },
            { filterType: 'LOT_SIZE', minQty: f8(Number(mm.minQty)), maxQty: f8(Number(mm.maxQty)), stepSize: f8(Number(mm.stepSize)) },
            { filterType: 'MARKET_LOT_SIZE', minQty: f8(0), maxQty: f8(Number(mm.maxQty)), stepSize: f8(0) },
            (mm.notionalFilter ?? 'NOTIONAL') === 'NOTIONAL'
              ? { filterType: 'NOTIONAL', minNotional: f8(Number(mm.minNotional)), applyMinToMarket: true, maxNotional: f8(9_000_000), applyMaxToMarket: false, avgPriceMins: 5 }
              : { filterType: 'MIN_NOTIONAL', minNotional: f8(Number(mm.minNotional)), applyToMarket: true, avgPriceMins: 5 },
            { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
          ],
        };
      }),
    }),
    'GET /api/v3/ticker/24hr': (p) => oneOrMany(p, (m) => {
      const px = f8(prices.get(m.id) ?? 0);
      return { symbol: m.id, priceChange: f8(0), priceChangePercent: '0.000', weightedAvgPrice: px, prevClosePrice: px, lastPrice: px, lastQty: f8(0),
        bidPrice: f8(bidOf(m.id)), bidQty: f8(1), askPrice: f8(askOf(m.id)), askQty: f8(1), openPrice: px, highPrice: px, lowPrice: px, volume: f8(0), quoteVolume: f8(0),
        openTime: now() - 86_400_000, closeTime: now(), firstId: 0, lastId: 0, count: 0 };
    }),
    'GET /api/v3/ticker/bookTicker': (p) => oneOrMany(p, (m) => ({ symbol: m.id, bidPrice: f8(bidOf(m.id)), bidQty: f8(1), askPrice: f8(askOf(m.id)), askQty: f8(1) })),
    'GET /api/v3/ticker/price': (p) => oneOrMany(p, (m) => ({ symbol: m.id, price: f8(prices.get(m.id) ?? 0) })),
    'GET /api/v3/account': (p) => ({
      makerCommission: feeRate * 10_000, takerCommission: feeRate * 10_000, buyerCommission: 0, sellerCommission: 0,
      commissionRates: { maker: f8(feeRate), taker: f8(feeRate), buyer: f8(0), seller: f8(0) }, canTrade: true, canWithdraw: true, canDeposit: true,
      brokered: false, requireSelfTradePrevention: false, preventSor: false, updateTime: now(), accountType: 'SPOT', permissions: ['SPOT'], uid: 1,
      balances: [...balances.entries()].filter(([, b]) => p['omitZeroBalances'] !== 'true' || b.free + b.locked > 0)
        .map(([asset, b]) => ({ asset, free: f8(b.free), locked: f8(b.locked) })),
    }),
    'POST /api/v3/order': (p) => newOrder(p, false),
    'POST /api/v3/order/test': (p) => newOrder(p, true),
    'GET /api/v3/order': (p) => orderJson(findOrder(p) ?? fail(-2013, 'Order does not exist.')),
    'DELETE /api/v3/order': (p) => {
      const o = findOrder(p);
      if (!o || !isOpen(o)) return fail(-2011, 'Unknown order sent.');
      release(o, 'CANCELED');
      const { time: _t, updateTime: _u, isWorking: _w, workingTime: _wt, clientOrderId, ...rest } = orderJson(o);
      // Binance: clientOrderId in a cancel answer is the *cancel* request's id; the order's own id is origClientOrderId
      return { ...rest, origClientOrderId: clientOrderId, clientOrderId: p['newClientOrderId'] ?? `cancel-${o.orderId}`, transactTime: now() };
    },
    'GET /api/v3/openOrders': (p) => orders.filter((o) => isOpen(o) && (!p['symbol'] || o.symbol === marketOf(p['symbol']).id)).map(orderJson),
    'GET /api/v3/allOrders': (p) => {
      const m = marketOf(p['symbol']);
      const [from, start, end] = [num(p, 'orderId') ?? 0, num(p, 'startTime') ?? 0, num(p, 'endTime') ?? Infinity];
      return orders.filter((o) => o.symbol === m.id && o.orderId >= from && o.time >= start && o.time <= end).slice(0, num(p, 'limit') ?? 500).map(orderJson);
    },
    'GET /api/v3/myTrades': (p) => {
      const m = marketOf(p['symbol']);
      const [oid, fromId, start, end] = [num(p, 'orderId'), num(p, 'fromId') ?? 0, num(p, 'startTime') ?? 0, num(p, 'endTime') ?? Infinity];
      const mine = trades.filter((t) => orders.find((o) => o.orderId === t.orderId)?.symbol === m.id);
      return mine.filter((t) => (oid === undefined || t.orderId === oid) && t.id >= fromId && t.time >= start && t.time <= end)
        .slice(0, Math.min(num(p, 'limit') ?? 500, 1000)).map(tradeJson);
    },
  };

  // Binance auth: key header, then timestamp/recvWindow, then HMAC-SHA256 over query+body (signature removed).
  function authenticate(req: IncomingMessage, rawQuery: string, rawBody: string, p: Record<string, string>): void {
    const key = req.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || key === '') fail(-2014, 'API-key format invalid.', 401);
    if (key !== apiKey) fail(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
    const ts = num(p, 'timestamp') ?? fail(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    const recvWindow = num(p, 'recvWindow') ?? 5000;
    if (recvWindow > 60_000) fail(-1131, 'recvWindow must be less than 60000');
    if (ts > now() + 1000) fail(-1021, "Timestamp for this request was 1000ms ahead of the server's time.");
    if (now() - ts > recvWindow) fail(-1021, 'Timestamp for this request is outside of the recvWindow.');
    const strip = (s: string): string => s.split('&').filter((kv) => kv !== '' && !kv.startsWith('signature=')).join('&');
    const payload = strip(rawQuery) + strip(rawBody);
    const expected = createHmac('sha256', secret).update(payload).digest('hex');
    const got = Buffer.from(p['signature'] ?? '');
    if (got.length !== expected.length || !timingSafeEqual(got, Buffer.from(expected))) fail(-1022, 'Signature for this request is not valid.');
  }

  function takeFault(route: string): Fault | undefined {
    const i = faultQueue.findIndex((f) => f.route === route || f.route === '*');
    return i < 0 ? undefined : faultQueue.splice(i, 1)[0]!.fault;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rawQuery = url.search.slice(1);
    const p: Record<string, string> = Object.fromEntries([...new URLSearchParams(rawQuery), ...new URLSearchParams(rawBody)]);
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    const { signature: _sig, ...shown } = p;
    const key = req.headers['x-mbx-apikey'];
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, params: shown, apiKey: typeof key === 'string' ? key : undefined, signed: SIGNED.has(url.pathname), status: 0, at: performance.timeOrigin + performance.now() };
    requests.push(rec);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      rec.status = status;
      if (res.destroyed || res.writableEnded) return; // the client already gave up (timeout): the answer is lost, like on a real network
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json;charset=UTF-8', ...headers });
      res.end(text);
    };
    const fault = takeFault(route);
    if (fault?.kind === 'http') return send(fault.status, fault.body ?? '', fault.headers);
    if (fault?.kind === 'binance') return send(fault.status ?? 400, { code: fault.code, msg: fault.msg });
    if (fault?.kind === 'delay' && !fault.after) await sleep(fault.ms, timers);
    const handler = routes[route];
    let status = 200;
    let body: unknown;
    try {
      if (!handler) { status = 404; body = `<html><body>fake-binance: no route for ${route}</body></html>`; }
      else { if (rec.signed) authenticate(req, rawQuery, rawBody, p); body = handler(p); }
    } catch (e) {
      if (!(e instanceof BinanceError)) throw e;
      [status, body] = [e.status, { code: e.code, msg: e.message }];
    }
    if (fault?.kind === 'delay' && fault.after) await sleep(fault.ms, timers); // state already changed: "timeout but the order exists"
    send(status, body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => { if (!res.headersSent) { res.writeHead(500); res.end(String(e)); } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const orderById = (id: number): FakeOrder => orders.find((o) => o.orderId === id) ?? (() => { throw new Error(`fake-binance: no order ${id}`); })();

  return {
    port, baseUrl, requests, orders, trades,
    urls: Object.fromEntries(Object.entries(API_PATHS).map(([k, path]) => [k, baseUrl + path])),
    setPrice(symbol, price) {
      const m = marketOf(symbol);
      prices.set(m.id, price);
      for (const o of orders) if (o.symbol === m.id && isOpen(o) && o.type !== 'MARKET' && crosses(o)) fill(o, o.origQty, o.price, true);
    },
    setSpread(symbol, half) {
      spreads.set(marketOf(symbol).id, half);
    },
    fillPartially(orderId, qty, price) {
      const o = orderById(orderId);
      if (!isOpen(o)) throw new Error(`fake-binance: order ${orderId} is ${o.status}`);
      fill(o, qty, price ?? o.price, true);
    },
    cancelOnExchange(orderId, status = 'CANCELED') {
      const o = orderById(orderId);
      if (isOpen(o)) release(o, status);
    },
    inject(route, fault, times = 1) { for (let i = 0; i < times; i++) faultQueue.push({ route, fault }); },
    balance: (asset) => ({ ...bal(asset) }),
    setBalance(asset, free, locked = 0) { Object.assign(bal(asset), { free, locked }); },
    setClockOffset(ms) { clockOffset = ms; },
    unexpected: () => requests.filter((r) => !routes[`${r.method} ${r.path}`]),
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections(); // ccxt/undici keeps sockets alive for 60 s; don't let them hold the test process
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
