/**
 * `ft-edge run` live: the compiled executable, the demo producer and a fake Binance, all on 127.0.0.1. Orders are
 * placed, filled and closed on the exchange, the journal holds them with their exchange ids, status says LIVE,
 * stopentry and forceexit work through the control socket, FreqUI's view of it through the REST API shows the
 * live trade with its exchange orders, and no secret is ever printed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { cli, MAIN_JS } from '../cli/run-cli.js';
import { request } from '../../src/control/index.js';
import { startDemoProducer } from '../../src/demo/index.js';
import { startFakeBinance } from '../fakes/fake-binance.js';
import { checkEndpoint } from '../helpers/freqtrade-shapes.js';

const TOKEN = 'live-daemon-token-0123456789abcdef';
const KEY = 'live-daemon-api-key-0123456789';
const SECRET = 'live-daemon-api-secret-0123456789';
const API_PASSWORD = 'live-daemon-frequi-password';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test('ft-edge run live against a fake Binance: entries and exits as real orders, journaled, LIVE in status', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-live-run-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const fake = await startFakeBinance({ apiKey: KEY, secret: SECRET, balances: { USDT: 10_000 } });
  after(() => fake.stop());
  const producer = await startDemoProducer({ token: TOKEN, pairs: ['BTC/USDT', 'ETH/USDT'], candleIntervalMs: 0, history: 300 });
  after(() => producer.stop());
  const socket = join(tmp, 'control.sock');
  const apiPort = await freePort();
  const config = {
    api_server: { enabled: true, listen_ip_address: '127.0.0.1', listen_port: apiPort, username: 'frequi', password: API_PASSWORD },
    external_message_consumer: { enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port: producer.port, ws_token: TOKEN }] },
    control: { socket },
    datadir: join(tmp, 'state'),
    dry_run: false,
    exchange: { name: 'binance', key: KEY, secret: SECRET, ccxt_config: { urls: { api: fake.urls }, timeout: 3000 } },
    order_types: { entry: 'market', exit: 'market', stoploss: 'market', stoploss_on_exchange: false },
    stake_amount: 100,
    minimal_roi: { '0': 0.0001 }, // the next candle's close is a profit on the fake's price: an exit soon after each entry
  };
  const child = spawn(process.execPath, [MAIN_JS, 'run'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: tmp, NODE_CONFIG_DIR: tmp, NODE_CONFIG: JSON.stringify(config) },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  after(() => child.kill('SIGKILL'));

  const closedLive = async (): Promise<{ orders: { status: string; order_id: string }[] }[]> => {
    const r = await cli(['trades', '--closed', '--json', '--datadir', join(tmp, 'state'), '--socket', socket]);
    return r.code === 0 ? (JSON.parse(r.stdout) as { orders: { status: string; order_id: string }[] }[]) : [];
  };
  let closed: Awaited<ReturnType<typeof closedLive>> = [];
  for (let i = 0; i < 400 && closed.length === 0; i++) {
    if (child.exitCode !== null) assert.fail(`ft-edge run exited with ${child.exitCode}: ${stderr}`);
    producer.tick();
    // Each candle is let settle: the daemon's answer to status means it has read what came before.
    await request(socket, 'status').catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    if (i % 10 === 9) closed = await closedLive();
  }
  closed = closed.length > 0 ? closed : await closedLive();
  assert.ok(closed.length > 0, `no live trade closed: ${stderr.split('\n').slice(-5).join(' | ')}`);
  const orders = closed[0]!.orders;
  assert.deepEqual(orders.map((o) => o.status), ['closed', 'closed'], 'an entry and an exit order, both filled');
  for (const o of orders) assert.ok(fake.orders.some((f) => String(f.orderId) === o.order_id), 'the journal holds the exchange\'s order ids');

  // What FreqUI shows of it: live mode, the closed trade with the exchange's order ids, the stake balance.
  const api = async (path: string): Promise<unknown> => {
    const r = await fetch(`http://127.0.0.1:${apiPort}/api/v1${path}`, { headers: { authorization: `Basic ${Buffer.from(`frequi:${API_PASSWORD}`).toString('base64')}` } });
    assert.equal(r.status, 200, path);
    return r.json();
  };
  const shown = (await api('/show_config')) as { dry_run: boolean; runmode: string; exchange: string };
  assert.deepEqual([shown.dry_run, shown.runmode, shown.exchange], [false, 'live', 'binance']);
  const trades = (await api('/trades')) as { trades: { trade_id: number; is_open: boolean; orders: { order_id: string; status: string }[] }[] };
  assert.deepEqual(checkEndpoint('trades', trades), []);
  const first = trades.trades.find((t) => !t.is_open)!;
  assert.ok(first.orders.length >= 2 && first.orders.every((o) => fake.orders.some((f) => String(f.orderId) === o.order_id)), 'FreqUI sees the exchange\'s order ids');
  assert.deepEqual(checkEndpoint('balance', await api('/balance')), []);
  assert.deepEqual(checkEndpoint('status', await api('/status')), []);
  assert.deepEqual(checkEndpoint('profit', await api('/profit')), []);

  const status = (await request(socket, 'status')) as { trading: { mode: string } };
  assert.equal(status.trading.mode, 'live');
  assert.match(stderr, /live trading is ON: real orders on binance spot, stake currency USDT/);
  assert.deepEqual(await request(socket, 'stopentry'), ['entries stopped; open trades still exit']);
  const forced = (await request(socket, 'forceexit', { trade: 'all' })) as string[];
  assert.ok(forced.length >= 1);

  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
  for (const secret of [KEY, SECRET, TOKEN, API_PASSWORD]) assert.equal(stderr.includes(secret), false, 'no secret in the log');
});
