/**
 * Trades and orders in freqtrade's API shapes (its Trade.to_json() and OpenTradeSchema, Order.to_json() and
 * OrderSchema, one superset each): what `ft-edge trades --json`, the REST API's /status, /trades and /trade/{id}
 * give, so FreqUI and scripts written for freqtrade read them as freqtrade's. Fields of what ft-edge does not do
 * (leverage, funding, trailing stops) carry freqtrade's values for a spot trade without them.
 */
import { timeframeMs } from '../protocol/index.js';
import type { OrderRecord, Trade } from './trade.js';

/** An open trade's last price and the profit at it (the strategy runtime's open position). */
export interface PricedAt {
  readonly current_rate: number | null;
  readonly profit_abs: number | null;
  readonly profit_ratio: number | null;
}

/** freqtrade's DATETIME_PRINT_FORMAT ('%Y-%m-%d %H:%M:%S'), UTC. */
export function ftDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const pct = (ratio: number | null): number | null => (ratio === null || ratio === 0 ? null : round(ratio * 100, 2));

/** freqtrade's order states: an intent or an unanswered order is an open one to freqtrade. */
function ftStatus(o: OrderRecord): string {
  return o.status === 'intent' || o.status === 'unknown' ? 'open' : o.status;
}

const isOpenOrder = (o: OrderRecord): boolean => ftStatus(o) === 'open';

/** When an order filled: its last update, or when it was placed (dry-run orders fill as they are made). */
function filledAt(o: OrderRecord): number | null {
  return o.status === 'closed' ? o.updatedAt ?? o.orderDate : null;
}

/** How long a trade has been (or was) open by the wall clock; by candle times for trades journaled before ft-edge kept it. */
export function tradeDurationMs(t: Trade, now: number): number {
  if (t.isOpen) return Math.max(0, now - (t.openedAt ?? t.openDate));
  return t.closedAt !== null && t.openedAt !== null ? t.closedAt - t.openedAt : t.closeDate - t.openDate;
}

/** An order as freqtrade shows one. */
export function freqtradeOrder(o: OrderRecord, base: string): Record<string, unknown> {
  const filled = filledAt(o);
  return {
    pair: o.pair,
    order_id: o.exchangeId ?? o.clientOrderId ?? `dry_run_${o.id}`,
    client_order_id: o.clientOrderId,
    status: ftStatus(o),
    ft_order_side: o.side,
    ft_is_entry: o.isEntry,
    order_type: o.type,
    is_open: isOpenOrder(o),
    amount: o.amount,
    filled: o.filled,
    remaining: round(o.amount - o.filled, 12),
    price: o.price,
    safe_price: o.average ?? o.price,
    average: o.average === null ? 0 : round(o.average, 8),
    cost: o.cost,
    fee: o.feeCost,
    fee_currency: o.feeCurrency,
    ft_fee_base: o.feeCurrency === base ? o.feeCost : null,
    ft_order_tag: null,
    funding_fee: 0,
    order_date: ftDate(o.orderDate),
    order_timestamp: o.orderDate,
    order_filled_date: filled === null ? null : ftDate(filled),
    order_filled_timestamp: filled,
    order_update_timestamp: o.updatedAt,
  };
}

/**
 * A trade as freqtrade's API shows one, with its orders (oldest first, as FreqUI's chart expects); an open one
 * at `at`, its last price, when known.
 */
export function freqtradeTrade(t: Trade, orders: readonly OrderRecord[], exchange: string, at?: PricedAt, now = Date.now()): Record<string, unknown> {
  const [base = t.pair, quote = t.stakeCurrency] = t.pair.split(/[/:]/);
  const closed = t.isOpen ? null : t;
  const entry = orders.find((o) => o.isEntry);
  const exit = orders.filter((o) => !o.isEntry).at(-1);
  const entryFill = orders.find((o) => o.isEntry && filledAt(o) !== null);
  const openValue = round(t.amount * t.openRate * (1 + t.feeOpen), 8);
  const rate = closed !== null ? closed.closeRate : at?.current_rate ?? null;
  const profitAbs = closed !== null ? closed.profitAbs : at?.profit_abs ?? null;
  const profitRatio = closed !== null ? closed.profitRatio : at?.profit_ratio ?? null;
  const stopRatio = t.openRate > 0 ? round(t.stopLoss / t.openRate - 1, 8) : null;
  const stopDist = rate === null || closed !== null ? null : round(t.stopLoss - rate, 8);
  const stopEntryDist = round(t.amount * t.stopLoss * (1 - t.feeClose) - openValue, 8);
  const durationS = Math.round(tradeDurationMs(t, now) / 1000);
  return {
    trade_id: t.id,
    pair: t.pair,
    base_currency: base,
    quote_currency: quote,
    is_open: t.isOpen,
    is_short: t.isShort,
    exchange,
    strategy: t.strategy,
    producer: t.producer,
    candle_type: t.candleType,
    timeframe: Math.round((timeframeMs(t.timeframe) ?? 0) / 60_000), // freqtrade: minutes
    amount: round(t.amount, 8),
    amount_requested: round(entry?.amount ?? t.amount, 8),
    stake_amount: round(t.stakeAmount, 8),
    max_stake_amount: round(t.stakeAmount, 8),
    stake_currency: t.stakeCurrency,
    enter_tag: t.enterTag,
    fee_open: t.feeOpen,
    fee_open_cost: entry?.feeCost ?? round(t.stakeAmount * t.feeOpen, 8),
    fee_open_currency: entry?.feeCurrency ?? t.stakeCurrency,
    fee_close: t.feeClose,
    fee_close_cost: closed === null ? null : exit?.feeCost ?? null,
    fee_close_currency: closed === null ? null : exit?.feeCurrency ?? t.stakeCurrency,
    open_date: ftDate(t.openDate),
    open_timestamp: t.openDate,
    open_fill_date: entryFill === undefined ? null : ftDate(filledAt(entryFill)!),
    open_fill_timestamp: entryFill === undefined ? null : filledAt(entryFill),
    open_rate: t.openRate,
    open_rate_requested: entry?.price ?? t.openRate,
    open_trade_value: openValue,
    close_date: closed === null ? null : ftDate(closed.closeDate),
    close_timestamp: closed?.closeDate ?? null,
    close_rate: closed?.closeRate ?? null,
    close_rate_requested: closed === null ? null : exit?.price ?? closed.closeRate,
    close_profit: closed?.profitRatio ?? null,
    close_profit_pct: pct(closed?.profitRatio ?? null),
    close_profit_abs: closed?.profitAbs ?? null,
    trade_duration_s: durationS,
    trade_duration: Math.floor(durationS / 60),
    current_rate: rate,
    profit_ratio: profitRatio,
    profit_pct: pct(profitRatio),
    profit_abs: profitAbs,
    profit_fiat: null,
    total_profit_abs: closed === null ? profitAbs ?? 0 : 0,
    total_profit_ratio: closed === null ? profitRatio : null,
    total_profit_fiat: null,
    realized_profit: closed?.profitAbs ?? 0,
    realized_profit_ratio: closed?.profitRatio ?? null,
    exit_reason: closed?.exitReason ?? null,
    exit_order_status: exit === undefined ? null : ftStatus(exit),
    stop_loss_abs: t.stopLoss,
    stop_loss_ratio: stopRatio,
    stop_loss_pct: stopRatio === null ? null : stopRatio * 100,
    stoploss_last_update: ftDate(t.openDate),
    stoploss_last_update_timestamp: t.openDate,
    initial_stop_loss_abs: t.stopLoss,
    initial_stop_loss_ratio: stopRatio,
    initial_stop_loss_pct: stopRatio === null ? null : stopRatio * 100,
    stoploss_current_dist: stopDist,
    stoploss_current_dist_ratio: stopDist === null || rate === null || rate === 0 ? null : round(stopDist / rate, 8),
    stoploss_current_dist_pct: stopDist === null || rate === null || rate === 0 ? null : round((stopDist / rate) * 100, 2),
    stoploss_entry_dist: stopEntryDist,
    stoploss_entry_dist_ratio: openValue > 0 ? round(stopEntryDist / openValue, 8) : null,
    min_rate: null,
    max_rate: null,
    has_open_orders: orders.some(isOpenOrder),
    leverage: 1,
    interest_rate: 0,
    liquidation_price: null,
    funding_fees: 0,
    trading_mode: t.candleType === 'futures' ? 'futures' : 'spot',
    amount_precision: null,
    price_precision: null,
    precision_mode: null,
    precision_mode_price: null,
    contract_size: 1,
    orders: orders.map((o) => freqtradeOrder(o, base)),
  };
}
