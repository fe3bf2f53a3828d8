/**
 * The exchange account through ccxt's unified API, for live trading. Only the one exchange class is loaded, and
 * only when live trading starts: all of ccxt costs 120+ MB and seconds on a Pi, one class about 30 MB (the import
 * resolves ccxt's own entry and loads the class file beside it, as ccxt's package exports nothing finer).
 *
 * Every ccxt error becomes an ExchangeFailure of a kind that says what to do about it, following ccxt's error
 * classes as freqtrade does: `unknown` means a write may or may not have happened (a timeout, a 5xx, a dropped
 * connection) and must be resolved by looking the order up, never by sending it again.
 */
import type { Exchange, Order } from 'ccxt';
import type { LiveAccount } from '../config/index.js';

export type FailureKind =
  /** The request may have been carried out or not: look it up. For a read: try again later. */
  | 'unknown'
  /** Rate limited (429/418): the request was not carried out; back off. */
  | 'rate-limit'
  /** Not enough balance for the order. */
  | 'funds'
  /** The exchange refused the order (filters, precision, notional). */
  | 'invalid'
  /** The key or secret is refused: trading stops until the configuration is fixed. */
  | 'auth'
  /** No such order. */
  | 'not-found'
  | 'other';

export class ExchangeFailure extends Error {
  constructor(readonly kind: FailureKind, message: string) {
    super(message);
    this.name = 'ExchangeFailure';
  }
}

/** An order as the exchange reports it, in the unified form ft-edge keeps. */
export interface OrderState {
  readonly exchangeId: string;
  readonly clientOrderId: string;
  readonly status: 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';
  /** Base currency amounts. */
  readonly amount: number;
  readonly filled: number;
  /** The limit price (or the average for a market order), and the average fill price (null before a fill). */
  readonly price: number;
  readonly average: number | null;
  /** Quote spent or received. */
  readonly cost: number;
  /** Fees from the order's fills, by currency; null when the exchange did not say (look the trades up). */
  readonly fees: readonly { readonly cost: number; readonly currency: string }[] | null;
}

/** What an order needs of a market: its currencies and limits, for stake and precision. */
export interface MarketLimits {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly active: boolean;
  readonly amountMin: number | null;
  readonly costMin: number | null;
}

export interface Ticker {
  readonly bid: number | null;
  readonly ask: number | null;
  readonly last: number | null;
}

export interface OrderRequest {
  readonly pair: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'limit' | 'market';
  readonly amount: number;
  /** Required for a limit order; ignored for a market one (Binance would turn it into a quote amount). */
  readonly price: number | null;
  readonly clientOrderId: string;
}

type Ccxt = typeof import('ccxt');

/** The unified options that keep the exchange class on spot, as the live mode is (no margin or futures calls). */
const SPOT_ONLY = { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false, defaultType: 'spot' };

export class ExchangeClient {
  private marketsLoaded = false;

  private constructor(
    private readonly ex: Exchange,
    private readonly errors: Ccxt['errors'],
    /** The exchange's name, for messages. */
    readonly name: string,
  ) {}

  /** Loads the account's exchange class (only it) and makes the client; markets are loaded by loadMarkets(). */
  static async open(account: LiveAccount, timeoutMs = 10_000): Promise<ExchangeClient> {
    const entry = import.meta.resolve('ccxt');
    const cls = (await import(new URL(`./src/${account.exchange}.js`, entry).href)) as { default: new (o: object) => Exchange };
    const errors = (await import(new URL('./src/base/errors.js', entry).href)) as Ccxt['errors'];
    const user = account.ccxt_config;
    const options = { ...SPOT_ONLY, ...(isObject(user['options']) ? user['options'] : {}) };
    // freqtrade merges ccxt_config into the constructor's options; ccxt deep-merges them into the class's own.
    const ex = new cls.default({
      enableRateLimit: true,
      timeout: timeoutMs,
      ...user,
      options,
      apiKey: account.key,
      secret: account.secret,
      ...(account.password !== null ? { password: account.password } : {}),
      ...(account.uid !== null ? { uid: account.uid } : {}),
    });
    return new ExchangeClient(ex, errors, account.exchange);
  }

  /** Loads (or reloads) the markets: precision and limits. A failed load is not cached (ccxt would keep it). */
  async loadMarkets(): Promise<void> {
    await this.call('loading the markets', () => this.ex.loadMarkets(true));
    this.marketsLoaded = true;
  }

  market(pair: string): MarketLimits | undefined {
    if (!this.marketsLoaded) return undefined;
    const m = this.ex.markets?.[pair];
    if (m === undefined) return undefined;
    return {
      symbol: m.symbol, base: m.base, quote: m.quote, active: m.active !== false,
      amountMin: m.limits?.amount?.min ?? null, costMin: m.limits?.cost?.min ?? null,
    };
  }

  /** The amount truncated to the market's precision (freqtrade's amount_to_precision). */
  amountToPrecision(pair: string, amount: number): number {
    return Number(this.ex.amountToPrecision(pair, amount));
  }

  /** The price rounded to the market's precision (freqtrade's price_to_precision). */
  priceToPrecision(pair: string, price: number): number {
    return Number(this.ex.priceToPrecision(pair, price));
  }

  async ticker(pair: string): Promise<Ticker> {
    const t = await this.call(`the ticker of ${pair}`, () => this.ex.fetchTicker(pair));
    return { bid: t.bid ?? null, ask: t.ask ?? null, last: t.last ?? null };
  }

  /** Free balance of each currency asked for. */
  async free(currencies: readonly string[]): Promise<Map<string, number>> {
    const b = await this.call('the balance', () => this.ex.fetchBalance());
    const free = (b.free ?? {}) as unknown as Record<string, number | undefined>;
    return new Map(currencies.map((c) => [c, free[c] ?? 0]));
  }

  /** Places an order under our client order id; resolves with the exchange's view of it. */
  async createOrder(r: OrderRequest): Promise<OrderState> {
    const params = { newClientOrderId: r.clientOrderId, clientOrderId: r.clientOrderId };
    const o = await this.call(`placing ${r.side} order ${r.clientOrderId}`, () =>
      this.ex.createOrder(r.pair, r.type, r.side, r.amount, r.type === 'limit' ? (r.price ?? undefined) : undefined, params));
    return this.state(o, r.clientOrderId);
  }

  /** The order placed under `clientOrderId` (ExchangeFailure 'not-found' when there is none). */
  async orderByClientId(pair: string, clientOrderId: string): Promise<OrderState> {
    const o = await this.call(`looking up order ${clientOrderId}`, () =>
      this.ex.fetchOrder('', pair, { origClientOrderId: clientOrderId, clientOrderId }));
    return this.state(o, clientOrderId);
  }

  /** Cancels an order; resolves with its final state (looked up: cancel answers are partial on some exchanges). */
  async cancel(pair: string, exchangeId: string, clientOrderId: string): Promise<OrderState> {
    try {
      await this.call(`cancelling order ${clientOrderId}`, () => this.ex.cancelOrder(exchangeId, pair));
    } catch (e) {
      // Filled or cancelled meanwhile: the lookup below says which.
      if (!(e instanceof ExchangeFailure && (e.kind === 'not-found' || e.kind === 'invalid'))) throw e;
    }
    return this.orderByClientId(pair, clientOrderId);
  }

  /** Fees of an order's fills (the order itself does not always carry them). */
  async fees(pair: string, exchangeId: string): Promise<{ cost: number; currency: string }[]> {
    const trades = await this.call(`the fills of order ${exchangeId}`, () => this.ex.fetchMyTrades(pair, undefined, undefined, { orderId: exchangeId }));
    return trades
      .filter((t) => String(t.order) === exchangeId && t.fee?.currency !== undefined)
      .map((t) => ({ cost: t.fee!.cost ?? 0, currency: t.fee!.currency! }));
  }

  private state(o: Order, clientOrderId: string): OrderState {
    const filled = o.filled ?? 0;
    // ccxt puts every fill's fee in `fees` (Binance's FULL answers) or one in `fee`; neither: ask for the fills.
    const list = (o as Order & { fees?: { cost?: number; currency?: string }[] }).fees ?? [];
    const fees = list.length > 0
      ? list.filter((f) => f.currency !== undefined).map((f) => ({ cost: f.cost ?? 0, currency: f.currency! }))
      : o.fee?.currency !== undefined ? [{ cost: o.fee.cost ?? 0, currency: o.fee.currency }] : filled > 0 ? null : [];
    return {
      exchangeId: String(o.id),
      clientOrderId: o.clientOrderId ?? clientOrderId,
      status: statusOf(o.status),
      amount: o.amount ?? filled,
      filled,
      price: o.price ?? o.average ?? 0,
      average: o.average ?? (filled > 0 && o.cost !== undefined ? o.cost / filled : null),
      cost: o.cost ?? 0,
      fees,
    };
  }

  /** Runs a ccxt call, turning its errors into ExchangeFailures; messages name what was done, never a secret. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.failure(what, e);
    }
  }

  private failure(what: string, e: unknown): ExchangeFailure {
    const E = this.errors;
    const text = oneLine(e instanceof Error ? e.message : String(e));
    // Binance answers a revoked key with -2015, which ccxt can take for rate limiting once a call succeeded.
    if (e instanceof E.AuthenticationError || /-2015|-2014|-1022|Invalid API-key/i.test(text)) return new ExchangeFailure('auth', `${what}: the exchange refused the API key: ${text}`);
    if (e instanceof E.OrderNotFound) return new ExchangeFailure('not-found', `${what}: no such order`);
    if (e instanceof E.InsufficientFunds) return new ExchangeFailure('funds', `${what}: insufficient funds: ${text}`);
    if (e instanceof E.InvalidOrder || e instanceof E.BadRequest) return new ExchangeFailure('invalid', `${what}: refused by the exchange: ${text}`);
    if (e instanceof E.DDoSProtection || e instanceof E.RateLimitExceeded) return new ExchangeFailure('rate-limit', `${what}: rate limited: ${text}`);
    if (e instanceof E.OperationFailed) return new ExchangeFailure('unknown', `${what}: no clear answer (${(e as Error).name}): ${text}`);
    return new ExchangeFailure('other', `${what}: ${text}`);
  }
}

function statusOf(s: string | undefined): OrderState['status'] {
  return s === 'closed' || s === 'canceled' || s === 'expired' || s === 'rejected' ? s : 'open';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneLine(s: string): string {
  const line = s.replace(/\s*\n\s*/g, ' | ');
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
