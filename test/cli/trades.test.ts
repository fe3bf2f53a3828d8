import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, journalPath } from '../../src/journal/index.js';
import type { NewTrade } from '../../src/journal/trade.js';
import { duration, formatTrades } from '../../src/cli/trades.js';
import { cli } from './run-cli.js';
import { ControlServer } from '../../src/control/index.js';
import { createLogger } from '../../src/log.js';

const T = Date.UTC(2024, 9, 24, 9, 5);

function trade(pair: string, over: Partial<NewTrade> = {}): NewTrade {
  return {
    strategy: 'RsiBollingerConsumer', producer: 'default', pair, timeframe: '5m', candleType: 'spot', isShort: false,
    stakeCurrency: 'USDT', stakeAmount: 330, amount: 3.3, openRate: 100, openDate: T, openCandle: T - 300_000,
    feeOpen: 0.001, feeClose: 0.001, stopLoss: 90, enterTag: null, openedAt: null, ...over,
  };
}

async function journalWithTrades(t: { after(fn: () => void): void }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-trades-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const j = new Journal(journalPath(dir));
  await j.start();
  const a = await j.recordEntry(trade('BTC/USDT', { enterTag: 'cross' }), null);
  await j.recordExit(a, {
    closeRate: 105, closeDate: T + 10 * 60_000, closeCandle: T + 300_000, profitAbs: 15.8235, profitRatio: 0.0479021, exitReason: 'roi', closedAt: null,
  }, null);
  await j.recordEntry(trade('ETH/USDT', { openRate: 200, amount: 1.65 }), null);
  await j.stop();
  return dir;
}

/** Runs `ft-edge trades` (a child process); no daemon answers unless the test gives a --socket of its own. */
async function run(argv: string[]): Promise<{ code: number; out: string }> {
  if (!argv.includes('--socket')) argv = [...argv, '--socket', join(tmpdir(), 'ft-edge-trades-no-daemon.sock')];
  const r = await cli(['trades', ...argv]);
  if (r.code === 64) throw new Error(r.stderr.trim());
  return { code: r.code ?? -1, out: r.stdout };
}

test('--json prints freqtrade field names; --open and --closed filter', async (t) => {
  const dir = await journalWithTrades(t);
  const all = await run(['--datadir', dir, '--json']);
  assert.equal(all.code, 0);
  const trades = JSON.parse(all.out) as Record<string, unknown>[];
  assert.equal(trades.length, 2);
  assert.deepEqual(
    Object.fromEntries(['pair', 'is_open', 'open_rate', 'close_rate', 'open_date', 'close_date', 'amount', 'stake_amount',
      'profit_abs', 'profit_ratio', 'exit_reason', 'enter_tag'].map((k) => [k, trades[0]![k]])),
    {
      pair: 'BTC/USDT', is_open: false, open_rate: 100, close_rate: 105, open_date: '2024-10-24 09:05:00',
      close_date: '2024-10-24 09:15:00', amount: 3.3, stake_amount: 330, profit_abs: 15.8235, profit_ratio: 0.0479021,
      exit_reason: 'roi', enter_tag: 'cross',
    },
  );
  assert.equal(trades[0]!['trade_duration'], 10);
  assert.equal(trades[1]!['is_open'], true);
  assert.equal(trades[1]!['close_rate'], null);
  assert.equal(trades[1]!['profit_abs'], null);
  assert.deepEqual((trades[0]!['orders'] as Record<string, unknown>[]).map((o) => [o['ft_order_side'], o['status'], o['filled'], o['price']]), [
    ['buy', 'closed', 3.3, 100], ['sell', 'closed', 3.3, 105],
  ], 'each trade with its orders, freqtrade\'s field names');
  const open = JSON.parse((await run(['--datadir', dir, '--json', '--open'])).out) as { pair: string }[];
  assert.deepEqual(open.map((x) => x.pair), ['ETH/USDT']);
  const closed = JSON.parse((await run(['--datadir', dir, '--json', '--closed'])).out) as { pair: string }[];
  assert.deepEqual(closed.map((x) => x.pair), ['BTC/USDT']);
  await assert.rejects(run(['--datadir', dir, '--open', '--closed']), /--open and --closed exclude each other/);
});

test('the listing shows each trade, its duration and profit, and the realised total', async (t) => {
  const dir = await journalWithTrades(t);
  const { code, out } = await run(['--datadir', dir]);
  assert.equal(code, 0);
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^id\s+pair\s+side\s+opened \(UTC\)\s+closed \(UTC\)\s+rate\s+duration\s+profit\s+%\s+exit\s+tag$/);
  assert.match(lines[1]!, /^#1\s+BTC\/USDT\s+long\s+2024-10-24 09:05\s+2024-10-24 09:15\s+100 -> 105\s+10m\s+\+15\.8235 USDT\s+\+4\.79 %\s+roi\s+\[cross\]$/);
  assert.match(lines[2]!, /^#2\s+ETH\/USDT\s+long\s+2024-10-24 09:05\s+open\s+200 ->\s+\d+d \d+h$/);
  assert.equal(lines[3], 'realised +15.8235 USDT over 1 closed trade (1 won), 1 open trade');
});

test('open trades: the last price and unrealised profit from the running daemon, and how long they have been open', async (t) => {
  const dir = await journalWithTrades(t);
  const j = new Journal(journalPath(dir));
  await j.start();
  await j.recordEntry(trade('SOL/USDT', { openRate: 10, amount: 33, openedAt: Date.now() - 95 * 60_000, openDate: Date.now() + 86_400_000 }), null);
  await j.stop();
  const socket = join(dir, 'control.sock');
  const daemon = new ControlServer(socket, createLogger('error', () => {}));
  daemon.handle('status', async () => ({
    trading: { running: true, open_positions: [{ trade_id: 2, pair: 'ETH/USDT', current_rate: 210, profit_abs: 15.8235, profit_ratio: 0.0479021 }] },
  }));
  await daemon.start();
  t.after(() => daemon.stop());
  const { out } = await run(['--datadir', dir, '--socket', socket, '--open']);
  const lines = out.trimEnd().split('\n');
  assert.match(lines[1]!, /^#2\s+ETH\/USDT\s+long\s+2024-10-24 09:05\s+open\s+200 -> 210 \(last\)\s+\d+d \d+h\s+\+15\.8235 USDT\s+\+4\.79 %$/);
  assert.match(lines[2]!, /^#3\s+SOL\/USDT\s+long\s+\S+ \S+\s+open\s+10 ->\s+1h 3[45]m$/, 'open by the wall clock, not the candle time');
  assert.equal(lines[3], 'realised 0 over 0 closed trades (0 won), 2 open trades; unrealised +15.8235 USDT at the last prices');
  const json = JSON.parse((await run(['--datadir', dir, '--socket', socket, '--open', '--json'])).out) as Record<string, unknown>[];
  assert.deepEqual([json[0]!['current_rate'], json[0]!['profit_abs'], json[1]!['current_rate'], json[1]!['trade_duration']], [210, 15.8235, null, 95]);
});

test('no journal yet: no trades, exit code 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-trades-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(await run(['--datadir', dir]), { code: 0, out: 'no trades\n' });
  assert.deepEqual(await run(['--datadir', dir, '--json']), { code: 0, out: '[]\n' });
  assert.equal(formatTrades([], 0), 'no trades');
});

test('durations read like a person would write them', () => {
  assert.equal(duration(25 * 60_000), '25m');
  assert.equal(duration(185 * 60_000), '3h 5m');
  assert.equal(duration((2 * 1440 + 190) * 60_000), '2d 3h');
});
