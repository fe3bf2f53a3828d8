/**
 * The trade journal: one SQLite file (`ft-edge.sqlite`) in the state directory, written only when a decision
 * is made (never per candle), one transaction per decision. WAL, with the WAL synced after each commit off the
 * event loop (wal-sync.ts): when a record call's promise resolves, the decision is on disk and survives kill -9
 * and power loss; only then is it logged or acted on.
 */
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { CandleType } from '../protocol/index.js';
import { SCHEMA_VERSION, migrate } from './migrations.js';
import { WalSync } from './wal-sync.js';
import type { ClosedTrade, NewTrade, OpenTrade, SignalEvent, Trade, TradeClose } from './trade.js';

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
const INSERT_ORDER = `INSERT INTO orders (trade_id, ft_order_side, is_entry, price, amount, cost, fee_cost, order_date)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_EVENT = `INSERT INTO signal_events (at, producer, pair, timeframe, candle_type, candle, signal, tag,
  outcome, detail, trade_id) VALUES (@at, @producer, @pair, @timeframe, @candleType, @candle, @signal, @tag,
  @outcome, @detail, @tradeId)`;
const SELECT_TRADES = 'SELECT * FROM trades';

type Stmt = Database.Statement;
interface Statements {
  insertTrade: Stmt;
  closeTrade: Stmt;
  insertOrder: Stmt;
  insertEvent: Stmt;
  openTrades: Stmt;
  lastExits: Stmt;
  realised: Stmt;
  probeInsert: Stmt;
  probeDelete: Stmt;
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
        insertEvent: db.prepare(INSERT_EVENT),
        openTrades: db.prepare(`${SELECT_TRADES} WHERE is_open = 1 ORDER BY id`),
        lastExits: db.prepare('SELECT pair, MAX(close_candle) AS candle FROM trades WHERE is_open = 0 GROUP BY pair'),
        realised: db.prepare('SELECT COALESCE(SUM(profit_abs), 0) AS p FROM trades WHERE is_open = 0'),
        probeInsert: db.prepare('INSERT INTO journal_probe (id, at, pad) VALUES (1, ?, zeroblob(8192))'),
        probeDelete: db.prepare('DELETE FROM journal_probe'),
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
      const cost = t.amount * t.openRate;
      s.insertOrder.run(id, t.isShort ? 'sell' : 'buy', 1, t.openRate, t.amount, cost, cost * t.feeOpen, t.openDate);
      if (event !== null) s.insertEvent.run({ ...event, tradeId: id });
      return { ...t, id, isOpen: true };
    })());
  }

  /** Closes a trade with its exit order (and the exit signal, if one caused it), in one durable transaction. */
  async recordExit(t: OpenTrade, close: TradeClose, event: SignalEvent | null): Promise<ClosedTrade> {
    const s = this.s();
    return this.durably(() => this.db!.transaction((): ClosedTrade => {
      if (s.closeTrade.run({ ...close, id: t.id }).changes !== 1) throw new Error(`trade ${t.id} is not open in the journal`);
      const cost = t.amount * close.closeRate;
      s.insertOrder.run(t.id, t.isShort ? 'buy' : 'sell', 0, close.closeRate, t.amount, cost, cost * t.feeClose, close.closeDate);
      if (event !== null) s.insertEvent.run({ ...event, tradeId: t.id });
      const { isOpen: _open, ...rest } = t;
      return { ...rest, ...close, isOpen: false };
    })());
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

export type TradeFilter = 'all' | 'open' | 'closed';

/**
 * Trades in a journal, read-only (the CLI; safe while the daemon writes). An absent file or a database
 * without the schema yet has no trades. Throws a one-line Error when the file cannot be read.
 */
export function readTrades(path: string, filter: TradeFilter): Trade[] {
  if (!existsSync(path)) return [];
  try {
    return readFrom(path, filter);
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_CANTOPEN' || !readOnlyFileSystem(path)) {
      throw new Error(`journal ${path}: ${(err as Error).message}`);
    }
  }
  // A WAL database needs its -shm file, which a read-only file system (an SD card the kernel remounted read-only
  // after errors) cannot get: read a copy instead (journals are small).
  const copy = mkdtempSync(join(tmpdir(), 'ft-edge-journal-'));
  try {
    for (const suffix of ['', '-wal']) if (existsSync(path + suffix)) copyFileSync(path + suffix, join(copy, JOURNAL_FILE + suffix));
    return readFrom(join(copy, JOURNAL_FILE), filter);
  } catch (err) {
    throw new Error(`journal ${path}: ${(err as Error).message}`);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function readFrom(path: string, filter: TradeFilter): Trade[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0) return [];
    if (version > SCHEMA_VERSION) {
      throw new Error(`schema version ${version} is newer than this ft-edge understands (${SCHEMA_VERSION})`);
    }
    const where = filter === 'open' ? ' WHERE is_open = 1' : filter === 'closed' ? ' WHERE is_open = 0' : '';
    return (db.prepare(`${SELECT_TRADES}${where} ORDER BY id`).all() as TradeRow[]).map(rowToTrade);
  } finally {
    db.close();
  }
}

/** Whether the file system holding `path` refuses writes (EROFS), tested without writing anything. */
function readOnlyFileSystem(path: string): boolean {
  try {
    accessSync(dirname(path), constants.W_OK);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EROFS';
  }
}

interface TradeRow {
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

function rowToTrade(r: TradeRow): Trade {
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

/**
 * SQLite's online backup of the journal at `path` into a new file `to` (consistent while the daemon writes),
 * then an integrity check of the copy. Throws a one-line Error.
 */
export async function backupJournal(path: string, to: string): Promise<{ trades: number; bytes: number }> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    await db.backup(to);
  } finally {
    db.close();
  }
  const copy = new Database(to, { readonly: true, fileMustExist: true });
  try {
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
    const trades = (copy.prepare('SELECT COUNT(*) AS n FROM trades').get() as { n: number }).n;
    const bytes = (copy.pragma('page_count', { simple: true }) as number) * (copy.pragma('page_size', { simple: true }) as number);
    return { trades, bytes };
  } finally {
    copy.close();
  }
}
