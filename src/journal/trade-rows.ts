/** Trades as the journal's rows hold them, and back. */
import type { CandleType } from '../protocol/index.js';
import type { NewTrade, OrderRecord, OrderStatus, Trade } from './trade.js';

export const SELECT_TRADES = 'SELECT * FROM trades';

export interface TradeRow {
  id: number;
  strategy: string;
  producer: string;
  pair: string;
  timeframe: string;
  candle_type: string;
  is_short: number;
  is_open: number;
  stake_currency: string;
  stake_amount: number;
  amount: number;
  open_rate: number;
  open_date: number;
  open_candle: number;
  fee_open: number;
  fee_close: number;
  stop_loss: number;
  enter_tag: string | null;
  close_rate: number | null;
  close_date: number | null;
  close_candle: number | null;
  profit_abs: number | null;
  profit_ratio: number | null;
  exit_reason: string | null;
  opened_at: number | null;
  closed_at: number | null;
}

export function rowToTrade(r: TradeRow): Trade {
  const base: NewTrade & { id: number } = {
    id: r.id,
    strategy: r.strategy,
    producer: r.producer,
    pair: r.pair,
    timeframe: r.timeframe,
    candleType: r.candle_type as CandleType,
    isShort: r.is_short === 1,
    stakeCurrency: r.stake_currency,
    stakeAmount: r.stake_amount,
    amount: r.amount,
    openRate: r.open_rate,
    openDate: r.open_date,
    openCandle: r.open_candle,
    feeOpen: r.fee_open,
    feeClose: r.fee_close,
    stopLoss: r.stop_loss,
    enterTag: r.enter_tag,
    openedAt: r.opened_at,
  };
  if (r.is_open === 1) return { ...base, isOpen: true };
  // The schema's CHECK guarantees every close column of a closed trade is set.
  return {
    ...base,
    isOpen: false,
    closeRate: r.close_rate!,
    closeDate: r.close_date!,
    closeCandle: r.close_candle!,
    profitAbs: r.profit_abs!,
    profitRatio: r.profit_ratio!,
    exitReason: r.exit_reason!,
    closedAt: r.closed_at,
  };
}

export interface OrderRow {
  id: number;
  trade_id: number | null;
  pair: string;
  ft_order_side: 'buy' | 'sell';
  is_entry: number;
  order_type: 'limit' | 'market';
  client_order_id: string | null;
  exchange_order_id: string | null;
  status: OrderStatus;
  price: number;
  amount: number;
  filled: number;
  average: number | null;
  cost: number;
  fee_cost: number;
  fee_currency: string | null;
  order_date: number;
  updated_at: number | null;
}

export function rowToOrder(r: OrderRow): OrderRecord {
  return {
    id: r.id, tradeId: r.trade_id, pair: r.pair, side: r.ft_order_side, isEntry: r.is_entry === 1, type: r.order_type,
    clientOrderId: r.client_order_id, exchangeId: r.exchange_order_id, status: r.status, price: r.price, amount: r.amount,
    filled: r.filled, average: r.average, cost: r.cost, feeCost: r.fee_cost, feeCurrency: r.fee_currency,
    orderDate: r.order_date, updatedAt: r.updated_at,
  };
}
