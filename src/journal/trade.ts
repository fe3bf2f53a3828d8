/** Dry-run trades as the journal keeps them. Dates are epoch milliseconds (UTC). */
import type { CandleType } from '../protocol/index.js';

/** What is known when a trade opens. */
export interface NewTrade {
  readonly strategy: string;
  readonly producer: string;
  readonly pair: string;
  readonly timeframe: string;
  readonly candleType: CandleType;
  readonly isShort: boolean;
  readonly stakeCurrency: string;
  readonly stakeAmount: number;
  readonly amount: number;
  readonly openRate: number;
  /** When the entry filled: the close time of the candle that triggered it. */
  readonly openDate: number;
  /** Open time (the frame's `date`) of that candle. */
  readonly openCandle: number;
  readonly feeOpen: number;
  readonly feeClose: number;
  /** Stop price. */
  readonly stopLoss: number;
  readonly enterTag: string | null;
  /** Wall-clock time the trade was opened (null on trades journaled before ft-edge kept it). */
  readonly openedAt: number | null;
}

export interface OpenTrade extends NewTrade {
  readonly id: number;
  readonly isOpen: true;
}

/** How a trade closed. */
export interface TradeClose {
  readonly closeRate: number;
  readonly closeDate: number;
  readonly closeCandle: number;
  readonly profitAbs: number;
  readonly profitRatio: number;
  /** freqtrade's exit_reason: 'stop_loss', 'roi', 'exit_signal' or the strategy's exit tag. */
  readonly exitReason: string;
  /** Wall-clock time the trade was closed (null on trades journaled before ft-edge kept it). */
  readonly closedAt: number | null;
}

export interface ClosedTrade extends NewTrade, TradeClose {
  readonly id: number;
  readonly isOpen: false;
}

export type Trade = OpenTrade | ClosedTrade;

/** A strategy signal the trading side acted on or refused, for the signal_events table. */
export interface SignalEvent {
  /** Wall-clock time of the decision. */
  readonly at: number;
  readonly producer: string;
  readonly pair: string;
  readonly timeframe: string;
  readonly candleType: CandleType;
  /** Open time of the candle carrying the signal. */
  readonly candle: number;
  readonly signal: 'enter_long' | 'enter_short' | 'exit_long' | 'exit_short';
  readonly tag: string | null;
  readonly outcome: 'entered' | 'exited' | 'refused';
  /** Why a signal was refused. */
  readonly detail: string | null;
}

/** What an order was asked to be (the rest is the exchange's answer). */
export interface NewOrder {
  readonly pair: string;
  readonly side: 'buy' | 'sell';
  readonly isEntry: boolean;
  readonly type: 'limit' | 'market';
  /** The limit price, or the price the market order was decided at. */
  readonly price: number;
  /** Base currency. */
  readonly amount: number;
}

/**
 * An order as the journal knows it. `intent`: committed before it is sent; `unknown`: sent, but no clear answer
 * came (it is looked up by its client order id, never sent again); then the exchange's own states.
 */
export type OrderStatus = 'intent' | 'open' | 'unknown' | 'closed' | 'canceled' | 'expired' | 'rejected';

export interface OrderRecord extends NewOrder {
  readonly id: number;
  /** null for an entry order whose trade never filled. */
  readonly tradeId: number | null;
  /** The id the order is placed under (live orders; null for dry-run fills). */
  readonly clientOrderId: string | null;
  readonly exchangeId: string | null;
  readonly status: OrderStatus;
  readonly filled: number;
  readonly average: number | null;
  /** Quote spent or received. */
  readonly cost: number;
  /** Fees, in fee_currency (null: the stake currency, as dry-run fees are). */
  readonly feeCost: number;
  readonly feeCurrency: string | null;
  readonly orderDate: number;
  readonly updatedAt: number | null;
}
