/**
 * freqtrade's REST API and message websocket as FreqUI uses them, over real HTTP and WebSocket connections to
 * the real daemon (in this process), fed by the demo producer on 127.0.0.1 and dry-run trading on its frames.
 * Every answer is checked field by field against freqtrade's schema for it (helpers/freqtrade-shapes.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { ApiServer, JWT_KEY_FILE, type ApiLimits } from '../../src/api/index.js';
import { signToken } from '../../src/api/jwt.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { startDemoProducer, type DemoProducer } from '../../src/demo/index.js';
import { RecentLogs, createLogger } from '../../src/log.js';
import { Daemon } from '../../src/main.js';
import {
  ENDPOINTS, WsEntryFillMessageShape, WsExitFillMessageShape, WsWhitelistMessageShape, checkEndpoint, checkShape,
} from '../helpers/freqtrade-shapes.js';
import { until } from '../helpers/until.js';

const TOKEN = 'api-test-producer-token-0123456789';
const USER = 'freqtrader';
const PASSWORD = 'a-real-password-for-tests';
const ORIGIN = 'http://localhost:3000';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let dir: string;
let producer: DemoProducer;
let daemon: Daemon;
let config: Config;
let base: string;
let access: string;
let refresh: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ft-edge-api-'));
  producer = await startDemoProducer({ token: TOKEN, pairs: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], candleIntervalMs: 0, history: 300, columns: 40 }); // 40: a bool column too
  const loaded = loadConfig({
    userConfig: false,
    override: {
      external_message_consumer: { enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port: producer.port, ws_token: TOKEN }] },
      control: { socket: join(dir, 'control.sock') },
      datadir: join(dir, 'state'),
      minimal_roi: { '0': 0.0001 }, // trades close soon after they open: both kinds to look at
      api_server: { enabled: true, listen_ip_address: '127.0.0.1', listen_port: 8080, username: USER, password: PASSWORD, CORS_origins: [ORIGIN], ws_token: 'ws-token-for-tests' },
    },
  });
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.problems.join('\n'));
  config = { ...loaded.config, api_server: { ...loaded.config.api_server, listen_port: 0 } }; // any free port
  const recent = new RecentLogs();
  daemon = new Daemon(config, createLogger('info', () => {}, '', recent.observe), recent);
  await daemon.start();
  base = `http://127.0.0.1:${daemon.api.address()!.port}/api/v1`;
  const r = await fetch(`${base}/token/login`, { method: 'POST', headers: { authorization: BASIC } });
  ({ access_token: access, refresh_token: refresh } = (await r.json()) as { access_token: string; refresh_token: string });
});

after(async () => {
  await daemon.stop();
  await producer.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (path: string, token = access): Promise<{ status: number; body: unknown; headers: Headers }> => {
  const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, body: await r.json(), headers: r.headers };
};
const post = async (path: string, body: unknown = {}): Promise<{ status: number; body: unknown }> => {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
};

/** A second API server over the same daemon, with its own limits and lockouts. */
function extraApi(limits?: ApiLimits): ApiServer {
  return new ApiServer({
    config, bus: daemon.bus, problems: daemon.problems, log: createLogger('error', () => {}), ...(limits === undefined ? {} : { limits }),
    bot: { config, version: 'test', startedAt: Date.now(), trading: daemon.trading, store: daemon.store, logs: null },
  });
}

/** Every candle the producer sent is stored and evaluated (the demo producer paces its sends as freqtrade does). */
async function caughtUp(): Promise<void> {
  await until(() => producer.traffic().pending === 0, 'the producer sending what it has');
  const last = producer.frame('BTC/USDT')!.dates.at(-1);
  await until(() => ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'].every((pair) =>
    daemon.store.snapshot('default', { pair, timeframe: '5m', candleType: 'spot' })?.held.lastDate === last), 'every candle stored');
  await daemon.trading.idle();
}

/** Candles until the journal holds `closed` closed trades and the daemon has read them. */
async function tradeUntil(done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await done()) return;
    producer.tick();
    await caughtUp();
  }
  assert.fail(`no ${what} after 600 candles`);
}

test('login: Basic gives freqtrade\'s token pair; wrong passwords are refused as freqtrade does, then locked out', async () => {
  assert.equal(access.split('.').length, 3);
  const payload = JSON.parse(Buffer.from(access.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(payload).sort(), ['exp', 'iat', 'identity', 'type']);
  assert.deepEqual(payload['identity'], { u: USER });
  assert.equal(payload['type'], 'access');
  assert.equal((payload['exp'] as number) - (payload['iat'] as number), 15 * 60);
  const keyFile = statSync(join(config.datadir, JWT_KEY_FILE));
  assert.equal(keyFile.mode & 0o777, 0o600, 'the generated signing key is the service\'s alone');

  // On a server of its own: the lockout below would also hold the other tests' Basic requests from 127.0.0.1.
  const api = extraApi();
  await api.start();
  after(() => api.stop());
  const own = `http://127.0.0.1:${api.address()!.port}/api/v1`;
  const none = await fetch(`${own}/token/login`, { method: 'POST' });
  assert.equal(none.status, 401);
  assert.deepEqual(await none.json(), { detail: 'Not authenticated' });
  assert.equal(none.headers.get('www-authenticate'), 'Basic');
  const wrong = await fetch(`${own}/token/login`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${USER}:nope`).toString('base64')}` } });
  assert.equal(wrong.status, 401);
  assert.deepEqual(await wrong.json(), { detail: 'Incorrect username or password' });
  // Straight after a failure, this client is locked out for a while, the right password included.
  const locked = await fetch(`${own}/token/login`, { method: 'POST', headers: { authorization: BASIC } });
  assert.equal(locked.status, 429);
  assert.match(((await locked.json()) as { detail: string }).detail, /Too many failed logins from this address; try again in \d+ s/);
  assert.ok(Number(locked.headers.get('retry-after')) >= 1);
  assert.equal((await fetch(`${own}/count`, { headers: { authorization: BASIC } })).status, 429, 'Basic on a route is a password guess too');
  assert.equal((await fetch(`${own}/count`, { headers: { authorization: `Bearer ${access}` } })).status, 200, 'a token still works');
});

test('refresh: an expired access token is refused, the refresh token gives a new one that works', async () => {
  const key = (await import('node:fs')).readFileSync(join(config.datadir, JWT_KEY_FILE), 'utf8').trim();
  const expired = signToken(key, USER, 'access', Math.floor(Date.now() / 1000) - 16 * 60);
  const old = await get('/status', expired);
  assert.equal(old.status, 401);
  assert.deepEqual(old.body, { detail: 'Could not validate credentials' });
  assert.equal(old.headers.get('www-authenticate'), 'Bearer');
  const forged = signToken('not-the-key-0123456789', USER, 'access', Math.floor(Date.now() / 1000));
  assert.equal((await get('/status', forged)).status, 401);
  assert.equal((await get('/status', refresh)).status, 401, 'a refresh token is no access token');
  const r = await fetch(`${base}/token/refresh`, { method: 'POST', headers: { authorization: `Bearer ${refresh}` } });
  assert.equal(r.status, 200);
  const body = (await r.json()) as { access_token: string };
  assert.deepEqual(Object.keys(body), ['access_token']);
  assert.equal((await get('/status', body.access_token)).status, 200);
  const noAuth = await fetch(`${base}/status`);
  assert.equal(noAuth.status, 401);
  assert.deepEqual(await noAuth.json(), { detail: 'Unauthorized' });
  const basic = await fetch(`${base}/count`, { headers: { authorization: BASIC } });
  assert.equal(basic.status, 200, 'Basic works on every private route');
  assert.deepEqual((await get('/ping', 'garbage')).body, { status: 'pong' }, 'ping is public');
});

test('CORS: the allowed origin is echoed with credentials on preflights and answers; another is refused', async () => {
  const pre = await fetch(`${base}/status`, {
    method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(pre.headers.get('access-control-allow-headers'), 'authorization');
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /GET.*POST/);
  const refused = await fetch(`${base}/status`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } });
  assert.equal(refused.status, 400);
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
  const actual = await fetch(`${base}/ping`, { headers: { origin: ORIGIN } });
  assert.equal(actual.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal(actual.headers.get('vary'), 'Origin');
  const other = await fetch(`${base}/ping`, { headers: { origin: 'http://evil.example' } });
  assert.equal(other.headers.get('access-control-allow-origin'), null, 'never *, never another origin');
});

test('every endpoint answers in freqtrade\'s shape, with open and closed dry-run trades; paging; 404 and 405', async () => {
  const book = (): NonNullable<ReturnType<Daemon['trading']['book']>> => daemon.trading.book()!;
  await tradeUntil(async () => book().closedCount() >= 3, 'three closed trades');
  await tradeUntil(async () => {
    const open = book().openTrades();
    return open.length > 0 && ((await get('/status')).body as { current_rate: unknown }[]).every((t) => typeof t.current_rate === 'number');
  }, 'an open trade with a price');

  const routes: [keyof typeof ENDPOINTS, string][] = [
    ['version', '/version'], ['show_config', '/show_config'], ['status', '/status'], ['trades', '/trades'], ['trade', '/trade/1'],
    ['profit', '/profit'], ['balance', '/balance'], ['count', '/count'], ['performance', '/performance'], ['entries', '/entries'],
    ['exits', '/exits'], ['mix_tags', '/mix_tags'], ['daily', '/daily'], ['weekly', '/weekly'], ['monthly', '/monthly'],
    ['whitelist', '/whitelist'], ['blacklist', '/blacklist'], ['locks', '/locks'], ['logs', '/logs'], ['health', '/health'],
    ['sysinfo', '/sysinfo'], ['pair_candles_get', '/pair_candles?pair=BTC/USDT&timeframe=5m&limit=50'],
    ['available_pairs', '/available_pairs'], ['plot_config', '/plot_config'],
  ];
  for (const [name, path] of routes) {
    const r = await get(path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    assert.deepEqual(checkEndpoint(name, r.body), [], `${path} in freqtrade's shape`);
  }
  const cfg = (await get('/show_config')).body as Record<string, unknown>;
  assert.ok((cfg['api_version'] as number) >= 2.34);
  assert.equal(cfg['runmode'], 'dry_run');
  assert.equal(cfg['state'], 'running');
  const status = (await get('/status')).body as Record<string, unknown>[];
  assert.ok(status.length > 0 && status.every((t) => t['is_open'] === true && (t['orders'] as unknown[]).length >= 1));
  const whitelist = (await get('/whitelist')).body as { whitelist: string[] };
  assert.deepEqual(whitelist.whitelist, ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);

  // Paging as FreqUI does it: closed trades by id, total_trades exact.
  const total = book().closedCount();
  const first = (await get('/trades?limit=2&offset=0')).body as { trades: { trade_id: number; is_open: boolean }[]; total_trades: number; trades_count: number; offset: number };
  const rest = (await get(`/trades?limit=500&offset=2`)).body as typeof first;
  assert.equal(first.total_trades, total);
  assert.equal(first.trades_count, 2);
  assert.equal(rest.offset, 2);
  const ids = [...first.trades, ...rest.trades].map((t) => t.trade_id);
  assert.equal(ids.length, total);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  assert.ok([...first.trades, ...rest.trades].every((t) => !t.is_open));
  assert.equal((await get('/trades?limit=x')).status, 422);

  const profit = (await get('/profit')).body as Record<string, number>;
  const closed = [...first.trades, ...rest.trades] as unknown as { profit_abs: number }[];
  assert.equal(profit['closed_trade_count'], total);
  assert.ok(Math.abs(profit['profit_closed_coin']! - closed.reduce((s, t) => s + t.profit_abs, 0)) < 1e-6);

  // pair_candles: FreqUI's POST with the columns it plots, the producer's indicators and the signal closes.
  await caughtUp();
  const pc = await post('/pair_candles', { pair: 'BTC/USDT', timeframe: '5m', limit: 20, columns: ['rsi'] });
  assert.equal(pc.status, 200);
  assert.deepEqual(checkEndpoint('pair_candles_post', pc.body), []);
  const hist = pc.body as { columns: string[]; data: unknown[][]; length: number; all_columns: string[] };
  assert.ok(hist.columns.includes('rsi') && !hist.columns.includes('tema'), 'only the asked columns, and the always-kept ones');
  assert.ok(hist.all_columns.includes('tema'));
  for (const c of ['__date_ts', '_enter_long_signal_close', '_exit_long_signal_close']) assert.ok(hist.columns.includes(c), c);
  assert.equal(hist.length, 20);
  assert.ok(hist.data.every((row) => row.length === hist.columns.length));
  const ts = hist.columns.indexOf('__date_ts');
  assert.equal(hist.data.at(-1)![ts], producer.frame('BTC/USDT')!.dates.at(-1), 'the last row is the last candle sent');

  // Every cell of the whole frame as the producer analyzed it: NaN and infinities as null (freqtrade replaces them
  // with None), bools as true/false, tags as strings; the signal closes where the signal is 1.
  const whole = (await get('/pair_candles?pair=BTC/USDT&timeframe=5m')).body as typeof hist;
  const sent = producer.frame('BTC/USDT')!;
  // The producer keeps its last `history` candles; the daemon holds those and the ones before them.
  assert.ok(whole.length >= sent.dates.length);
  const tail = whole.data.slice(whole.length - sent.dates.length);
  assert.deepEqual(whole.columns.slice(0, sent.columns.length + 1), ['date', ...sent.columns]);
  const close = sent.values[sent.columns.indexOf('close')]!;
  const signalAt = (name: string, i: number): number | null => {
    const col = sent.values[sent.columns.indexOf(name)];
    return col !== undefined && Number(col[i]) === 1 ? (close[i] as number) : null;
  };
  tail.forEach((row, i) => {
    const expected = [
      new Date(sent.dates[i]!).toISOString().replace('.000Z', 'Z'),
      ...sent.columns.map((_, c) => { const v = sent.values[c]![i]!; return typeof v === 'number' && !Number.isFinite(v) ? null : v; }),
      sent.dates[i],
      ...whole.columns.slice(sent.columns.length + 2).map((c) => signalAt(/^_(.+)_signal_close$/.exec(c)![1]!, i)),
    ];
    assert.deepEqual(row, expected, `row ${i}`);
  });

  assert.deepEqual(await get('/no_such_route'), { status: 404, body: { detail: 'Not Found' }, headers: (await get('/no_such_route')).headers });
  assert.equal((await get('/trade/99999')).status, 404);
  assert.deepEqual((await get('/trade/99999')).body, { detail: 'Trade not found.' });
  assert.equal((await fetch(`${base}/status`, { method: 'DELETE', headers: { authorization: `Bearer ${access}` } })).status, 405);
  const notFoundElsewhere = await fetch(`${base.replace('/api/v1', '')}/index.html`);
  assert.equal(notFoundElsewhere.status, 404);
});

test('control: stopbuy, start, forceexit as FreqUI calls them', async () => {
  const stop = await post('/stopbuy');
  assert.deepEqual(checkEndpoint('stopbuy', stop.body), []);
  assert.equal(((await get('/show_config')).body as { state: string }).state, 'stopped');
  assert.deepEqual((await post('/start')).body, { status: 'starting trader ...' });
  assert.deepEqual((await post('/start')).body, { status: 'already running' });
  assert.equal(((await get('/show_config')).body as { state: string }).state, 'running');
  const bad = await post('/forcesell', { tradeid: 987654 });
  assert.equal(bad.status, 502);
  assert.deepEqual(bad.body, { error: 'Error querying /api/v1/forcesell: invalid argument' });
  const partial = await post('/forceexit', { tradeid: 1, amount: 0.001, ordertype: 'limit' });
  assert.equal(partial.status, 502);
  assert.deepEqual(partial.body, { error: 'Error querying /api/v1/forceexit: ft-edge exits whole trades only: leave the amount empty' });
  const open = daemon.trading.book()!.openTrades();
  if (open.length > 0) {
    const r = await post('/forcesell', { tradeid: String(open[0]!.id) });
    assert.deepEqual(r.body, { result: `Created exit order for trade ${open[0]!.id}.` });
    assert.ok(!daemon.trading.book()!.openTrades().some((t) => t.id === open[0]!.id), 'exited (dry-run fills at once)');
  }
  const enter = await post('/forcebuy', { pair: 'BTC/USDT' });
  assert.equal(enter.status, 502);
  assert.deepEqual(enter.body, { error: 'Error querying /api/v1/forcebuy: Force_entry not enabled.' });
});

test('message websocket: subscribe and whitelist as FreqUI sends them; fills broadcast; a bad token is refused', async () => {
  const refused = new WebSocket(`${base.replace('http', 'ws')}/message/ws?token=wrong`);
  refused.on('error', () => {}); // terminated during the handshake, below
  const status = await new Promise<number>((resolve) => refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
  assert.equal(status, 403);
  refused.terminate();

  const ws = new WebSocket(`${base.replace('http', 'ws')}/message/ws?token=${access}`);
  const got: Record<string, unknown>[] = [];
  ws.on('message', (d) => got.push(JSON.parse(d.toString()) as Record<string, unknown>));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'subscribe', data: ['whitelist', 'entry_fill', 'exit_fill', 'entry_cancel', 'exit_cancel', 'new_candle'] }));
  ws.send(JSON.stringify({ type: 'whitelist', data: '' }));
  await until(() => got.some((m) => m['type'] === 'whitelist'), 'the whitelist answer');
  assert.deepEqual(checkShape(got.find((m) => m['type'] === 'whitelist'), WsWhitelistMessageShape), []);
  const before = daemon.trading.book()!.closedCount();
  await tradeUntil(async () => got.some((m) => m['type'] === 'entry_fill') && got.some((m) => m['type'] === 'exit_fill'), 'entry and exit fills');
  assert.ok(daemon.trading.book()!.closedCount() > before);
  assert.deepEqual(checkShape(got.find((m) => m['type'] === 'entry_fill'), WsEntryFillMessageShape), []);
  assert.deepEqual(checkShape(got.find((m) => m['type'] === 'exit_fill'), WsExitFillMessageShape), []);
  const candle = got.find((m) => m['type'] === 'new_candle');
  assert.deepEqual((candle?.['data'] as unknown[]).length, 3);
  ws.close();

  const byWsToken = new WebSocket(`${base.replace('http', 'ws')}/message/ws?token=ws-token-for-tests`);
  await new Promise((r, j) => (byWsToken.once('open', r), byWsToken.once('error', j)));
  byWsToken.close();
});

test('limits: one client too many is told so, a trickled request is cut, a client that does not read is dropped', async () => {
  const api = extraApi({ maxClients: 2, requestMs: 300, bodyBytes: 1024, outputBytes: 64 * 1024, drainMs: 2000 });
  await api.start();
  const port = api.address()!.port;
  try {
    const raw = (): ReturnType<typeof connect> => connect(port, '127.0.0.1');
    const held = [raw(), raw()];
    await Promise.all(held.map((s) => new Promise((r) => s.once('connect', r))));
    const third = raw();
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      third.on('data', (d) => (text += d.toString()));
      third.once('close', () => resolve(text));
    });
    assert.match(answer, /^HTTP\/1\.1 503 [\s\S]*Too many clients: at most 2 connections at once/);

    // A trickle: one header byte now and then never completes a request; the server cuts it.
    const slow = held[0]!;
    slow.write('GET /api/v1/ping HTTP/1.1\r\nX-Trickle: ');
    const trickle = setInterval(() => slow.write('a'), 50);
    const cut = await new Promise<string>((resolve) => {
      let text = '';
      slow.on('data', (d) => (text += d.toString()));
      slow.once('close', () => resolve(text));
    });
    clearInterval(trickle);
    assert.match(cut, /^HTTP\/1\.1 408 /, 'cut with a timeout, not served');

    // A client asking for big answers and never reading them: dropped once 64 KB wait for it.
    const greedy = held[1]!;
    greedy.pause();
    const request = `GET /api/v1/pair_candles?pair=BTC/USDT&timeframe=5m HTTP/1.1\r\nHost: x\r\nAuthorization: ${BASIC}\r\n\r\n`;
    for (let i = 0; i < 200 && api.clients() > 0; i++) {
      greedy.write(request);
      await new Promise((r) => setTimeout(r, 5));
    }
    // (A paused socket does not see its end; the server's side is what counts.)
    await until(() => api.clients() === 0, 'the server dropping the client that does not read', 10_000);
    greedy.destroy();

    const big = await fetch(`http://127.0.0.1:${port}/api/v1/pair_candles`, { method: 'POST', headers: { authorization: BASIC }, body: 'x'.repeat(5000) });
    assert.equal(big.status, 413);
  } finally {
    await api.stop();
  }
});

test('a browser-sized load (FreqUI polling status, locks and charts) leaves ingest and the watchdog alone', async () => {
  let stop = false;
  let answered = 0;
  const poller = async (): Promise<void> => {
    while (!stop) {
      for (const p of ['/status', '/locks', '/pair_candles?pair=BTC/USDT&timeframe=5m', '/profit']) {
        const r = await get(p);
        assert.equal(r.status, 200);
        answered++;
      }
    }
  };
  const polling = Promise.all(Array.from({ length: 6 }, poller));
  for (let i = 0; i < 40; i++) {
    producer.tick();
    await new Promise((r) => setTimeout(r, 10));
  }
  await caughtUp();
  stop = true;
  await polling;
  assert.ok(answered > 40);
  assert.equal(daemon.problems.has('unhealthy'), false, 'the watchdog kept petting');
});
