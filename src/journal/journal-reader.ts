/**
 * Reading a journal from outside the daemon (the CLI): trades read-only, safe while the daemon writes, also from a
 * read-only file system; and a consistent backup.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { JOURNAL_FILE } from './journal.js';
import { SCHEMA_VERSION } from './migrations.js';
import { readOnlyFileSystem } from './read-only.js';
import { SELECT_TRADES, rowToOrder, rowToTrade, type OrderRow, type TradeRow } from './trade-rows.js';
import type { OrderRecord, Trade } from './trade.js';

export type TradeFilter = 'all' | 'open' | 'closed';

/** What the CLI reads of a journal: its trades, and their orders. */
export interface JournalContents {
  readonly trades: Trade[];
  readonly orders: OrderRecord[];
}

/**
 * Trades in a journal and their orders, read-only (the CLI; safe while the daemon writes). An absent file or a
 * database without the schema yet has no trades. Throws a one-line Error when the file cannot be read.
 */
export function readJournal(path: string, filter: TradeFilter): JournalContents {
  if (!existsSync(path)) return { trades: [], orders: [] };
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

/** The trades of a journal (readJournal without their orders). */
export function readTrades(path: string, filter: TradeFilter): Trade[] {
  return readJournal(path, filter).trades;
}

function readFrom(path: string, filter: TradeFilter): JournalContents {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0) return { trades: [], orders: [] };
    if (version > SCHEMA_VERSION) {
      throw new Error(`schema version ${version} is newer than this ft-edge understands (${SCHEMA_VERSION})`);
    }
    const where = filter === 'open' ? ' WHERE is_open = 1' : filter === 'closed' ? ' WHERE is_open = 0' : '';
    const trades = (db.prepare(`${SELECT_TRADES}${where} ORDER BY id`).all() as TradeRow[]).map(rowToTrade);
    const orders = version < 4 ? [] : (db.prepare(`SELECT * FROM orders WHERE trade_id IN (SELECT id FROM trades${where}) ORDER BY id`).all() as OrderRow[]).map(rowToOrder);
    return { trades, orders };
  } finally {
    db.close();
  }
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
