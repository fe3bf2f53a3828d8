/**
 * ft-edge's configuration schema, as data for validator.ts. It mirrors types.ts (the loader casts the validated
 * value to Config, so the two must agree; test/config/schema.test.ts holds them together). Top-level defaults
 * live in config/default.json, which is always merged under everything else; `default` here is only for array
 * items, which node-config cannot merge defaults into.
 */
import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { timeframeMs } from '../wire/market.js';
import type { ArraySpec, NumberSpec, ObjectSpec, Spec, StringSpec } from './validator.js';

/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

const seconds = (min: number): NumberSpec => ({ kind: 'number', integer: true, min, max: 86_400 });

const absolutePath = (extra?: (p: string) => string | undefined): StringSpec => ({
  kind: 'string',
  check: (p) => (isAbsolute(p) ? extra?.(p) : 'must be an absolute path'),
});

/** A host for a ws:// URL. The value is never echoed: a pasted URL can carry the token. */
export function hostProblem(host: string): string | undefined {
  if (host === '') return 'is empty';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return 'is a URL: give only the host name or IP address (port and secure are separate keys)';
  if (/[\s/?#@]/.test(host)) return 'is not a host name or IP address (it contains a space, "/", "?", "#" or "@")';
  const bracketed = host.startsWith('[') && host.endsWith(']');
  const bare = bracketed ? host.slice(1, -1) : host;
  if (isIP(bare) === 6 || (!bracketed && isIP(bare) === 4)) return undefined;
  if (bracketed || host.includes('::')) return 'is not a valid IPv6 address';
  if (/^[^:]+:\d+$/.test(host)) return 'includes a port: put the port in "port"';
  if (host.length > 253) return 'is longer than 253 characters';
  const label = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;
  return host.split('.').every((l) => label.test(l)) ? undefined : 'is not a valid host name or IP address';
}

/** IPv6 addresses in brackets, so `ws://${host}:${port}` is always a valid URL. */
function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

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
    host: { kind: 'string', check: hostProblem, normalize: urlHost },
    port: { kind: 'number', integer: true, min: 0, max: 65_535, default: 8080 },
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
    initial_candle_limit: { kind: 'number', integer: true, min: 0, max: 1500 },
    message_size_limit: { kind: 'number', integer: true, min: 1, max: 20 },
  },
};

const led: ObjectSpec = {
  kind: 'object',
  fields: {
    role: { kind: 'string', enum: ['status', 'activity'] },
    device: {
      kind: 'string',
      check: (d) => {
        const gpio = /^gpio:(\d{1,2})$/.exec(d);
        if (gpio !== null) return Number(gpio[1]) <= 53 ? undefined : 'GPIO pins are BCM numbers 0..53';
        return /^led:[^/\s]+$/.test(d) ? undefined : 'must be "led:NAME" (/sys/class/leds/NAME) or "gpio:N" (BCM pin number)';
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
        capacity: { kind: 'number', integer: true, min: 1, max: 1500 },
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
