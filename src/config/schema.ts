/**
 * ft-edge's configuration schema, as data for validator.ts. It mirrors types.ts (the loader casts the validated
 * value to Config, so the two must agree; test/config/schema.test.ts holds them together). Top-level defaults
 * live in config/default.json, which is always merged under everything else; `default` here is only for array
 * items, which node-config cannot merge defaults into.
 */
import { isAbsolute } from 'node:path';
import { MAX_CANDLES, MESSAGE_SIZE_LIMIT_MB, DEFAULT_PRODUCER_PORT, hostProblem, timeframeMs } from '../protocol/index.js';
import { parseLedDevice } from './led-device.js';
import type { ArraySpec, NumberSpec, ObjectSpec, Spec, StringSpec } from './validator.js';

/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

const seconds = (min: number): NumberSpec => ({ kind: 'number', integer: true, min, max: 86_400 });

const absolutePath = (extra?: (p: string) => string | undefined): StringSpec => ({
  kind: 'string',
  check: (p) => (isAbsolute(p) ? extra?.(p) : 'must be an absolute path'),
});

function timeframeProblem(tf: string): string | undefined {
  if (timeframeMs(tf) !== undefined) return undefined;
  const shown = tf.length <= 10 ? `${JSON.stringify(tf)} ` : '';
  return `${shown}is not a freqtrade timeframe (a count and a unit m, h, d, w or M: 1m, 5m, 1h, 1d ...)`;
}

function strategyProblem(s: string): string | undefined {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) return undefined;
  if (!isAbsolute(s)) return 'must be a built-in strategy name or an absolute path to a .js/.mjs module';
  return /\.(m|c)?js$/.test(s) ? undefined : 'a strategy module must be a .js, .mjs or .cjs file';
}

function socketPathProblem(p: string): string | undefined {
  const bytes = Buffer.byteLength(p);
  return bytes > MAX_SOCKET_PATH_BYTES ? `is ${bytes} bytes long; a unix socket path holds at most ${MAX_SOCKET_PATH_BYTES}` : undefined;
}

const nonEmpty = (s: string): string | undefined => (s.trim() === '' ? 'is empty' : undefined);

const producer: ObjectSpec = {
  kind: 'object',
  fields: {
    name: { kind: 'string', check: (n) => nonEmpty(n) ?? (/[\u0000-\u001f]/.test(n) ? 'contains a control character' : undefined) },
    host: { kind: 'string', check: hostProblem },
    port: { kind: 'number', integer: true, min: 0, max: 65_535, default: DEFAULT_PRODUCER_PORT },
    secure: { kind: 'boolean', default: false },
    ws_token: { kind: 'string', optional: true, check: nonEmpty },
    ws_token_file: { ...absolutePath(), optional: true },
  },
};

const producers: ArraySpec = { kind: 'array', items: producer, uniqueBy: 'name' };

/** freqtrade's block; also the schema a freqtrade config file's block is checked against. */
export const externalMessageConsumerSpec: ObjectSpec = {
  kind: 'object',
  fields: {
    enabled: { kind: 'boolean' },
    producers,
    // freqtrade allows 0 for these three; 0 makes no sense (instant ping, reconnect storm), so ft-edge says so.
    wait_timeout: seconds(1),
    ping_timeout: seconds(1),
    sleep_time: seconds(1),
    remove_entry_exit_signals: { kind: 'boolean' },
    initial_candle_limit: { kind: 'number', integer: true, min: 0, max: MAX_CANDLES },
    message_size_limit: { kind: 'number', integer: true, min: MESSAGE_SIZE_LIMIT_MB.min, max: MESSAGE_SIZE_LIMIT_MB.max },
  },
};

const led: ObjectSpec = {
  kind: 'object',
  fields: {
    role: { kind: 'string', enum: ['status', 'activity'] },
    device: {
      kind: 'string',
      check: (d) => {
        const parsed = parseLedDevice(d);
        return typeof parsed === 'string' ? parsed : undefined;
      },
    },
  },
};

/** appliance.leds, also read on its own by `ft-edge alarm` (load.ts loadLeds). */
export const ledsSpec: Spec = { kind: 'array', items: led, uniqueBy: 'device' };

export const configSpec: ObjectSpec = {
  kind: 'object',
  fields: {
    external_message_consumer: externalMessageConsumerSpec,
    freqtrade_config: { ...absolutePath(), nullable: true },
    control: { kind: 'object', fields: { socket: { ...absolutePath(socketPathProblem), nullable: true } } },
    store: {
      kind: 'object',
      fields: {
        capacity: { kind: 'number', integer: true, min: 1, max: MAX_CANDLES },
        columns: {
          kind: 'record',
          replace: true,
          values: { kind: 'array', items: { kind: 'string', check: nonEmpty } },
        },
      },
    },
    wire: {
      kind: 'object',
      fields: { compression: { kind: 'boolean' }, max_backoff: seconds(1) },
    },
    datadir: { ...absolutePath(), nullable: true },
    log: { kind: 'object', fields: { level: { kind: 'string', enum: ['error', 'warn', 'info', 'debug'] } } },

    strategy: { kind: 'string', check: strategyProblem },
    strategy_params: {
      kind: 'record',
      checkKey: (k) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? undefined : 'is not a valid parameter name'),
      values: { kind: 'oneOf', options: [{ kind: 'number' }, { kind: 'string' }, { kind: 'boolean' }] },
    },
    timeframe: { kind: 'string', nullable: true, check: timeframeProblem },
    dry_run: {
      kind: 'boolean',
      check: (v) => (v ? undefined : 'must be true: ft-edge trades dry-run only, live trading is not supported'),
    },
    dry_run_wallet: { kind: 'number', min: 0, aboveMin: true },
    stake_currency: { kind: 'string', check: (s) => (/^[A-Za-z0-9]+$/.test(s) ? undefined : 'must be a currency code like "USDT"') },
    stake_amount: {
      kind: 'oneOf',
      options: [
        { kind: 'number', min: 0, aboveMin: true },
        { kind: 'string', enum: ['unlimited'] },
      ],
    },
    max_open_trades: { kind: 'number', integer: true, min: -1 },
    minimal_roi: {
      kind: 'record',
      replace: true,
      nullable: true,
      checkKey: (k) => (/^\d+(\.\d+)?$/.test(k) ? undefined : 'must be minutes since entry, as a string like "30"'),
      values: { kind: 'number' },
    },
    stoploss: { kind: 'number', min: -1, max: 0, belowMax: true, nullable: true },
    tradable_balance_ratio: { kind: 'number', min: 0, aboveMin: true, max: 1 },
    fee: { kind: 'number', min: 0, max: 0.1, belowMax: true },

    appliance: {
      kind: 'object',
      fields: {
        leds: ledsSpec,
        watchdog_max_lag_ms: { kind: 'number', integer: true, min: 10, max: 60_000 },
      },
    },
  },
} satisfies Spec;
