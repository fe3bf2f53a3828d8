/**
 * `ft-edge run` live: the compiled executable, the demo producer and a fake Binance, all on 127.0.0.1. Orders are
 * placed, filled and closed on the exchange, the journal holds them with their exchange ids, status says LIVE,
 * stopentry and forceexit work through the control socket, and no secret is ever printed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli, MAIN_JS } from '../cli/run-cli.js';
import { request } from '../../src/control/index.js';
import { startDemoProducer } from '../../src/demo/index.js';
import { startFakeBinance } from '../fakes/fake-binance.js';

const TOKEN = 'live-daemon-token-0123456789abcdef';
const KEY = 'live-daemon-api-key-0123456789';
const SECRET = 'live-daemon-api-secret-0123456789';

test('ft-edge run live against a fake Binance: entries and exits as real orders, journaled, LIVE in status', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-live-run-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const fake = await startFakeBinance({ apiKey: KEY, secret: SECRET, balances: { USDT: 10_000 } });
  after(() => fake.stop());
  const producer = await startDemoProducer({ token: TOKEN, pairs: ['BTC/USDT', 'ETH/USDT'], candleIntervalMs: 0, history: 300 });
  after(() => producer.stop());
  const socket = join(tmp, 'control.sock');
  const config = {
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

  const status = (await request(socket, 'status')) as { trading: { mode: string } };
  assert.equal(status.trading.mode, 'live');
  assert.match(stderr, /live trading is ON: real orders on binance spot, stake currency USDT/);
  assert.deepEqual(await request(socket, 'stopentry'), ['entries stopped; open trades still exit']);
  const forced = (await request(socket, 'forceexit', { trade: 'all' })) as string[];
  assert.ok(forced.length >= 1);

  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
  for (const secret of [KEY, SECRET, TOKEN]) assert.equal(stderr.includes(secret), false, 'no secret in the log');
});
