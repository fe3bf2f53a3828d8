import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import JSON5 from 'json5';
import { SHIPPED_DEFAULTS } from '../../src/config/locations.js';
import { configSpec } from '../../src/config/schema.js';
import { hostProblem } from '../../src/protocol/index.js';
import type { Config } from '../../src/config/types.js';
import { configJsonSchema } from '../../src/config/index.js';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/vectors.js';
import { formatPath, validate, type Problem } from '../../src/config/validator.js';

function problemsOf(value: unknown): string[] {
  const problems: Problem[] = [];
  validate(configSpec, value, problems);
  return problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
}

const shipped = JSON5.parse(readFileSync(SHIPPED_DEFAULTS, 'utf8')) as Record<string, unknown>;
const patched = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...shipped, ...patch });

// The Config type is inferred from the schema: a value the schema refuses must not type-check either.
const typed: Pick<Config, 'timeframe' | 'stake_amount' | 'appliance'> = {
  timeframe: null,
  stake_amount: 'unlimited',
  appliance: { leds: [{ role: 'status', device: 'led:ACT' }], watchdog_max_lag_ms: 500 },
};
// @ts-expect-error a stake_amount is a number or "unlimited"
const badStake: Pick<Config, 'stake_amount'> = { stake_amount: 'all' };
// @ts-expect-error an LED's role is "status" or "activity"
const badRole: Config['appliance']['leds'][number] = { role: 'blink', device: 'led:ACT' };
// @ts-expect-error the producers' tokens are resolved: ws_token is required
const noToken: Config['external_message_consumer']['producers'][number] = { name: 'a', host: 'h', port: 1, secure: false };
void [typed, badStake, badRole, noToken];

describe('config schema', () => {
  it('is published as config/ft-edge.schema.json, as npm run schema writes it from the declaration', () => {
    const published = JSON.parse(readFileSync(join(REPO_ROOT, 'config', 'ft-edge.schema.json'), 'utf8')) as unknown;
    assert.deepEqual(published, configJsonSchema(), 'run `npm run schema` and commit config/ft-edge.schema.json');
    const emc = (configJsonSchema()['properties'] as Record<string, { properties: Record<string, unknown>; additionalProperties: unknown }>)['external_message_consumer']!;
    assert.deepEqual(Object.keys(emc.properties), Object.keys(configSpec.fields.external_message_consumer.fields));
    assert.equal(emc.additionalProperties, false, 'an editor flags a misspelt key, as check-config does');
  });

  it('accepts the shipped defaults as they are', () => {
    assert.deepEqual(problemsOf(shipped), []);
  });

  it("ships freqtrade's code defaults (PROTOCOL.md), not its documentation's", () => {
    assert.deepEqual(shipped['external_message_consumer'], {
      enabled: false,
      producers: [],
      wait_timeout: 30,
      ping_timeout: 10,
      sleep_time: 10,
      remove_entry_exit_signals: false,
      initial_candle_limit: 1500,
      message_size_limit: 8,
    });
    assert.deepEqual(
      { ...shipped, external_message_consumer: undefined },
      {
        external_message_consumer: undefined,
        freqtrade_config: null,
        control: { socket: null },
        store: { capacity: 1500, columns: {} },
        wire: { compression: false, max_backoff: 300 },
        datadir: null,
        log: { level: 'info' },
        strategy: 'UpstreamSignals',
        strategy_params: {},
        timeframe: null,
        dry_run: true,
        dry_run_wallet: 1000,
        stake_currency: 'USDT',
        stake_amount: 'unlimited',
        max_open_trades: 3,
        minimal_roi: null,
        stoploss: null,
        tradable_balance_ratio: 0.99,
        fee: 0.001,
        trading_mode: 'spot',
        order_types: { entry: 'limit', exit: 'limit', stoploss: 'limit', stoploss_on_exchange: false },
        entry_pricing: { price_side: 'same', price_last_balance: 0, use_order_book: false },
        exit_pricing: { price_side: 'same', price_last_balance: 0, use_order_book: false },
        unfilledtimeout: { entry: 10, exit: 10, unit: 'minutes', exit_timeout_count: 0 },
        api_server: { enabled: false, listen_ip_address: '127.0.0.1', listen_port: 8080, username: '', password: '', CORS_origins: [], verbosity: 'error' },
        appliance: { leds: [], watchdog_max_lag_ms: 500 },
      },
    );
  });

  it('gives a producer entry freqtrade defaults for port and secure, and brackets IPv6 hosts', () => {
    const problems: Problem[] = [];
    const out = validate(
      configSpec,
      patched({ external_message_consumer: { ...(shipped['external_message_consumer'] as object), producers: [{ name: 'a', host: '::1', ws_token: 't' }] } }),
      problems,
    ) as Config;
    assert.deepEqual(problems, []);
    assert.deepEqual(out.external_message_consumer.producers[0], { name: 'a', host: '::1', port: 8080, secure: false, ws_token: 't' });
  });

  it('checks hosts without echoing them', () => {
    for (const ok of ['localhost', 'producer.lan', 'my_host-1', '192.168.1.10', '::1', '[fe80::1]']) assert.equal(hostProblem(ok), undefined, ok);
    const bad: Record<string, RegExp> = {
      '': /empty/,
      'ws://10.0.0.2:8080/api/v1/message/ws?token=SEKRET': /is a URL/,
      'my prod': /contains a space/,
      '10.0.0.2:8080': /includes a port/,
      '[10.0.0.2]': /IPv6/,
      '-bad-.lan': /not a valid host name/,
    };
    for (const [host, want] of Object.entries(bad)) {
      const problem = hostProblem(host);
      assert.match(problem ?? '', want, host);
      if (host !== '') assert.equal(problem!.includes(host), false, 'the host itself is never in the message');
    }
  });

  it('reports each kind of mistake with its key path', () => {
    const emc = shipped['external_message_consumer'] as Record<string, unknown>;
    const cases: [Record<string, unknown>, string][] = [
      [{ external_message_consumer: { ...emc, wait_timeout: 0 } }, 'external_message_consumer.wait_timeout: must be 1..86400, got 0'],
      [{ external_message_consumer: { ...emc, message_size_limit: 21 } }, 'external_message_consumer.message_size_limit: must be 1..20, got 21'],
      [{ external_message_consumer: { ...emc, initial_candle_limit: 1501 } }, 'external_message_consumer.initial_candle_limit: must be 0..1500, got 1501'],
      [{ external_message_consumer: { ...emc, remove_entry_exit_signals: 10 } }, 'external_message_consumer.remove_entry_exit_signals: expected true or false, got 10'],
      [{ external_message_consumer: { ...emc, producers: [{ name: 'a', host: 'h', port: '8080', ws_token: 't' }] } }, 'external_message_consumer.producers[0].port: expected an integer 0..65535, got a string'],
      [{ external_message_consumer: { ...emc, producers: [{ name: 'a', ws_token: 't' }] } }, 'external_message_consumer.producers[0].host: missing'],
      [{ external_message_consumer: { ...emc, producers: [{ name: 'a', host: 'h', ws_token_file: 'token.txt' }] } }, 'external_message_consumer.producers[0].ws_token_file: must be an absolute path'],
      [{ timeframe: '5x' }, 'timeframe: "5x" is not a freqtrade timeframe (a count and a unit m, h, d, w or M: 1m, 5m, 1h, 1d ...)'],
      [{ order_types: { ...(shipped['order_types'] as object), stoploss_on_exchange: true } }, 'order_types.stoploss_on_exchange: is not supported yet: the stoploss is watched by ft-edge on every price it sees (stoploss_on_exchange false)'],
      [{ exchange: { name: 'Binance US' } }, 'exchange.name: must be a ccxt exchange id like "binance"'],
      [{ stoploss: 0.1 }, 'stoploss: must be >= -1 and < 0, got 0.1'],
      [{ stake_amount: 'all' }, 'stake_amount: expected "unlimited", got "all"'],
      [{ minimal_roi: { '0': 0.04, ten: 0.01 } }, 'minimal_roi.ten: must be minutes since entry, as a string like "30"'],
      [{ strategy: 'strategies/mine.js' }, 'strategy: must be a built-in strategy name or an absolute path to a .js/.mjs module'],
      [{ log: { level: 'verbose' } }, 'log.level: expected one of "error", "warn", "info", "debug", got "verbose"'],
      [{ control: { socket: 'control.sock' } }, 'control.socket: must be an absolute path'],
      [{ control: { socket: '/' + 'x'.repeat(120) } }, 'control.socket: is 121 bytes long; a unix socket path holds at most 107'],
      [{ store: { capacity: 2000, columns: {} } }, 'store.capacity: must be 1..1500, got 2000'],
      [{ appliance: { leds: [{ role: 'status', device: 'gpio:99' }], watchdog_max_lag_ms: 500 } }, 'appliance.leds[0].device: GPIO pins are BCM numbers 0..53'],
      [{ appliance: { leds: [{ role: 'status', device: 'ACT' }], watchdog_max_lag_ms: 500 } }, 'appliance.leds[0].device: must be "led:NAME" (/sys/class/leds/NAME) or "gpio:N" (BCM pin number)'],
      [{ appliance: { leds: [{ role: 'blink', device: 'led:ACT' }], watchdog_max_lag_ms: 500 } }, 'appliance.leds[0].role: expected one of "status", "activity", got "blink"'],
      [
        { appliance: { leds: [{ role: 'status', device: 'led:ACT' }, { role: 'activity', device: 'led:ACT' }], watchdog_max_lag_ms: 500 } },
        'appliance.leds[1].device: duplicate device "led:ACT", already used by appliance.leds[0]',
      ],
    ];
    for (const [patch, want] of cases) assert.deepEqual(problemsOf(patched(patch)), [want]);
  });
});
