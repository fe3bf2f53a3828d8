/**
 * The trade journal: one SQLite file (`ft-edge.sqlite`) in the state directory, written only when a decision
 * is made (never per candle), one transaction per decision. WAL, with the WAL synced after each commit off the
 * event loop (wal-sync.ts): when a record call's promise resolves, the decision is on disk and survives kill -9
 * and power loss; only then is it logged or acted on.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';
import { readOnlyFileSystem } from './read-only.js';
import { SELECT_TRADES, rowToOrder, rowToTrade, type OrderRow, type TradeRow } from './trade-rows.js';
import { WalSync } from './wal-sync.js';
import type { ClosedTrade, NewOrder, NewTrade, OpenTrade, OrderRecord, SignalEvent, Trade, TradeClose } from './trade.js';

export const JOURNAL_FILE = 'ft-edge.sqlite';

/** The journal's path in a state directory. */
export function journalPath(datadir: string): string {
  return join(datadir, JOURNAL_FILE);
}

const INSERT_TRADE = `INSERT INTO trades (strategy, producer, pair, timeframe, candle_type, is_short, is_open,
  stake_currency, stake_amount, amount, open_rate, open_date, open_candle, fee_open, fee_close, stop_loss, enter_tag,
  opened_at)
  VALUES (@strategy, @producer, @pair, @timeframe, @candleType, @isShort, 1, @stakeCurrency, @stakeAmount, @amount,
  @openRate, @openDate, @openCandle, @feeOpen, @feeClose, @stopLoss, @enterTag, @openedAt)`;
const CLOSE_TRADE = `UPDATE trades SET is_open = 0, close_rate = @closeRate, close_date = @closeDate,
  close_candle = @closeCandle, profit_abs = @profitAbs, profit_ratio = @profitRatio, exit_reason = @exitReason,
  closed_at = @closedAt
  WHERE id = @id AND is_open = 1`;
const INSERT_ORDER = `INSERT INTO orders (trade_id, pair, ft_order_side, is_entry, order_type, client_order_id, status,
  price, amount, filled, average, cost, fee_cost, fee_currency, order_date)
  VALUES (@tradeId, @pair, @side, @isEntry, @type, @clientOrderId, @status, @price, @amount, @filled, @average, @cost,
  @feeCost, @feeCurrency, @orderDate)`;
const UPDATE_ORDER = `UPDATE orders SET exchange_order_id = @exchangeId, status = @status, filled = @filled,
  average = @average, cost = @cost, fee_cost = @feeCost, fee_currency = @feeCurrency, updated_at = @updatedAt
  WHERE id = @id`;
const UPDATE_ENTRY = `UPDATE trades SET amount = @amount, open_rate = @openRate, stake_amount = @stakeAmount,
  fee_open = @feeOpen, stop_loss = @stopLoss WHERE id = @id AND is_open = 1`;
const INSERT_EVENT = `INSERT INTO signal_events (at, producer, pair, timeframe, candle_type, candle, signal, tag,
  outcome, detail, trade_id) VALUES (@at, @producer, @pair, @timeframe, @candleType, @candle, @signal, @tag,
  @outcome, @detail, @tradeId)`;

type Stmt = Database.Statement;
interface Statements {
  insertTrade: Stmt;
  closeTrade: Stmt;
  insertOrder: Stmt;
  updateOrder: Stmt;
  updateEntry: Stmt;
  insertEvent: Stmt;
  openTrades: Stmt;
  allTrades: Stmt;
  closedPage: Stmt;
  closedCount: Stmt;
  tradeById: Stmt;
  lastExits: Stmt;
  realised: Stmt;
  probeInsert: Stmt;
  probeDelete: Stmt;
  instance: string;
}

/** A dry-run fill: an order that filled whole at once, fee in the stake currency. */
function filledOrder(tradeId: number, pair: string, side: 'buy' | 'sell', isEntry: boolean, price: number, amount: number, feeRatio: number, at: number): Record<string, unknown> {
  const cost = amount * price;
  return {
    tradeId, pair, side, isEntry: isEntry ? 1 : 0, type: 'market', clientOrderId: null, status: 'closed', price, amount,
    filled: amount, average: price, cost, feeCost: cost * feeRatio, feeCurrency: null, orderDate: at,
  };
}

/** The daemon's read-write journal. */
export class Journal {
  private db: Database.Database | null = null;
  private stmts: Statements | null = null;
  private readonly wal: WalSync;

  constructor(private readonly path: string) {
    this.wal = new WalSync(`${path}-wal`);
  }

  /** Opens (creating the file and its directory if needed) and migrates. Throws a one-line Error on failure. */
  async start(): Promise<void> {
    if (this.db !== null) return;
    let db: Database.Database | null = null;
    try {
      mkdirSync(join(this.path, '..'), { recursive: true });
      db = new Database(this.path);
      db.pragma('journal_mode = WAL');
      // Commits are made durable by WalSync, off the event loop; checkpoints stay synced by SQLite.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      this.stmts = {
        insertTrade: db.prepare(INSERT_TRADE),
        closeTrade: db.prepare(CLOSE_TRADE),
        insertOrder: db.prepare(INSERT_ORDER),
        updateOrder: db.prepare(UPDATE_ORDER),
        updateEntry: db.prepare(UPDATE_ENTRY),
        insertEvent: db.prepare(INSERT_EVENT),
        openTrades: db.prepare(`${SELECT_TRADES} WHERE is_open = 1 ORDER BY id`),
        allTrades: db.prepare(`${SELECT_TRADES} ORDER BY id`),
        closedPage: db.prepare(`${SELECT_TRADES} WHERE is_open = 0 ORDER BY id LIMIT ? OFFSET ?`),
        closedCount: db.prepare('SELECT COUNT(*) AS n FROM trades WHERE is_open = 0'),
        tradeById: db.prepare(`${SELECT_TRADES} WHERE id = ?`),
        lastExits: db.prepare('SELECT pair, MAX(close_candle) AS candle FROM trades WHERE is_open = 0 GROUP BY pair'),
        realised: db.prepare('SELECT COALESCE(SUM(profit_abs), 0) AS p FROM trades WHERE is_open = 0'),
        probeInsert: db.prepare('INSERT INTO journal_probe (id, at, pad) VALUES (1, ?, zeroblob(8192))'),
        probeDelete: db.prepare('DELETE FROM journal_probe'),
        instance: (db.prepare("SELECT value FROM journal_meta WHERE key = 'instance'").get() as { value: string }).value,
      };
      await this.wal.start(); // the WAL file exists once the connection has used it (migrate)
      this.db = db;
    } catch (err) {
      db?.close();
      if (readOnlyFileSystem(this.path)) {
        throw new Error(`journal ${this.path}: the state directory is on a read-only file system (an SD card remounted read-only after I/O errors?)`);
      }
      throw new Error(`journal ${this.path}: ${(err as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    const db = this.db;
    this.db = null;
    this.stmts = null;
    await this.wal.stop();
    db?.close();
  }

  private s(): Statements {
    if (this.stmts === null) throw new Error('journal is not open');
    return this.stmts;
  }

  /** Open trades, oldest first (a restart resumes them). */
  openTrades(): OpenTrade[] {
    return (this.s().openTrades.all() as TradeRow[]).map(rowToTrade) as OpenTrade[];
  }

  /** Every trade, oldest first (statistics: a consumer's journal holds thousands of trades, not millions). */
  trades(): Trade[] {
    return (this.s().allTrades.all() as TradeRow[]).map(rowToTrade);
  }

  /** Closed trades by id, `limit` of them from `offset` (freqtrade's /trades paging). */
  closedTrades(limit: number, offset: number): ClosedTrade[] {
    return (this.s().closedPage.all(limit, offset) as TradeRow[]).map(rowToTrade) as ClosedTrade[];
  }

  closedCount(): number {
    return (this.s().closedCount.get() as { n: number }).n;
  }

  trade(id: number): Trade | undefined {
    const row = this.s().tradeById.get(id) as TradeRow | undefined;
    return row === undefined ? undefined : rowToTrade(row);
  }

  /** Per pair, the open time of the candle its last trade closed on (no re-entry on that candle). */
  lastExitCandles(): Map<string, number> {
    const rows = this.s().lastExits.all() as { pair: string; candle: number }[];
    return new Map(rows.map((r) => [r.pair, r.candle]));
  }

  /** Sum of closed trades' profit_abs. */
  realisedProfit(): number {
    return (this.s().realised.get() as { p: number }).p;
  }

  /** Opens a trade with its entry order and the signal that caused it, in one durable transaction. */
  async recordEntry(t: NewTrade, event: SignalEvent | null): Promise<OpenTrade> {
    const s = this.s();
    return this.durably(() => this.db!.transaction((): OpenTrade => {
      const id = Number(s.insertTrade.run({ ...t, isShort: t.isShort ? 1 : 0 }).lastInsertRowid);
      s.insertOrder.run(filledOrder(id, t.pair, t.isShort ? 'sell' : 'buy', true, t.openRate, t.amount, t.feeOpen, t.openDate));
      if (event !== null) s.insertEvent.run({ ...event, tradeId: id });
      return { ...t, id, isOpen: true };
    })());
  }

  /** Closes a trade with its exit order (and the exit signal, if one caused it), in one durable transaction. */
  async recordExit(t: OpenTrade, close: TradeClose, event: SignalEvent | null): Promise<ClosedTrade> {
    const s = this.s();
    return this.durably(() => this.db!.transaction((): ClosedTrade => {
      if (s.closeTrade.run({ ...close, id: t.id }).changes !== 1) throw new Error(`trade ${t.id} is not open in the journal`);
      s.insertOrder.run(filledOrder(t.id, t.pair, t.isShort ? 'buy' : 'sell', false, close.closeRate, t.amount, t.feeClose, close.closeDate));
      if (event !== null) s.insertEvent.run({ ...event, tradeId: t.id });
      const { isOpen: _open, ...rest } = t;
      return { ...rest, ...close, isOpen: false };
    })());
  }

  /** This journal's random id: part of every client order id, so that no two journals ever send the same one. */
  get instance(): string {
    return this.s().instance;
  }

  /** A live trade and its entry order's intent, before the order is sent: the order's client id is in the record. */
  async recordLiveEntry(t: NewTrade, o: NewOrder, event: SignalEvent | null, now: number): Promise<{ trade: OpenTrade; order: OrderRecord }> {
    const s = this.s();
    return this.durably(() => this.db!.transaction(() => {
      const id = Number(s.insertTrade.run({ ...t, isShort: t.isShort ? 1 : 0 }).lastInsertRowid);
      this.db!.prepare('UPDATE trades SET live = 1 WHERE id = ?').run(id);
      if (event !== null) s.insertEvent.run({ ...event, tradeId: id });
      return { trade: { ...t, id, isOpen: true as const }, order: this.insertIntent(id, o, now) };
    })());
  }

  /** An order's intent for an open trade (its exits), before it is sent. */
  async recordOrderIntent(tradeId: number, o: NewOrder, now: number): Promise<OrderRecord> {
    return this.durably(() => this.db!.transaction(() => this.insertIntent(tradeId, o, now))());
  }

  private insertIntent(tradeId: number, o: NewOrder, now: number): OrderRecord {
    const s = this.s();
    // From the order's own id: orders are never deleted, so none is used twice (a dropped trade's id can be).
    const next = (this.db!.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM orders').get() as { n: number }).n;
    const clientOrderId = `fte-${s.instance}-${next}${o.isEntry ? 'e' : 'x'}${tradeId}`;
    const rec: OrderRecord = {
      ...o, id: 0, tradeId, clientOrderId, exchangeId: null, status: 'intent', filled: 0, average: null, cost: 0, feeCost: 0,
      feeCurrency: null, orderDate: now, updatedAt: null,
    };
    const id = Number(s.insertOrder.run({ ...rec, isEntry: o.isEntry ? 1 : 0 }).lastInsertRowid);
    if (id !== next) throw new Error(`order id ${id} is not the ${next} its client order id was made from`);
    return { ...rec, id };
  }

  /** What the exchange says of an order now. */
  async updateOrder(o: OrderRecord): Promise<void> {
    const s = this.s();
    await this.durably(() => s.updateOrder.run(o));
  }

  /** An entry's fills so far: the trade holds what was bought, at what it cost. */
  async updateEntry(t: OpenTrade): Promise<void> {
    const s = this.s();
    await this.durably(() => {
      if (s.updateEntry.run(t).changes !== 1) throw new Error(`trade ${t.id} is not open in the journal`);
    });
  }

  /** An entry that never filled: its trade goes, its order stays on record (without a trade). */
  async dropTrade(tradeId: number): Promise<void> {
    await this.durably(() => this.db!.transaction(() => {
      this.db!.prepare('UPDATE orders SET trade_id = NULL WHERE trade_id = ?').run(tradeId);
      this.db!.prepare('UPDATE signal_events SET trade_id = NULL WHERE trade_id = ?').run(tradeId);
      this.db!.prepare('DELETE FROM trades WHERE id = ? AND is_open = 1').run(tradeId);
    })());
  }

  /** Closes a live trade whose exit order (already on record) filled. */
  async closeLiveTrade(t: OpenTrade, close: TradeClose, event: SignalEvent | null): Promise<ClosedTrade> {
    const s = this.s();
    return this.durably(() => this.db!.transaction((): ClosedTrade => {
      if (s.closeTrade.run({ ...close, id: t.id }).changes !== 1) throw new Error(`trade ${t.id} is not open in the journal`);
      if (event !== null) s.insertEvent.run({ ...event, tradeId: t.id });
      const { isOpen: _open, ...rest } = t;
      return { ...rest, ...close, isOpen: false };
    })());
  }

  /** Orders whose fate is not settled: intents, open ones and unknown ones (start-up reconciles them). */
  unsettledOrders(): OrderRecord[] {
    return (this.db!.prepare("SELECT * FROM orders WHERE status IN ('intent', 'open', 'unknown') ORDER BY id").all() as OrderRow[]).map(rowToOrder);
  }

  /** The orders of the given trades, oldest first. */
  ordersOf(tradeIds: readonly number[]): OrderRecord[] {
    if (tradeIds.length === 0) return [];
    const rows = this.db!.prepare(`SELECT * FROM orders WHERE trade_id IN (${tradeIds.map(() => '?').join(',')}) ORDER BY id`).all(...tradeIds) as OrderRow[];
    return rows.map(rowToOrder);
  }

  /**
   * A durable write of new pages (an 8 KiB row, taken back in the same transaction) that leaves the journal as
   * it was: whether trades and orders can be written again (throws when not).
   */
  async probe(now: number): Promise<void> {
    const s = this.s();
    await this.durably(() => this.db!.transaction(() => {
      s.probeInsert.run(now);
      s.probeDelete.run();
    })());
  }

  /** A signal that led to no trade (refused entry). */
  async recordSignal(event: SignalEvent): Promise<void> {
    const s = this.s();
    await this.durably(() => s.insertEvent.run({ ...event, tradeId: null }));
  }

  /** Commits `write` (synchronously: SQLite's part is fast) and resolves once it is on the storage. */
  private async durably<T>(write: () => T): Promise<T> {
    const result = write();
    await this.wal.committedNow();
    return result;
  }
}


/** What the daemon's readers (the REST API) may do with the journal: read. */
export type TradeBook = Pick<Journal, 'openTrades' | 'trades' | 'closedTrades' | 'closedCount' | 'trade' | 'ordersOf'>;
