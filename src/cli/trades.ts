/**
 * `ft-edge trades [--open|--closed] [--json]`: the trades in the journal, read directly (read-only), with
 * the open ones priced at the last price the running daemon saw, when it runs.
 */
import { resolve } from 'node:path';
import type { StatusReport } from '../appliance/index.js';
import { loadLocalPaths } from '../config/index.js';
import { request } from '../control/index.js';
import { freqtradeTrade, ftDate, journalPath, readJournal, tradeDurationMs, type TradeFilter } from '../journal/index.js';
import type { OrderRecord, Trade } from '../journal/index.js';
import type { OpenPosition } from '../strategy/index.js';
import { EXIT, parseOptions, plural, printError, UsageError, type Command } from './command.js';

export const tradesCommand: Command = {
  name: 'trades',
  summary: 'list the trades in the journal (dry-run or live), with profit per trade and in total',
  usage: `usage: ft-edge trades [--open | --closed] [--json] [--datadir DIR] [--socket PATH]

Lists the trades (dry-run or live) recorded in the journal (DATADIR/ft-edge.sqlite), oldest first: pair, side,
open and close time (UTC) and rate, how long it has been open, profit in stake currency and in percent
(fees included, as freqtrade computes them), exit reason and entry tag; then the realised total. Reads
the journal directly, so it works whether or not the daemon runs; while the daemon runs, open trades
are shown at the last price it saw for them, with their unrealised profit.

  --open          only open trades
  --closed        only closed trades
  --json          a JSON array with freqtrade's field names (pair, is_open, open_rate, close_rate,
                  open_date, close_date, amount, stake_amount, profit_abs, profit_ratio, exit_reason,
                  enter_tag, ...); dates as "YYYY-MM-DD HH:MM:SS" UTC plus *_timestamp in ms
  --datadir DIR   the state directory (default: datadir from the configuration)
  --socket PATH   the daemon's control socket, for the last prices (default: from the configuration)`,

  async run(argv) {
    const opts = parseOptions(argv, {
      open: { type: 'boolean' }, closed: { type: 'boolean' }, json: { type: 'boolean' }, datadir: { type: 'string' },
      socket: { type: 'string' },
    });
    if (opts.open === true && opts.closed === true) throw new UsageError('--open and --closed exclude each other');
    const filter: TradeFilter = opts.open === true ? 'open' : opts.closed === true ? 'closed' : 'all';
    let datadir = opts.datadir === undefined ? undefined : resolve(opts.datadir);
    let socket = opts.socket === undefined ? undefined : resolve(opts.socket);
    const paths = loadLocalPaths();
    if (!paths.ok && (datadir === undefined || socket === undefined)) {
      for (const p of paths.problems) printError(p);
      return EXIT.config;
    }
    datadir ??= paths.ok ? paths.datadir : '';
    socket ??= paths.ok ? paths.socket : '';
    const exchange = paths.ok ? paths.exchange : '';
    let trades: Trade[];
    let orders: OrderRecord[];
    try {
      ({ trades, orders } = readJournal(journalPath(datadir), filter));
    } catch (e) {
      printError((e as Error).message);
      return EXIT.failed;
    }
    const prices = trades.some((t) => t.isOpen) ? await lastPrices(socket) : new Map<number, OpenPosition>();
    const now = Date.now();
    const text = opts.json === true
      ? JSON.stringify(trades.map((t) => freqtradeTrade(t, orders.filter((o) => o.tradeId === t.id), exchange, prices.get(t.id), now)), null, 2)
      : formatTrades(trades, now, prices);
    process.stdout.write(text + '\n');
    return EXIT.ok;
  },
};

/** The running daemon's open positions by trade id; none when it does not run or answer soon. */
async function lastPrices(socket: string): Promise<Map<number, OpenPosition>> {
  try {
    const r = (await request(socket, 'status', {}, 2000)) as Partial<StatusReport>;
    const positions = r.trading?.running === true ? r.trading.open_positions : [];
    return new Map((Array.isArray(positions) ? positions : []).map((p) => [p.trade_id, p]));
  } catch {
    return new Map(); // not running: the journal alone is shown
  }
}

/** '2d 3h', '3h 5m', '25m'. */
export function duration(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  if (d > 0) return `${d}d ${h}h`;
  return h > 0 ? `${h}h ${m % 60}m` : `${m}m`;
}

function signed(x: number, digits: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}

/** The human listing: one aligned row per trade, then the totals; open trades at their last price when known. */
export function formatTrades(trades: readonly Trade[], now: number, prices: ReadonlyMap<number, OpenPosition> = new Map()): string {
  if (trades.length === 0) return 'no trades';
  const rows = trades.map((t) => {
    const c = t.isOpen ? null : t;
    const p = c === null ? prices.get(t.id) : undefined;
    const profit = c?.profitAbs ?? p?.profit_abs ?? null;
    const ratio = c?.profitRatio ?? p?.profit_ratio ?? null;
    return [
      `#${t.id}`,
      t.pair,
      t.isShort ? 'short' : 'long',
      ftDate(t.openDate).slice(0, 16),
      c === null ? 'open' : ftDate(c.closeDate).slice(0, 16),
      `${t.openRate} -> ${c !== null ? c.closeRate : p?.current_rate != null ? `${p.current_rate} (last)` : ''}`,
      duration(tradeDurationMs(t, now)),
      profit === null ? '' : `${signed(profit, 4)} ${t.stakeCurrency}`,
      ratio === null ? '' : `${signed(ratio * 100, 2)} %`,
      c === null ? '' : c.exitReason,
      t.enterTag === null ? '' : `[${t.enterTag}]`,
    ];
  });
  const header = ['id', 'pair', 'side', 'opened (UTC)', 'closed (UTC)', 'rate', 'duration', 'profit', '%', 'exit', 'tag'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const closed = trades.filter((t) => !t.isOpen);
  const open = trades.length - closed.length;
  const byCurrency = new Map<string, number>();
  for (const t of closed) byCurrency.set(t.stakeCurrency, (byCurrency.get(t.stakeCurrency) ?? 0) + t.profitAbs);
  const totals = [...byCurrency].map(([cur, p]) => `${signed(p, 4)} ${cur}`).join(', ') || '0';
  const wins = closed.filter((t) => t.profitAbs > 0).length;
  const priced = trades.filter((t) => t.isOpen && prices.get(t.id)?.profit_abs != null);
  const unrealised = new Map<string, number>();
  for (const t of priced) unrealised.set(t.stakeCurrency, (unrealised.get(t.stakeCurrency) ?? 0) + prices.get(t.id)!.profit_abs!);
  const atLast = priced.length === 0 ? '' : `; unrealised ${[...unrealised].map(([cur, p]) => `${signed(p, 4)} ${cur}`).join(', ')} at the last prices`;
  return [
    line(header),
    ...rows.map(line),
    `realised ${totals} over ${plural(closed.length, 'closed trade')} (${wins} won)` +
      (open > 0 ? `, ${plural(open, 'open trade')}` : '') + atLast,
  ].join('\n');
}
