/**
 * Live trading on the exchange account, spot and long only, with freqtrade's rules (the base class) and real
 * orders. Never a lost or doubled order:
 * - every order's intent (trade, side, amount, price, and the client order id derived from them) is durable in
 *   the journal before the order is sent, and it is sent under that client order id;
 * - an answer that does not say whether the order exists (a timeout, a 5xx, a dropped connection, a 429) leaves
 *   it `unknown`, and it is looked up by its client order id until the exchange says; it is never sent again;
 * - at start every order the journal holds unsettled is looked up before any new decision (freqtrade's
 *   startup_update_open_orders), and open orders are polled, so fills, cancels and orders changed by hand on the
 *   exchange are picked up.
 * A trade holds what its entry filled, minus a fee taken in the base currency; its exit sells what it holds (or
 * what the wallet has, if less); profit is what the exit brought in minus what the entry cost, fees included.
 */
import type { Config } from '../config/index.js';
import { ExchangeFailure, minStake, rateFromTicker, type ExchangeClient, type OrderState } from '../exchange/index.js';
import type { ClosedTrade, OpenTrade, OrderRecord, SignalEvent } from '../journal/index.js';
import { Broker, fmt, type Candle, type SignalRow } from './broker.js';
import { stopPrice, stopReached } from './trade-math.js';

/** The parts of the configuration live orders follow (freqtrade's keys). */
export type LiveOrderConfig = Pick<Config, 'order_types' | 'entry_pricing' | 'exit_pricing' | 'unfilledtimeout'>;

/** Tells when the exchange refuses the API key (the reason) and when it takes it again (null). */
export type AuthListener = (problem: string | null) => void;

/** How often unsettled orders are looked at, and prices of held trades fetched for their stoploss. */
export const ORDER_POLL_MS = 5_000;
/** An order the exchange has not known for this long after it was sent was never placed. */
const NOT_FOUND_SETTLES_MS = 30_000;

/** A trade's order in flight, and what to do when it settles. */
interface Pending {
  order: OrderRecord;
  /** First time the exchange said it had no such order (null: it never said so). */
  notFoundSince: number | null;
  /** The reason an exit was placed for (the trade's exit_reason). */
  reason: string;
  event: SignalEvent | null;
  /** Exit orders of the trade cancelled for the unfilled timeout, for exit_timeout_count. */
  cancels: number;
  /** The candle an exit was decided on (no new entry of the pair on it). */
  candle: number;
}

export interface LiveBrokerDeps {
  readonly exchange: ExchangeClient;
  readonly orders: LiveOrderConfig;
  readonly onAuth: AuthListener;
  /** Minutes between reloads of the markets (exchange.markets_refresh_interval). */
  readonly marketsRefreshMin: number;
  /** How long an order sent without a clear answer may be unknown to the exchange before it counts as never placed. */
  readonly notFoundSettlesMs?: number;
}

export class LiveBroker extends Broker {
  readonly live = true;
  private deps!: LiveBrokerDeps;
  /** trade id -> its order in flight. */
  private readonly pending = new Map<number, Pending>();
  /**
   * Free balances of the stake currency and of held trades' base currencies at the last fetch (each poll), less
   * the stake of entries sent since. Read there and not per decision: a balance costs 5 of ccxt's rate-limit
   * units on Binance (a quarter second of its throttle before the next call), the ticker 1; the exchange still
   * refuses an order the account cannot pay.
   */
  private wallet = new Map<string, number>();
  /** Base currencies filled into or out of since the last fetch: their wallet figure is not yet the exchange's. */
  private readonly walletStale = new Set<string>();
  private reconciled = false;
  private authProblem: string | null = null;
  /** Pairs whose trade is being talked over with the exchange: an order prepared, sent, looked up or cancelled. */
  private readonly busy = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | null = null;
  private marketsAt = -Infinity;

  /** The exchange side; set before start(). */
  attach(deps: LiveBrokerDeps): this {
    this.deps = deps;
    return this;
  }

  /** Why no entry can be made now on the exchange side, or null. */
  get exchangeProblem(): string | null {
    return this.authProblem ?? (this.reconciled ? null : 'the orders of the journal are being reconciled with the exchange');
  }

  protected totalStake(): number {
    return (this.wallet.get(this.settings.stake_currency) ?? 0) + this.tiedUp();
  }

  override entriesBlocked(): string | null {
    return super.entriesBlocked() ?? this.exchangeProblem;
  }

  override async start(): Promise<void> {
    await super.start();
    for (const o of this.journal.unsettledOrders()) {
      if (o.tradeId === null) continue; // its trade never filled; the order is on record as settled otherwise
      this.pending.set(o.tradeId, { order: o, notFoundSince: null, reason: o.isEntry ? 'entry' : 'exit', event: null, cancels: 0, candle: o.orderDate });
    }
    this.log.info(`live trading on ${this.deps.exchange.name} spot, stake currency ${this.settings.stake_currency}: ` +
      `${this.open.size} open trade(s), ${this.pending.size} order(s) to look up`);
    await this.poll(); // reconcile before any new decision (the runtime starts after this)
  }

  override async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /**
   * Runs `act` as the only conversation with the exchange about `pair`'s trade, or not at all (null) while one is
   * under way: a poll looking up an order whose send still waits for its answer would apply the fill twice, and a
   * stoploss and a signal deciding the same exit would send two orders.
   */
  private async alone<T>(pair: string, act: () => Promise<T>): Promise<T | null> {
    if (this.busy.has(pair)) return null;
    this.busy.add(pair);
    try {
      return await act();
    } finally {
      this.busy.delete(pair);
    }
  }

  async exit(c: Candle, s: SignalRow | null): Promise<ClosedTrade | null> {
    await this.alone(c.key.pair, async () => {
      const t = this.open.get(c.key.pair);
      if (t === undefined || this.pending.has(t.id) || this.authProblem !== null) return;
      const d = this.exitDecision(t, c, s);
      if (d === null) return;
      const type = d.reason === 'stop_loss' ? this.deps.orders.order_types.stoploss : this.deps.orders.order_types.exit;
      const event = d.signal === null ? null : this.event(c, d.signal, s!.exitTag, 'exited', null);
      await this.placeExit(t, d.reason, type, event, c.date);
    });
    return null; // closed once the exit order fills
  }

  async forceExit(t: OpenTrade): Promise<string> {
    const type = this.deps.orders.order_types.force_exit ?? this.deps.orders.order_types.exit;
    const placed = await this.alone(t.pair, () => this.pending.has(t.id) ? Promise.resolve(null) : this.placeExit(t, 'force_exit', type, null, this.now()));
    return placed === null ? `#${t.id} ${t.pair}: an order of it is in flight; not now`
      : placed ? `#${t.id} ${t.pair}: exit order placed (${type})` : `#${t.id} ${t.pair}: the exit order could not be placed (see the log)`;
  }

  async enter(c: Candle, s: SignalRow, shortAllowed: boolean): Promise<OpenTrade | null> {
    return this.alone(c.key.pair, () => this.placeEntry(c, s, shortAllowed));
  }

  private async placeEntry(c: Candle, s: SignalRow, shortAllowed: boolean): Promise<OpenTrade | null> {
    const dir = this.entrySide(s, shortAllowed);
    if (dir === null || !this.mayEnter(c)) return null;
    const signal = dir === 'short' ? 'enter_short' : 'enter_long';
    const pair = c.key.pair;
    const why = dir === 'short' ? 'live trading is long only for now' : this.exchangeProblem;
    if (why !== null) {
      await this.refuse(c, signal, s.enterTag, why);
      return null;
    }
    if (!(await this.journalWritable())) return null; // durable before acting
    const ex = this.deps.exchange;
    const market = ex.market(pair);
    if (market === undefined || !market.active || market.quote !== this.settings.stake_currency) {
      await this.refuse(c, signal, s.enterTag, market === undefined ? `${pair} is not a market of ${ex.name}` : `${pair} cannot be traded for ${this.settings.stake_currency}`);
      return null;
    }
    let rate: number | null;
    try {
      rate = rateFromTicker('entry', await ex.ticker(pair), this.deps.orders.entry_pricing);
    } catch (e) {
      this.exchangeFailed(e);
      await this.refuse(c, signal, s.enterTag, `no price from the exchange: ${(e as Error).message}`);
      return null;
    }
    const stake = this.stake();
    const min = rate === null ? null : minStake(market, rate, this.settings.stoploss);
    const problem = rate === null ? `no ${pair} price on ${ex.name}`
      : typeof stake === 'string' ? stake
      : min !== null && stake < min ? `stake ${fmt(stake)} ${this.settings.stake_currency} is below ${pair}'s minimum of ${fmt(min)} (with the stoploss reserve)`
      : null;
    if (problem !== null || rate === null || typeof stake === 'string') {
      await this.refuse(c, signal, s.enterTag, problem ?? 'no price');
      return null;
    }
    const type = this.deps.orders.order_types.entry;
    const price = ex.priceToPrecision(pair, rate);
    const amount = ex.amountToPrecision(pair, stake / price);
    const st = this.settings;
    let trade: OpenTrade;
    let order: OrderRecord;
    try {
      ({ trade, order } = await this.journal.recordLiveEntry(
        {
          strategy: st.strategy, producer: c.producer, pair, timeframe: c.key.timeframe, candleType: c.key.candleType,
          isShort: false, stakeCurrency: st.stake_currency, stakeAmount: amount * price, amount, openRate: price,
          openDate: this.now(), openCandle: c.date, feeOpen: 0, feeClose: st.fee, stopLoss: stopPrice(price, st.stoploss, false),
          enterTag: s.enterTag, openedAt: this.now(),
        },
        { pair, side: 'buy', isEntry: true, type, price, amount },
        this.event(c, signal, s.enterTag, 'entered', null),
        this.now(),
      ));
    } catch (err) {
      this.log.error(`${pair}: entry intent not recorded, no order sent: ${(err as Error).message}`);
      this.journalFailed(err);
      return null;
    }
    this.journalWorks();
    this.pending.set(trade.id, { order, notFoundSince: null, reason: 'entry', event: null, cancels: 0, candle: c.date });
    this.wallet.set(st.stake_currency, (this.wallet.get(st.stake_currency) ?? 0) - amount * price);
    this.opened(trade, `#${trade.id} long: ${type} buy ${amount} at ${price} placed (${order.clientOrderId}), stake ${fmt(amount * price)} ${st.stake_currency}`);
    await this.send(trade, order, { pair, side: 'buy', type, amount, price, clientOrderId: order.clientOrderId! });
    this.schedule();
    return trade;
  }

  /** Records an exit's intent and sends it; false when it could not be placed. The caller holds the pair alone. */
  private async placeExit(t: OpenTrade, reason: string, type: 'limit' | 'market', event: SignalEvent | null, candle: number): Promise<boolean> {
    const ex = this.deps.exchange;
    const market = ex.market(t.pair);
    let rate: number | null;
    const base = market?.base ?? t.pair.split('/')[0]!;
    const held = this.walletStale.has(base) ? t.amount : this.wallet.get(base) ?? t.amount;
    try {
      rate = rateFromTicker('exit', await ex.ticker(t.pair), this.deps.orders.exit_pricing);
    } catch (e) {
      this.exchangeFailed(e);
      this.log.warn(`${t.pair}: exit (${reason}) waits: ${(e as Error).message}`);
      return false;
    }
    const amount = ex.amountToPrecision(t.pair, Math.min(t.amount, held));
    if (rate === null || !(amount > 0)) {
      this.log.error(`${t.pair}: exit (${reason}) not possible: ${rate === null ? 'no price' : `the wallet holds ${held}, nothing to sell`}`);
      return false;
    }
    const price = ex.priceToPrecision(t.pair, rate);
    let order: OrderRecord;
    try {
      order = await this.journal.recordOrderIntent(t.id, { pair: t.pair, side: 'sell', isEntry: false, type, price, amount }, this.now());
    } catch (err) {
      this.log.error(`${t.pair}: exit intent not recorded, no order sent: ${(err as Error).message}`);
      this.journalFailed(err);
      return false;
    }
    this.journalWorks();
    const cancels = this.pending.get(t.id)?.cancels ?? 0;
    this.pending.set(t.id, { order, notFoundSince: null, reason, event, cancels, candle });
    this.decided(t.pair, 'exited', `#${t.id}: ${type} sell ${amount} at ${price} placed (${reason}, ${order.clientOrderId})`);
    await this.send(t, order, { pair: t.pair, side: 'sell', type, amount, price, clientOrderId: order.clientOrderId! });
    this.schedule();
    return true;
  }

  /** Sends an order whose intent is durable, and records what the exchange answered. */
  private async send(t: OpenTrade, o: OrderRecord, r: Parameters<ExchangeClient['createOrder']>[0]): Promise<void> {
    let state: OrderState;
    try {
      state = await this.deps.exchange.createOrder(r);
    } catch (e) {
      const kind = e instanceof ExchangeFailure ? e.kind : 'other';
      this.exchangeFailed(e);
      if (kind === 'funds' || kind === 'invalid' || kind === 'auth') {
        this.log.error(`${t.pair}: order ${o.clientOrderId} refused: ${(e as Error).message}`);
        await this.settle(t, { ...o, status: 'rejected', updatedAt: this.now() });
      } else {
        // Sent, and no one knows whether it exists: looked up by its client order id from now on.
        this.log.warn(`${t.pair}: order ${o.clientOrderId} sent without a clear answer (${(e as Error).message}); looking it up`);
        await this.record(t, { ...o, status: 'unknown', updatedAt: this.now() });
      }
      return;
    }
    await this.apply(t, o, state);
  }

  /**
   * Looks at every unsettled order on the exchange (and the stoploss of held trades), then again after
   * ORDER_POLL_MS; resolves when this round is done.
   */
  reconcile(): Promise<void> {
    return this.poll();
  }

  private poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
      this.schedule();
    });
    return this.polling;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.deps === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, ORDER_POLL_MS);
    this.timer.unref();
  }

  private async pollOnce(): Promise<void> {
    const ex = this.deps.exchange;
    try {
      if (this.now() - this.marketsAt > 60_000 * this.deps.marketsRefreshMin) {
        await ex.loadMarkets();
        this.marketsAt = this.now();
      }
      await this.fetchWallet();
      this.authWorks();
    } catch (e) {
      this.exchangeFailed(e);
      return; // markets and balance first: without them nothing can be decided
    }
    for (const [tradeId, p] of [...this.pending]) {
      const t = this.open.get(this.pairOf(tradeId) ?? '') ?? null;
      await this.alone(p.order.pair, () => this.lookUp(t, tradeId, p)).catch((e: unknown) => this.exchangeFailed(e));
    }
    if (!this.reconciled) {
      this.reconciled = this.pending.size === 0 || [...this.pending.values()].every((p) => p.order.status === 'open');
      if (this.reconciled) this.log.info('live orders reconciled with the exchange: entries may go out');
    }
    await this.watchStops().catch((e: unknown) => this.exchangeFailed(e));
  }

  private async fetchWallet(): Promise<void> {
    const ex = this.deps.exchange;
    const bases = [...this.open.values()].map((t) => ex.market(t.pair)?.base ?? t.pair.split('/')[0]!);
    this.walletStale.clear();
    this.wallet = await ex.free([this.settings.stake_currency, ...bases]);
  }

  private async lookUp(t: OpenTrade | null, tradeId: number, p: Pending): Promise<void> {
    const o = p.order;
    let state: OrderState;
    try {
      state = await this.deps.exchange.orderByClientId(o.pair, o.clientOrderId!);
    } catch (e) {
      if (!(e instanceof ExchangeFailure && e.kind === 'not-found')) throw e;
      // Not there: sent so long ago that it would be there by now, it was never placed.
      const since = p.notFoundSince ?? this.now();
      p.notFoundSince = since;
      if (o.status === 'open' || this.now() - Math.max(since, o.updatedAt ?? o.orderDate) >= (this.deps.notFoundSettlesMs ?? NOT_FOUND_SETTLES_MS)) {
        this.log.warn(`${o.pair}: order ${o.clientOrderId} does not exist on the exchange: it was never placed`);
        if (t !== null) await this.settle(t, { ...o, status: 'rejected', updatedAt: this.now() });
        else this.pending.delete(tradeId);
      }
      return;
    }
    if (t === null) {
      this.pending.delete(tradeId);
      return;
    }
    await this.apply(t, o, state);
    if (state.status === 'open') await this.unfilledTimeout(t, this.pending.get(tradeId));
  }

  /** Records the exchange's state of an order, and what it means for its trade. */
  private async apply(t: OpenTrade, o: OrderRecord, s: OrderState): Promise<void> {
    let feeCost = 0;
    let feeCurrency: string | null = null;
    let fees = s.fees;
    if (fees === null && s.filled > 0) fees = await this.deps.exchange.fees(o.pair, s.exchangeId).catch(() => null);
    for (const f of fees ?? []) {
      feeCost += f.cost;
      feeCurrency = f.currency;
    }
    if (s.filled !== o.filled) this.walletStale.add(this.deps.exchange.market(o.pair)?.base ?? o.pair.split('/')[0]!);
    const updated: OrderRecord = {
      ...o, exchangeId: s.exchangeId, status: s.status, filled: s.filled, average: s.average, cost: s.cost, feeCost,
      feeCurrency, updatedAt: this.now(),
    };
    if (s.status === 'open') await this.record(t, updated);
    else await this.settle(t, updated);
    const held = this.open.get(t.pair);
    if (o.isEntry && o.filled === 0 && s.filled > 0 && held !== undefined) this.onTrade('entry-filled', held);
  }

  /** An order still in flight: its state on record, and the trade's fills so far. */
  private async record(t: OpenTrade, o: OrderRecord): Promise<void> {
    await this.journal.updateOrder(o);
    const p = this.pending.get(t.id);
    if (p !== undefined) p.order = o;
    if (o.isEntry && o.filled > 0) await this.entryFilled(t, o);
  }

  /** An order reached its end (filled, cancelled, expired, refused, never placed). */
  private async settle(t: OpenTrade, o: OrderRecord): Promise<void> {
    await this.journal.updateOrder(o);
    const p = this.pending.get(t.id);
    this.pending.delete(t.id);
    if (o.isEntry) {
      if (o.filled > 0) {
        const held = await this.entryFilled(t, o);
        this.log.info(`${t.pair}: #${t.id} entry ${o.status === 'closed' ? 'filled' : `${o.status}, partly filled`}: holds ${held.amount} at ${held.openRate}`);
        return;
      }
      await this.journal.dropTrade(t.id);
      this.open.delete(t.pair);
      this.decided(t.pair, 'refused', `#${t.id}: entry order ${o.clientOrderId} ${o.status} without a fill; no trade`);
      this.onTrade('entry-cancelled', t, `order ${o.status}`);
      return;
    }
    // An exit: what was sold, at what it brought in.
    if (o.filled <= 0) {
      this.log.warn(`${t.pair}: #${t.id} exit order ${o.clientOrderId} ${o.status} without a fill; the trade stays open`);
      this.onTrade('exit-cancelled', t, `order ${o.status}`);
      return;
    }
    const quoteFee = o.feeCurrency === null || o.feeCurrency === this.settings.stake_currency ? o.feeCost : 0;
    const remaining = round12(t.amount - o.filled);
    if (o.status !== 'closed' && remaining > 0) {
      // Partly sold and cancelled: the trade holds the rest, its cost shrinks in proportion.
      const share = remaining / t.amount;
      const rest: OpenTrade = { ...t, amount: remaining, stakeAmount: t.stakeAmount * share };
      await this.journal.updateEntry(rest);
      this.open.set(t.pair, rest);
      return;
    }
    const received = o.cost - quoteFee;
    const profitAbs = Number((received - t.stakeAmount).toFixed(8));
    const closed = await this.journal.closeLiveTrade(t, {
      closeRate: o.average ?? o.price, closeDate: this.now(), closeCandle: p?.candle ?? this.now(), profitAbs,
      profitRatio: t.stakeAmount > 0 ? Number((profitAbs / t.stakeAmount).toFixed(8)) : 0,
      exitReason: p?.reason ?? 'exit', closedAt: this.now(),
    }, p?.event ?? null);
    this.closed(t, closed, closed.closeCandle);
  }

  /**
   * The trade as its entry's fills make it: the amount bought less a fee taken in the base currency, at the
   * average price, and what it cost with a fee in the stake currency.
   */
  private async entryFilled(t: OpenTrade, o: OrderRecord): Promise<OpenTrade> {
    const base = this.deps.exchange.market(t.pair)?.base ?? t.pair.split('/')[0]!;
    const baseFee = o.feeCurrency === base ? o.feeCost : 0;
    const quoteFee = o.feeCurrency === this.settings.stake_currency ? o.feeCost : 0;
    const openRate = o.average ?? o.price;
    const updated: OpenTrade = {
      ...t, amount: round12(o.filled - baseFee), openRate, stakeAmount: round12(o.cost + quoteFee),
      feeOpen: o.cost > 0 ? (quoteFee + baseFee * openRate) / o.cost : 0, stopLoss: stopPrice(openRate, this.settings.stoploss, false),
    };
    await this.journal.updateEntry(updated);
    this.open.set(t.pair, updated);
    return updated;
  }

  /** freqtrade's unfilledtimeout: an order open too long is cancelled (not an entry that would keep too little). */
  private async unfilledTimeout(t: OpenTrade, p: Pending | undefined): Promise<void> {
    if (p === undefined || p.order.status !== 'open') return;
    const u = this.deps.orders.unfilledtimeout;
    const limitMs = (p.order.isEntry ? u.entry : u.exit) * (u.unit === 'seconds' ? 1000 : 60_000);
    if (limitMs <= 0 || this.now() - p.order.orderDate < limitMs) return;
    const o = p.order;
    if (o.isEntry && o.filled > 0) {
      const market = this.deps.exchange.market(t.pair);
      const min = market === undefined ? null : minStake(market, o.average ?? o.price, this.settings.stoploss);
      if (min !== null && o.cost < min) return; // freqtrade refuses a cancel that leaves less than the minimum stake
    }
    this.log.info(`${t.pair}: order ${o.clientOrderId} unfilled after ${p.order.isEntry ? u.entry : u.exit} ${u.unit}: cancelling`);
    const state = await this.deps.exchange.cancel(o.pair, o.exchangeId!, o.clientOrderId!);
    await this.apply(t, o, state);
    if (!o.isEntry && this.open.has(t.pair)) {
      // The exit goes again on the next candle; after exit_timeout_count cancels as a market order.
      const cancels = p.cancels + 1;
      const count = u.exit_timeout_count;
      if (count > 0 && cancels >= count) {
        this.pending.delete(t.id);
        await this.placeExit(this.open.get(t.pair)!, `${p.reason} (emergency)`, this.deps.orders.order_types.emergency_exit ?? 'market', p.event, p.candle);
      }
    }
  }

  /** The software stoploss on the exchange's price between candles. */
  private async watchStops(): Promise<void> {
    for (const held of [...this.open.values()]) {
      await this.alone(held.pair, async () => {
        const t = this.open.get(held.pair);
        if (t === undefined || this.pending.has(t.id) || this.authProblem !== null) return;
        const tk = await this.deps.exchange.ticker(t.pair);
        const price = tk.bid ?? tk.last;
        if (price !== null && stopReached(t.stopLoss, price, price, false)) {
          await this.placeExit(t, 'stop_loss', this.deps.orders.order_types.stoploss, null, this.now());
        }
      });
    }
  }

  private exchangeFailed(e: unknown): void {
    if (e instanceof ExchangeFailure && e.kind === 'auth') {
      if (this.authProblem === null) this.log.error(`${e.message}: live trading stopped (entries and exits) until the key is fixed`);
      this.authProblem = `the exchange refuses the API key: no orders (${this.deps.exchange.name})`;
      this.deps.onAuth(this.authProblem);
    }
  }

  private authWorks(): void {
    if (this.authProblem === null) return;
    this.authProblem = null;
    this.log.info('the exchange takes the API key again: live trading resumes');
    this.deps.onAuth(null);
  }

  private pairOf(tradeId: number): string | undefined {
    for (const t of this.open.values()) if (t.id === tradeId) return t.pair;
    return undefined;
  }

  /** Orders in flight per trade, for status. */
  ordersInFlight(): readonly OrderRecord[] {
    return [...this.pending.values()].map((p) => p.order);
  }
}

/** Amounts as the exchange counts them: decimal fractions, without the binary rounding of a subtraction. */
function round12(x: number): number {
  return Number(x.toFixed(12));
}
