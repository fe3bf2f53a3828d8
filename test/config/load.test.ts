/**
 * loadConfig end to end. node-config reads its environment once per process, so each case runs in a child
 * process with its own environment and arguments.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from '../../src/config/load.js';
import { SHIPPED_CONFIG_DIR, SHIPPED_DEFAULTS } from '../../src/config/locations.js';

const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-load-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const LOAD_JS = fileURLToPath(new URL('../../src/config/load.js', import.meta.url));
const script = join(tmp, 'load.mjs');
writeFileSync(
  script,
  `const m = await import(${JSON.stringify(LOAD_JS)});
const which = process.env.FT_EDGE_TEST_LOAD;
const result = which === 'paths' ? m.loadLocalPaths() : m.loadConfig();
process.stdout.write(JSON.stringify({ result, NODE_CONFIG_DIR: process.env.NODE_CONFIG_DIR }));`,
);

const SECRET = 'SEKRET-0a1b2c3d4e5f';
let n = 0;

/** A fresh directory holding the given files. */
function configDir(files: Record<string, string>, mode = 0o600): string {
  const dir = join(tmp, `conf-${n++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), mode);
  }
  return dir;
}

interface Child {
  result: LoadResult;
  NODE_CONFIG_DIR: string;
  stderr: string;
}

function load(env: Record<string, string>, args: string[] = []): Child {
  const child = spawnSync(process.execPath, [script, ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: tmp, NODE_CONFIG_DIR: configDir({}), ...env },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout) as Omit<Child, 'stderr'>;
  // The config itself holds the token; nothing else may.
  const messages = JSON.stringify(out.result.ok ? out.result.warnings : out.result) + child.stderr;
  assert.equal(messages.includes(SECRET), false, 'a token leaked into a message');
  return { ...out, stderr: child.stderr };
}

function problems(c: Child): string[] {
  assert.equal(c.result.ok, false, 'expected problems');
  return c.result.ok ? [] : c.result.problems;
}

function config(c: Child) {
  assert.ok(c.result.ok, JSON.stringify(c.result));
  return c.result.config;
}

const producer = { name: 'default', host: '10.0.0.2', ws_token: SECRET };
const enabled = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ external_message_consumer: { enabled: true, producers: [producer] }, control: { socket: join(tmp, 'c.sock') }, ...extra });

describe('loadConfig', () => {
  it('uses the shipped defaults and /etc/ft-edge when NODE_CONFIG_DIR is not set', () => {
    for (const unset of [{}, { NODE_CONFIG_DIR: '' }]) {
      const d = spawnSync(process.execPath, [script], {
        env: { PATH: process.env['PATH'] ?? '', STATE_DIRECTORY: '/var/lib/x', RUNTIME_DIRECTORY: '/run/x', ...unset },
        encoding: 'utf8',
      });
      const out = JSON.parse(d.stdout) as Omit<Child, 'stderr'>;
      assert.equal(out.NODE_CONFIG_DIR, `${SHIPPED_CONFIG_DIR}${delimiter}/etc/ft-edge`);
      assert.ok(out.result.ok);
      assert.equal(out.result.sources[0], SHIPPED_DEFAULTS);
      assert.equal(out.result.config.datadir, '/var/lib/x');
      assert.equal(out.result.config.control.socket, '/run/x/control.sock');
      assert.equal(out.result.config.external_message_consumer.wait_timeout, 30);
      assert.deepEqual(out.result.warnings, ['external_message_consumer.enabled is false: ft-edge will not connect to any producer']);
    }
  });

  it('runs on NODE_CONFIG merged over the shipped defaults', () => {
    const c = config(load({ NODE_CONFIG: enabled() }));
    assert.deepEqual(c.external_message_consumer, {
      enabled: true,
      producers: [{ name: 'default', host: '10.0.0.2', port: 8080, secure: false, ws_token: SECRET }],
      wait_timeout: 30,
      ping_timeout: 10,
      sleep_time: 10,
      remove_entry_exit_signals: false,
      initial_candle_limit: 1500,
      message_size_limit: 8,
    });
    assert.equal(c.control.socket, join(tmp, 'c.sock'));
    assert.equal(c.store.capacity, 1500);
  });

  it('merges the directories of NODE_CONFIG_DIR in order, and says where a bad value was set', () => {
    const a = configDir({ 'default.json': JSON.stringify({ store: { capacity: 500 }, minimal_roi: { '0': 0.1, '30': 0.05 } }) });
    const b = configDir({ 'local.json': '{ "minimal_roi": { "10": 0.02 }, // comment\n "wire": { "max_backoff": 120, }, }' });
    const c = config(load({ NODE_CONFIG_DIR: a + delimiter + b }));
    assert.equal(c.store.capacity, 500);
    assert.equal(c.wire.max_backoff, 120);
    assert.deepEqual(c.minimal_roi, { '10': 0.02 }, 'a ROI table replaces the earlier one as a whole');

    const bad = configDir({ 'local.json': JSON.stringify({ store: { capacity: 0 } }) });
    assert.deepEqual(problems(load({ NODE_CONFIG_DIR: a + delimiter + bad })), [
      `store.capacity: must be 1..1500, got 0 (in ${join(bad, 'local.json')})`,
    ]);
  });

  it('reports a malformed NODE_CONFIG (environment or argument) without quoting it', () => {
    assert.deepEqual(problems(load({ NODE_CONFIG: `{"ws_token": "${SECRET}"` })), ['$NODE_CONFIG is not valid JSON (error at character 34)']);
    assert.deepEqual(problems(load({}, [`--NODE_CONFIG={"a": ${SECRET}}`])), ['--NODE_CONFIG is not valid JSON']);
    assert.deepEqual(problems(load({ NODE_CONFIG: '[1]' })), ['$NODE_CONFIG must be a JSON object']);
  });

  it('reports an unparseable config file in one line', () => {
    const dir = configDir({ 'local.json': '{"store": {"capacity": 10,,}}' });
    const [p, ...rest] = problems(load({ NODE_CONFIG_DIR: dir }));
    assert.deepEqual(rest, []);
    assert.match(p!, new RegExp(`Cannot parse config file: '${join(dir, 'local.json')}'.*1:`));
  });

  it('keeps node-config quiet', () => {
    const c = load({ NODE_ENV: 'production', NODE_CONFIG: enabled() });
    assert.ok(c.result.ok);
    assert.deepEqual(c.result.warnings, []);
    assert.equal(c.stderr, '');
  });

  it('reports problems across keys: unknown keys, enabled without producers, unknown projection producer', () => {
    const p = problems(
      load({
        NODE_CONFIG: JSON.stringify({
          external_message_consumer: { enabled: true, wait_timout: 30 },
          store: { columns: { defualt: ['rsi'] } },
          wire: { max_backoff: 5 },
          strategy: join(tmp, 'missing.mjs'),
          max_open_trades: -1,
        }),
      }),
    );
    assert.deepEqual(p, [
      'external_message_consumer.wait_timout: unknown key, did you mean "wait_timeout"? (in $NODE_CONFIG)',
      'external_message_consumer.producers: is empty, but enabled is true: list at least one producer (in ' + SHIPPED_DEFAULTS + ')',
      'wire.max_backoff: must be at least external_message_consumer.sleep_time (10) (in $NODE_CONFIG)',
      'store.columns.defualt: no producer has this name (in $NODE_CONFIG)',
      `stake_amount: "unlimited" needs a max_open_trades limit to divide the wallet by (in ${SHIPPED_DEFAULTS})`,
      `strategy: no such file: ${join(tmp, 'missing.mjs')} (in $NODE_CONFIG)`,
    ]);
  });

  it("api_server: refuses a guessable login where the network reaches it, takes freqtrade's block as it is", () => {
    const apiLoad = (over: Record<string, unknown>): ReturnType<typeof load> => load({ NODE_CONFIG: JSON.stringify({
      api_server: { enabled: true, listen_ip_address: '0.0.0.0', listen_port: 8080, username: 'freqtrader', password: 'SuperSecurePassword', ...over },
    }) });
    const api = (over: Record<string, unknown>): string[] => problems(apiLoad(over));
    assert.deepEqual(api({}), [
      "api_server.password: is freqtrade's sample password or shorter than 8 characters, and api_server listens on 0.0.0.0, beyond this machine: choose a real one (in $NODE_CONFIG)",
    ]);
    assert.deepEqual(api({ password: 'a-real-password', jwt_secret_key: 'somethingrandom', CORS_origins: ['http://pc:3000/'], listen_ip_address: 'pi.local' }), [
      "api_server.listen_ip_address: is not an IP address (freqtrade listens on an address, like 0.0.0.0 or 127.0.0.1) (in $NODE_CONFIG)",
      "api_server.jwt_secret_key: is shorter than 16 characters (freqtrade's samples are): a login could be forged; leave it out and ft-edge makes a random one (in $NODE_CONFIG)",
      'api_server.CORS_origins[0]: is not an origin like "http://192.168.1.5:3000" (scheme, host and port; no path, no trailing slash) (in $NODE_CONFIG)',
    ]);
    assert.deepEqual(api({ listen_ip_address: '127.0.0.1', password: '', username: '' }), [
      'api_server.username: is empty: FreqUI logs in with it (in $NODE_CONFIG)',
      'api_server.password: is empty: FreqUI logs in with it (in $NODE_CONFIG)',
    ]);
    assert.ok(apiLoad({ password: 'a-real-password', ws_token: ['a', 'b'], verbosity: 'info', enable_openapi: false }).result.ok);
  });

  it('no key may reach a prototype, in $NODE_CONFIG, in a config file or in a freqtrade file (validation stays on)', () => {
    const viaEnv = load({ NODE_CONFIG: '{"store": {"capacity": null}, "__proto__": {"nullable": true}}' });
    assert.deepEqual(problems(viaEnv), ['__proto__: the key "__proto__" is not allowed in a configuration (in $NODE_CONFIG)']);
    const inFile = load({ NODE_CONFIG_DIR: configDir({ 'local.json': '{"wire": {"constructor": {"prototype": {"x": 1}}}}' }) });
    assert.match(problems(inFile)[0]!, /^wire\.constructor: the key "constructor" is not allowed in a configuration \(in .*local\.json\)$/);
    const dir = configDir({ 'ft.json': '{"__proto__": {"nullable": true}, "external_message_consumer": {"message_size_limit": null}}' });
    const ft = problems(load({ NODE_CONFIG: JSON.stringify({ freqtrade_config: join(dir, 'ft.json') }) }));
    assert.match(ft[0]!, /__proto__/);
    // With the prototype left alone, a null where a number belongs is a problem again (ws would take 0 as "no limit").
    const nullLimit = configDir({ 'ft.json': '{"external_message_consumer": {"message_size_limit": null}}' });
    assert.deepEqual(problems(load({ NODE_CONFIG: JSON.stringify({ freqtrade_config: join(nullLimit, 'ft.json') }) })), [
      `external_message_consumer.message_size_limit: expected an integer 1..20, got null (in ${join(nullLimit, 'ft.json')})`,
    ]);
  });

  it('NaN, Infinity and numbers out of range are refused, not taken as null ("automatic")', () => {
    const dir = configDir({ 'local.json': '{"stoploss": NaN, "fee": Infinity, "dry_run_wallet": 1e400}' });
    assert.deepEqual(problems(load({ NODE_CONFIG_DIR: dir })).map((p) => p.replace(/ \(in .*\)$/, '')), [
      'stoploss: NaN is not a number ft-edge accepts (out of range, or not a number)',
      'fee: Infinity is not a number ft-edge accepts (out of range, or not a number)',
      'dry_run_wallet: Infinity is not a number ft-edge accepts (out of range, or not a number)',
    ]);
  });

  it('a configuration file over 4 MB and runaway nesting are refused with a line naming them', () => {
    const big = configDir({ 'local.json': `{"x": "${'a'.repeat((4 << 20) + 1)}"}` });
    assert.deepEqual(problems(load({ NODE_CONFIG_DIR: big })), [`${join(big, 'local.json')} is larger than 4 MB: not a configuration file`]);
    const deep = configDir({ 'local.json': '{"a":'.repeat(40) + '1' + '}'.repeat(40) });
    assert.match(problems(load({ NODE_CONFIG_DIR: deep }))[0]!, /^a\.a\.a.*: is nested more than 32 levels deep|nested too deeply/);
  });

  it('a token on the command line (--NODE_CONFIG) is warned about: every user sees it in ps', () => {
    const c = load({}, [`--NODE_CONFIG=${enabled()}`]);
    assert.ok(c.result.warnings.some((w) => w.startsWith('--NODE_CONFIG holds a ws_token and every user can read it in the process list')), JSON.stringify(c.result.warnings));
  });

  it('live trading only with dry_run false and a whole account; the secrets from the block, files or credentials', () => {
    const base = JSON.parse(enabled()) as Record<string, unknown>;
    const with_ = (extra: Record<string, unknown>, env: Record<string, string> = {}) => load({ NODE_CONFIG: JSON.stringify({ ...base, ...extra }), ...env });
    assert.equal(config(with_({})).live, null, 'dry_run true: no account, whatever the exchange block says');
    assert.equal(config(with_({ exchange: { name: 'binance', key: SECRET, secret: SECRET } })).live, null);
    assert.deepEqual(problems(with_({ dry_run: false })), [
      'dry_run: is false, but there is no exchange block: live trading needs {"name": "binance", "key": ..., "secret": ...} (in $NODE_CONFIG)',
    ]);
    assert.deepEqual(problems(with_({ dry_run: false, exchange: { name: 'binance', key: 'k'.repeat(20) } })), [
      'exchange: has no secret: live trading (dry_run false) needs them (secret, secret_file or the systemd credential exchange_secret) (in $NODE_CONFIG)',
    ]);
    assert.deepEqual(problems(with_({ dry_run: false, trading_mode: 'futures', exchange: { name: 'kraken', key: 'k', secret: 's' } })), [
      'exchange.name: "kraken" is not supported for live trading yet (binance spot is); with dry_run true it trades on paper (in $NODE_CONFIG)',
      'trading_mode: live trading is spot only for now: "futures" stays dry-run (dry_run true) (in $NODE_CONFIG)',
    ]);
    const creds = configDir({ exchange_key: `${SECRET}-key\n`, exchange_secret: `${SECRET}-secret\n` });
    const live = config(with_({ dry_run: false, exchange: { name: 'binance', ccxt_config: { timeout: 5000 }, ccxt_async_config: { enableRateLimit: true } } }, { CREDENTIALS_DIRECTORY: creds }));
    assert.deepEqual(live.live, {
      exchange: 'binance', key: `${SECRET}-key`, secret: `${SECRET}-secret`, password: null, uid: null,
      ccxt_config: { timeout: 5000, enableRateLimit: true }, markets_refresh_interval: 60,
    });
    assert.deepEqual(Object.keys(live.exchange ?? {}).sort(), ['ccxt_async_config', 'ccxt_config', 'markets_refresh_interval', 'name'], 'no secret outside live');
  });

  it('reports a block of the wrong type without going further', () => {
    assert.deepEqual(problems(load({ NODE_CONFIG: JSON.stringify({ external_message_consumer: true }) })), [
      'external_message_consumer: expected an object, got true (in $NODE_CONFIG)',
    ]);
  });

  it('names the duplicate producer and the one without a token', () => {
    const p = problems(
      load({
        NODE_CONFIG: JSON.stringify({
          external_message_consumer: { enabled: true, producers: [producer, { ...producer }, { name: 'b', host: 'h' }] },
        }),
      }),
    );
    assert.deepEqual(p, ['external_message_consumer.producers[1].name: duplicate name "default", already used by external_message_consumer.producers[0] (in $NODE_CONFIG)']);
    const q = problems(load({ NODE_CONFIG: JSON.stringify({ external_message_consumer: { enabled: true, producers: [{ name: 'b', host: 'h' }] } }) }));
    assert.match(q[0]!, /^external_message_consumer\.producers\[0\]: producer "b" has no token/);
  });

  it('takes tokens from systemd credentials', () => {
    const creds = configDir({ ws_token_b: `${SECRET}\n` });
    const c = config(load({ CREDENTIALS_DIRECTORY: creds, NODE_CONFIG: JSON.stringify({ external_message_consumer: { enabled: true, producers: [{ name: 'b', host: 'h' }] } }) }));
    assert.equal(c.external_message_consumer.producers[0]!.ws_token, SECRET);
  });

  it('warns when a config file holding a token is readable by others', () => {
    const file = { 'local.json': JSON.stringify({ external_message_consumer: { enabled: true, producers: [producer] } }) };
    const open = configDir(file, 0o644);
    const c = load({ NODE_CONFIG_DIR: open });
    assert.ok(c.result.ok);
    assert.deepEqual(c.result.warnings, [
      `${join(open, 'local.json')} holds a ws_token and is readable by all users (mode 0644): chmod o-r it, or use LoadCredential=`,
    ]);
    const closed = load({ NODE_CONFIG_DIR: configDir(file, 0o600) });
    assert.deepEqual(closed.result.warnings, []);
  });

  it('takes the settings ft-edge implements from a whole freqtrade config file, as it is; its own settings win', () => {
    const dir = configDir({});
    const ft = join(dir, 'config.json');
    writeFileSync(
      ft,
      `{
  "$schema": "https://schema.freqtrade.io/schema.json",
  // freqtrade consumer config
  "max_open_trades": 5, "stake_currency": "USDT", "stake_amount": 50, "dry_run": true, "dry_run_wallet": 500,
  "timeframe": "5m", "tradable_balance_ratio": 0.9, "strategy": "MyConsumerStrategy", "datadir": "user_data/data",
  "exchange": {"name": "binance", "pair_whitelist": [], },
  "pairlists": [{"method": "ProducerPairList"}], "telegram": {"enabled": false}, "bot_name": "consumer",
  "add_config_files": ["private.json"],
  "external_message_consumer": {
    "enabled": true,
    /* the big machine */
    "producers": [{"name": "default", "host": "192.168.1.5", "port": 8081, "ws_token": "${SECRET}",},],
    "wait_timeout": 60,
  },
}`,
    );
    // freqtrade's add_config_files: relative to the file, and the file's own values win over the added ones.
    writeFileSync(join(dir, 'private.json'), '{"stoploss": -0.05, "max_open_trades": 9, "fee": 0.002}');
    chmodSync(ft, 0o600);
    const c = load({ NODE_CONFIG: JSON.stringify({ freqtrade_config: ft, external_message_consumer: { ping_timeout: 3 }, stake_amount: 40 }) });
    assert.ok(c.result.ok, JSON.stringify(c.result));
    const cfg = c.result.config;
    const emc = cfg.external_message_consumer;
    assert.deepEqual(emc.producers, [{ name: 'default', host: '192.168.1.5', port: 8081, secure: false, ws_token: SECRET }]);
    assert.equal(emc.wait_timeout, 60, "the freqtrade file's value");
    assert.equal(emc.ping_timeout, 3, "ft-edge's own setting overrides the freqtrade file");
    assert.equal(emc.sleep_time, 10, "a key neither sets: freqtrade's default");
    assert.deepEqual(
      [cfg.max_open_trades, cfg.stake_amount, cfg.dry_run_wallet, cfg.timeframe, cfg.tradable_balance_ratio, cfg.stoploss, cfg.fee],
      [5, 40, 500, '5m', 0.9, -0.05, 0.002],
    );
    assert.equal(cfg.strategy, 'UpstreamSignals', "freqtrade's strategy is a Python class: not taken");
    assert.notEqual(cfg.datadir, 'user_data/data', "freqtrade's datadir is its candle data: not taken");
    assert.deepEqual(c.result.warnings, [
      `${ft}: freqtrade settings ft-edge does not implement, ignored: bot_name, datadir, pairlists, strategy, telegram`,
    ]);
    assert.equal(c.result.sources[1], `${ft} (with ${join(dir, 'private.json')})`);
    assert.equal(c.result.origins['max_open_trades'], c.result.sources[1]);
    assert.equal(c.result.origins['stake_amount'], '$NODE_CONFIG');
    assert.equal(c.result.origins['external_message_consumer.sleep_time'], SHIPPED_DEFAULTS);
  });

  it('a whole freqtrade config pasted as local.json: one warning for the freqtrade settings, problems for the rest', () => {
    const local = JSON.stringify({
      $schema: 'https://schema.freqtrade.io/schema.json',
      external_message_consumer: { enabled: true, producers: [producer] },
      control: { socket: join(tmp, 'c.sock') },
      pairlists: [], telegram: {}, freqai: { enabled: false }, webhook: {}, edge: {}, max_open_trades: 2,
    });
    const dir = configDir({ 'local.json': local });
    const c = load({ NODE_CONFIG_DIR: dir });
    assert.equal(config(c).max_open_trades, 2);
    assert.deepEqual(c.result.warnings, [`${join(dir, 'local.json')}: freqtrade settings ft-edge does not implement, ignored: edge, freqai, pairlists, telegram, webhook`]);
    const typo = load({ NODE_CONFIG_DIR: configDir({ 'local.json': JSON.stringify({ max_open_trade: 2 }) }) });
    assert.match(problems(typo)[0]!, /^max_open_trade: unknown key, did you mean "max_open_trades"\?/);
  });

  it('reports freqtrade config files that cannot be used', () => {
    const dir = configDir({ 'noblock.json': '{"dry_run": true}', 'bad.json': '{"external_message_consumer": {"enabled": true, "producers": [], "sleep": 3}}' });
    const run = (file: string) => problems(load({ NODE_CONFIG: JSON.stringify({ freqtrade_config: file }) }));
    assert.deepEqual(run(join(dir, 'nope.json')), [`freqtrade_config: cannot read ${join(dir, 'nope.json')}: no such file (in $NODE_CONFIG)`]);
    assert.deepEqual(run(join(dir, 'noblock.json')), [`freqtrade_config: ${join(dir, 'noblock.json')} has no external_message_consumer block (in $NODE_CONFIG)`]);
    writeFileSync(join(dir, 'typo.json'), '{"max_open_trade": 3, "external_message_consumer": {}}');
    assert.deepEqual(run(join(dir, 'typo.json')), [`freqtrade_config: ${join(dir, 'typo.json')}: unknown key "max_open_trade", did you mean "max_open_trades"? (in $NODE_CONFIG)`]);
    writeFileSync(join(dir, 'loop.json'), '{"add_config_files": ["loop.json"], "external_message_consumer": {}}');
    assert.match(run(join(dir, 'loop.json'))[0]!, /add_config_files nested more than 5 levels \(a loop\?\)/);
    assert.deepEqual(run(join(dir, 'bad.json')), [
      `external_message_consumer.sleep: unknown key, did you mean "sleep_time"? (in ${join(dir, 'bad.json')})`,
      `external_message_consumer.producers: is empty, but enabled is true: list at least one producer (in ${join(dir, 'bad.json')})`,
    ]);
  });
});

describe('loadLocalPaths', () => {
  it('finds the control socket even when the rest of the configuration has problems', () => {
    const c = spawnSync(process.execPath, [script], {
      env: {
        PATH: process.env['PATH'] ?? '',
        FT_EDGE_TEST_LOAD: 'paths',
        NODE_CONFIG_DIR: configDir({}),
        NODE_CONFIG: JSON.stringify({ external_message_consumer: { enabled: true, producers: [{ name: 'x', host: 'h' }] }, control: { socket: '/tmp/s.sock' }, exchange: { name: 'binance' } }),
      },
      encoding: 'utf8',
    });
    assert.deepEqual(JSON.parse(c.stdout).result, { ok: true, socket: '/tmp/s.sock', datadir: JSON.parse(c.stdout).result.datadir, exchange: 'binance' });
  });
});
