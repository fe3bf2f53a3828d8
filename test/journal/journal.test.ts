import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Journal, journalPath, readTrades } from '../../src/journal/index.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/journal/migrations.js';
import type { NewTrade, SignalEvent } from '../../src/journal/trade.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function newTrade(pair: string, over: Partial<NewTrade> = {}): NewTrade {
  return {
    strategy: 'Test', producer: 'default', pair, timeframe: '5m', candleType: 'spot', isShort: false,
    stakeCurrency: 'USDT', stakeAmount: 100, amount: 1, openRate: 100, openDate: 1_000_300_000,
    openCandle: 1_000_000_000, feeOpen: 0.001, feeClose: 0.001, stopLoss: 90, enterTag: 'tag', openedAt: null, ...over,
  };
}

function event(pair: string, outcome: SignalEvent['outcome']): SignalEvent {
  return {
    at: 5, producer: 'default', pair, timeframe: '5m', candleType: 'spot', candle: 1_000_000_000,
    signal: 'enter_long', tag: null, outcome, detail: outcome === 'refused' ? 'max_open_trades (1) reached' : null,
  };
}

test('a new journal is created in the state directory, WAL (commits synced off the event loop), at the current schema', async (t) => {
  const dir = join(tempDir(t), 'state', 'nested');
  const j = new Journal(journalPath(dir));
  await j.start();
  await j.start(); // idempotent
  await j.stop();
  await j.stop();
  const db = new Database(join(dir, 'ft-edge.sqlite'), { readonly: true });
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  assert.deepEqual(tables, ['journal_meta', 'journal_probe', 'orders', 'signal_events', 'trades']);
  db.close();
  // synchronous is per connection: check what the journal sets on its own.
  const j2 = new Journal(journalPath(dir));
  await j2.start();
  const sync = (j2 as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true });
  assert.equal(sync, 1, 'NORMAL: checkpoints synced by SQLite, each commit by WalSync');
  await j2.stop();
});

test('entries and exits round-trip with their orders and signal events; realised profit sums closed trades', async (t) => {
  const path = journalPath(tempDir(t));
  const j = new Journal(path);
  await j.start();
  const a = await j.recordEntry(newTrade('BTC/USDT'), event('BTC/USDT', 'entered'));
  const b = await j.recordEntry(newTrade('ETH/USDT', { isShort: true, enterTag: null }), null);
  assert.equal(a.isOpen, true);
  assert.notEqual(a.id, b.id);
  const closed = await j.recordExit(a, {
    closeRate: 110, closeDate: 1_000_900_000, closeCandle: 1_000_600_000, profitAbs: 9.79, profitRatio: 0.0978, exitReason: 'roi', closedAt: null,
  }, null);
  assert.equal(closed.isOpen, false);
  assert.equal(closed.exitReason, 'roi');
  await j.recordSignal(event('XRP/USDT', 'refused'));
  assert.deepEqual(j.openTrades().map((x) => x.pair), ['ETH/USDT']);
  assert.equal(j.openTrades()[0]!.isShort, true);
  assert.equal(j.realisedProfit(), 9.79);
  assert.deepEqual([...j.lastExitCandles()], [['BTC/USDT', 1_000_600_000]]);
  await assert.rejects(j.recordExit(a, { ...closed }, null), /trade \d+ is not open/);
  await j.stop();

  const db = new Database(path, { readonly: true });
  const orders = db.prepare('SELECT trade_id, ft_order_side, is_entry, price, amount, cost, fee_cost FROM orders ORDER BY id').all();
  assert.deepEqual(orders, [
    { trade_id: a.id, ft_order_side: 'buy', is_entry: 1, price: 100, amount: 1, cost: 100, fee_cost: 0.1 },
    { trade_id: b.id, ft_order_side: 'sell', is_entry: 1, price: 100, amount: 1, cost: 100, fee_cost: 0.1 },
    { trade_id: a.id, ft_order_side: 'sell', is_entry: 0, price: 110, amount: 1, cost: 110, fee_cost: 0.11 },
  ]);
  const events = db.prepare('SELECT pair, outcome, detail, trade_id FROM signal_events ORDER BY id').all();
  assert.deepEqual(events, [
    { pair: 'BTC/USDT', outcome: 'entered', detail: null, trade_id: a.id },
    { pair: 'XRP/USDT', outcome: 'refused', detail: 'max_open_trades (1) reached', trade_id: null },
  ]);
  db.close();

  assert.deepEqual(readTrades(path, 'open').map((x) => x.pair), ['ETH/USDT']);
  assert.deepEqual(readTrades(path, 'closed').map((x) => x.pair), ['BTC/USDT']);
  const all = readTrades(path, 'all');
  assert.equal(all.length, 2);
  assert.deepEqual(all[0], closed);
});

test('the schema refuses a second open trade for a pair, and the failed transaction leaves nothing behind', async (t) => {
  const path = journalPath(tempDir(t));
  const j = new Journal(path);
  await j.start();
  await j.recordEntry(newTrade('BTC/USDT'), null);
  await assert.rejects(j.recordEntry(newTrade('BTC/USDT'), event('BTC/USDT', 'entered')), /UNIQUE/);
  await j.stop();
  const db = new Database(path, { readonly: true });
  assert.equal(db.prepare('SELECT COUNT(*) FROM orders').pluck().get(), 1);
  assert.equal(db.prepare('SELECT COUNT(*) FROM signal_events').pluck().get(), 0);
  db.close();
});

test('reading a journal that does not exist yet gives no trades; an unreadable one a one-line error', (t) => {
  const dir = tempDir(t);
  assert.deepEqual(readTrades(journalPath(dir), 'all'), []);
  const junk = join(dir, 'junk.sqlite');
  writeFileSync(junk, 'this is not a database, just some bytes that are long enough to have a header'.repeat(20));
  assert.throws(() => readTrades(junk, 'all'), (e: Error) => e.message.startsWith(`journal ${junk}: `) && !e.message.includes('\n'));
});

test('a journal written by a newer ft-edge is refused, not migrated', async (t) => {
  const path = journalPath(tempDir(t));
  const db = new Database(path);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  await assert.rejects(new Journal(path).start(), {
    message: `journal ${path}: schema version ${SCHEMA_VERSION + 1} is newer than this ft-edge understands (${SCHEMA_VERSION})`,
  });
  assert.throws(() => readTrades(path, 'all'), /newer than this ft-edge understands/);
});

test('a journal of an older ft-edge is migrated in place; its trades are kept, without wall-clock times', async (t) => {
  const path = journalPath(tempDir(t));
  const db = new Database(path);
  db.exec(MIGRATIONS[0]!);
  db.pragma('user_version = 1');
  db.prepare(`INSERT INTO trades (strategy, producer, pair, timeframe, candle_type, is_short, is_open, stake_currency,
    stake_amount, amount, open_rate, open_date, open_candle, fee_open, fee_close, stop_loss) VALUES
    ('Old', 'default', 'BTC/USDT', '5m', 'spot', 0, 1, 'USDT', 100, 1, 100, 1000, 700, 0.001, 0.001, 90)`).run();
  db.close();
  const j = new Journal(path);
  await j.start();
  t.after(() => j.stop());
  const [old] = j.openTrades();
  assert.equal(old?.pair, 'BTC/USDT');
  assert.equal(old?.openedAt, null);
  const fresh = await j.recordEntry(newTrade('ETH/USDT', { openedAt: 12345 }), null);
  assert.equal(readTrades(path, 'open').find((x) => x.id === fresh.id)?.openedAt, 12345);
  const check = new Database(path, { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  check.close();
});
