/**
 * freqtrade's statistics over the journal's trades, as its RPC computes them (rpc.py _rpc_trade_statistics,
 * _rpc_performance and friends, _rpc_timeunit_profit): /profit, /performance, /entries, /exits, /mix_tags,
 * /daily, /weekly, /monthly.
 */
import { ftDate, tradeDurationMs, type ClosedTrade, type PricedAt, type Trade } from '../journal/index.js';

const r8 = (x: number): number => Number(x.toFixed(8));
const r2 = (x: number): number => Number(x.toFixed(2));
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : sum(xs) / xs.length);
const closedOf = (trades: readonly Trade[]): ClosedTrade[] => trades.filter((t): t is ClosedTrade => !t.isOpen);

/** Python's str(timedelta(seconds=s)) without the fraction: "7:59:54", "1 day, 2:03:04". */
function timedelta(seconds: number): string {
  const s = Math.round(seconds);
  const days = Math.floor(s / 86_400);
  const rest = s % 86_400;
  const hms = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  return days === 0 ? hms : `${days} day${days === 1 ? '' : 's'}, ${hms}`;
}

/** "5 minutes ago", as freqtrade's humanized dates (arrow's humanize, roughly). */
function humanized(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  const [n, unit] = s < 45 ? [0, 'just now'] : s < 3600 ? [Math.round(s / 60), 'minute'] : s < 86_400 ? [Math.round(s / 3600), 'hour'] : [Math.round(s / 86_400), 'day'];
  return n === 0 ? 'just now' : `${n} ${unit}${n === 1 ? '' : 's'} ago`;
}


export interface ProfitInputs {
  readonly trades: readonly Trade[];
  /** Open trades' prices, by trade id. */
  readonly prices: ReadonlyMap<number, PricedAt>;
  readonly startingBalance: number;
  /** Σ cost of every filled order. */
  readonly tradingVolume: number;
  readonly botStart: number;
  readonly now: number;
}

/** GET /profit. */
export function profit(p: ProfitInputs): Record<string, unknown> {
  const closed = closedOf(p.trades);
  const open = p.trades.filter((t) => t.isOpen);
  const closedRatios = closed.map((t) => t.profitRatio);
  const closedAbs = r8(sum(closed.map((t) => t.profitAbs)));
  const openPriced = open.flatMap((t) => {
    const at = p.prices.get(t.id);
    return at?.profit_abs != null && at.profit_ratio != null ? [{ abs: at.profit_abs, ratio: at.profit_ratio }] : [];
  });
  const allRatios = [...closedRatios, ...openPriced.map((o) => o.ratio)];
  const allAbs = r8(closedAbs + sum(openPriced.map((o) => o.abs)));
  const start = p.startingBalance;
  const byPair = new Map<string, number>();
  for (const t of closed) byPair.set(t.pair, (byPair.get(t.pair) ?? 0) + t.profitRatio);
  const best = [...byPair].sort((a, b) => b[1] - a[1])[0];
  const wins = closed.filter((t) => t.profitRatio >= 0).length;
  const winAbs = closed.filter((t) => t.profitAbs > 0).map((t) => t.profitAbs);
  const lossAbs = closed.filter((t) => t.profitAbs < 0).map((t) => -t.profitAbs);
  const winrate = closed.length === 0 ? 0 : wins / closed.length;
  const avgWin = mean(winAbs);
  const avgLoss = mean(lossAbs);
  const strictWinrate = closed.length === 0 ? 0 : winAbs.length / closed.length;
  const lossrate = closed.length === 0 ? 0 : lossAbs.length / closed.length;
  const dd = drawdown(closed, start);
  const first = p.trades[0];
  const latest = p.trades.at(-1);
  return {
    profit_closed_coin: closedAbs,
    profit_closed_percent_mean: r2(mean(closedRatios) * 100),
    profit_closed_ratio_mean: mean(closedRatios),
    profit_closed_percent_sum: r2(sum(closedRatios) * 100),
    profit_closed_ratio_sum: sum(closedRatios),
    profit_closed_percent: start > 0 ? r2((closedAbs / start) * 100) : 0,
    profit_closed_ratio: start > 0 ? closedAbs / start : 0,
    profit_closed_fiat: 0,
    profit_all_coin: allAbs,
    profit_all_percent_mean: r2(mean(allRatios) * 100),
    profit_all_ratio_mean: mean(allRatios),
    profit_all_percent_sum: r2(sum(allRatios) * 100),
    profit_all_ratio_sum: sum(allRatios),
    profit_all_percent: start > 0 ? r2((allAbs / start) * 100) : 0,
    profit_all_ratio: start > 0 ? allAbs / start : 0,
    profit_all_fiat: 0,
    trade_count: p.trades.length,
    closed_trade_count: closed.length,
    first_trade_date: first === undefined ? '' : ftDate(first.openDate),
    first_trade_humanized: first === undefined ? '' : humanized(first.openedAt ?? first.openDate, p.now),
    first_trade_timestamp: first?.openDate ?? 0,
    latest_trade_date: latest === undefined ? '' : ftDate(latest.openDate),
    latest_trade_humanized: latest === undefined ? '' : humanized(latest.openedAt ?? latest.openDate, p.now),
    latest_trade_timestamp: latest?.openDate ?? 0,
    avg_duration: timedelta(mean(closed.map((t) => tradeDurationMs(t, p.now) / 1000))),
    best_pair: best?.[0] ?? '',
    best_rate: best === undefined ? 0 : r2(best[1] * 100),
    best_pair_profit_ratio: best?.[1] ?? 0,
    winning_trades: wins,
    losing_trades: closed.length - wins,
    // freqtrade's is +inf (sent as null) without a loss; 0 here keeps it a number.
    profit_factor: lossAbs.length === 0 ? 0 : sum(winAbs) / sum(lossAbs),
    winrate,
    expectancy: strictWinrate * avgWin - lossrate * avgLoss,
    expectancy_ratio: avgLoss === 0 ? 100 : (1 + avgWin / avgLoss) * strictWinrate - 1,
    ...dd,
    trading_volume: p.tradingVolume,
    bot_start_timestamp: p.botStart,
    bot_start_date: ftDate(p.botStart),
  };
}

/** The largest fall of the cumulative closed profit, by close date, absolute and relative to the balance at its high. */
function drawdown(closed: readonly ClosedTrade[], start: number): Record<string, number | string> {
  const byClose = [...closed].sort((a, b) => a.closeDate - b.closeDate);
  let cum = 0;
  let high = 0;
  let highAt = byClose[0]?.closeDate ?? 0;
  let worst = { abs: 0, rel: 0, from: 0, to: 0 };
  for (const t of byClose) {
    cum += t.profitAbs;
    if (cum > high) {
      high = cum;
      highAt = t.closeDate;
    }
    const fall = high - cum;
    if (fall > worst.abs) worst = { abs: fall, rel: start + high > 0 ? fall / (start + high) : 0, from: highAt, to: t.closeDate };
  }
  return {
    max_drawdown: worst.rel,
    max_drawdown_abs: r8(worst.abs),
    max_drawdown_start: worst.abs === 0 ? '' : ftDate(worst.from),
    max_drawdown_start_timestamp: worst.abs === 0 ? 0 : worst.from,
    max_drawdown_end: worst.abs === 0 ? '' : ftDate(worst.to),
    max_drawdown_end_timestamp: worst.abs === 0 ? 0 : worst.to,
  };
}

/** What /performance, /entries, /exits and /mix_tags group closed trades by, and the key they name it. */
export type Grouping = 'pair' | 'enter_tag' | 'exit_reason' | 'mix_tag';

/** Closed trades grouped (optionally of one pair): Σ profit ratio and abs, count; most profitable first. */
export function grouped(trades: readonly Trade[], by: Grouping, pair?: string): Record<string, unknown>[] {
  const keyOf = (t: ClosedTrade): string => {
    if (by === 'pair') return t.pair;
    if (by === 'enter_tag') return t.enterTag ?? 'Other';
    if (by === 'exit_reason') return t.exitReason;
    return `${t.enterTag ?? 'Other'} ${t.exitReason}`;
  };
  const groups = new Map<string, { ratio: number; abs: number; count: number }>();
  for (const t of closedOf(trades)) {
    if (pair !== undefined && t.pair !== pair) continue;
    const g = groups.get(keyOf(t)) ?? { ratio: 0, abs: 0, count: 0 };
    g.ratio += t.profitRatio;
    g.abs += t.profitAbs;
    g.count++;
    groups.set(keyOf(t), g);
  }
  return [...groups].sort((a, b) => b[1].abs - a[1].abs).map(([key, g]) => ({
    [by]: key,
    profit_ratio: r8(g.ratio),
    profit_pct: r2(g.ratio * 100),
    profit_abs: r8(g.abs),
    count: g.count,
    ...(by === 'pair' ? { profit: r2(g.ratio * 100) } : {}),
  }));
}

export type TimeUnit = 'days' | 'weeks' | 'months';

/** The UTC start of the period `back` periods before the one holding `now`. */
function periodStart(now: number, unit: TimeUnit, back: number): number {
  const d = new Date(now);
  if (unit === 'months') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (unit === 'days') return day - back * 86_400_000;
  const monday = day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
  return monday - back * 7 * 86_400_000;
}

/** GET /daily, /weekly, /monthly: `timescale` periods, the current one first; balances walked back from today's. */
export function timeunitProfit(trades: readonly Trade[], unit: TimeUnit, timescale: number, balanceNow: number, stakeCurrency: string, now: number): Record<string, unknown> {
  const closed = closedOf(trades);
  let balance = balanceNow;
  const data: Record<string, unknown>[] = [];
  for (let i = 0; i < timescale; i++) {
    const from = periodStart(now, unit, i);
    const to = i === 0 ? Infinity : periodStart(now, unit, i - 1);
    const inside = closed.filter((t) => t.closeDate >= from && t.closeDate < to);
    const abs = r8(sum(inside.map((t) => t.profitAbs)));
    balance -= abs;
    data.push({
      date: new Date(from).toISOString().slice(0, 10),
      abs_profit: abs,
      rel_profit: balance > 0 ? r8(abs / balance) : 0,
      starting_balance: r8(balance),
      fiat_value: 0,
      trade_count: inside.length,
    });
  }
  return { data, fiat_display_currency: '', stake_currency: stakeCurrency };
}
