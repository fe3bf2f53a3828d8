/**
 * ft-edge's configuration, declared once: this gives the validation (validator.ts walks it), the TypeScript type
 * (types.ts infers it) and the JSON Schema published for editors (config/ft-edge.schema.json). Keys that freqtrade
 * also has keep freqtrade's names, meanings and defaults. Top-level defaults live in config/default.json, which is
 * always merged under everything else; a default here is only for list items, which node-config cannot merge
 * defaults into.
 */
import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import {
  DEFAULT_PRODUCER_PORT, MAX_CANDLES, MESSAGE_SIZE_LIMIT_MB, hostProblem, timeframeMs,
} from '../protocol/index.js';
import { parseLedDevice } from './led-device.js';
import {
  array, boolean, checked, integer, json, literal, nullable, number, object, oneOf, optional, record, string, withDefault,
} from './schema-builder.js';

/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

const seconds = (description: string) => integer({ min: 1, max: 86_400, description });

const absolutePath = (description: string, extra?: (p: string) => string | undefined) =>
  checked(string({ description }), (p) => (isAbsolute(p) ? extra?.(p) : 'must be an absolute path'));

const nonEmpty = (s: string): string | undefined => (s.trim() === '' ? 'is empty' : undefined);

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

/** One entry of external_message_consumer.producers (its token not resolved yet). */
export const producerSpec = object({
  name: checked(string({ description: "The producer's name: freqtrade's consumer keys its frames by it." }),
    (n) => nonEmpty(n) ?? (/[\u0000-\u001f]/.test(n) ? 'contains a control character' : undefined)),
  host: checked(string({ description: 'Host name or IP address of the producer (no URL, no port).' }), hostProblem),
  port: withDefault(integer({ min: 0, max: 65_535, description: "Port of the producer's API server." }), DEFAULT_PRODUCER_PORT),
  secure: withDefault(boolean({ description: 'wss:// instead of ws://.' }), false),
  ws_token: optional(checked(string({ description: "The producer's api_server.ws_token. Never logged." }), nonEmpty)),
  ws_token_file: optional(absolutePath('A file holding the token, instead of ws_token (readable by the service only).')),
});

/** freqtrade's block; also the schema a freqtrade config file's block is checked against. */
export const externalMessageConsumerSpec = object({
  enabled: boolean({ description: 'Connect to the producers (freqtrade default false).' }),
  producers: array(producerSpec, { uniqueBy: 'name', description: 'The producers to connect to; names unique.' }),
  // freqtrade allows 0 for these three; 0 makes no sense (instant ping, reconnect storm), so ft-edge says so.
  wait_timeout: seconds('Seconds without a message before a ping is sent (freqtrade default 30).'),
  ping_timeout: seconds('Seconds to wait for the pong before the link counts as dead (default 10).'),
  sleep_time: seconds('Seconds to wait after a failed connect attempt (default 10).'),
  remove_entry_exit_signals: boolean({ description: "Zero the producer's entry/exit signals before they are stored (default false)." }),
  initial_candle_limit: integer({ min: 0, max: MAX_CANDLES, description: 'Candles asked for in the initial request (default 1500).' }),
  message_size_limit: integer({
    min: MESSAGE_SIZE_LIMIT_MB.min, max: MESSAGE_SIZE_LIMIT_MB.max, description: 'Largest accepted message, MB (default 8).',
  }),
}, { description: "freqtrade's external_message_consumer block, same keys and defaults as freqtrade's consumer code." });

const ledSpec = object({
  role: literal(['status', 'activity'], { description: "'status': the daemon's state as blink patterns; 'activity': a blink per candle." }),
  device: checked(string({ description: '"led:NAME" (/sys/class/leds/NAME, e.g. led:ACT) or "gpio:N" (a BCM pin number).' }), (d) => {
    const parsed = parseLedDevice(d);
    return typeof parsed === 'string' ? parsed : undefined;
  }),
});

/** appliance.leds, also read on its own by `ft-edge alarm` (load.ts loadLeds). */
export const ledsSpec = array(ledSpec, { uniqueBy: 'device', description: 'Status LEDs; empty (the default) = no LEDs.' });

/** freqtrade's exchange block: the account ft-edge trades live on (dry_run false), and keys freqtrade reads there. */
export const exchangeSpec = object({
  name: checked(string({ description: 'The ccxt exchange id ("binance").' }), (n) => (/^[a-z0-9]+$/.test(n) ? undefined : 'must be a ccxt exchange id like "binance"')),
  key: optional(string({ description: 'API key. Never logged; key_file or the systemd credential exchange_key keep it out of the config.' })),
  secret: optional(string({ description: 'API secret. Never logged; secret_file or the systemd credential exchange_secret keep it out of the config.' })),
  password: optional(string({ description: 'API passphrase, for exchanges that have one.' })),
  uid: optional(string({ description: 'Account uid, for exchanges that want one.' })),
  key_file: optional(absolutePath('A file holding the API key (readable by the service only).')),
  secret_file: optional(absolutePath('A file holding the API secret (readable by the service only).')),
  ccxt_config: optional(record(json(), { replace: true, description: "Options merged into ccxt's exchange constructor, as freqtrade does (urls, timeout, ...)." })),
  ccxt_async_config: optional(record(json(), { replace: true, description: 'As ccxt_config (freqtrade uses it for its async client; ft-edge merges both).' })),
  ccxt_sync_config: optional(record(json(), { replace: true, description: 'Accepted as freqtrade has it; merged like ccxt_config.' })),
  markets_refresh_interval: withDefault(integer({ min: 1, max: 1440, description: 'Minutes between reloads of the markets (precision and limits; freqtrade default 60).' }), 60),
  outdated_offset: optional(integer({ min: 0, max: 1440, description: "freqtrade's exchange.outdated_offset, minutes: how much older than two timeframes a last candle may be for an entry." })),
  pair_whitelist: optional(array(string(), { description: "A consumer trades the producer's whitelist; accepted as freqtrade has it, not used." })),
  pair_blacklist: optional(array(string(), { description: 'Pairs never entered.' })),
  skip_pair_validation: optional(boolean()),
  log_responses: optional(boolean()),
  unknown_fee_rate: optional(number({ min: 0 })),
  enable_ws: optional(boolean()),
}, { description: "freqtrade's exchange block." });

/** An origin as browsers send it: scheme://host[:port], nothing after. */
function originProblem(o: string): string | undefined {
  return /^https?:\/\/[^/\s?#]+$/.test(o) ? undefined : 'is not an origin like "http://192.168.1.5:3000" (scheme, host and port; no path, no trailing slash)';
}

/** freqtrade's api_server block: the REST API and message websocket FreqUI talks to. */
export const apiServerSpec = object({
  enabled: boolean({ description: 'Serve freqtrade\'s REST API (the part FreqUI uses) and its message websocket (default false).' }),
  listen_ip_address: checked(string({ description: 'IP address to listen on: 127.0.0.1 for this machine only, 0.0.0.0 for the LAN.' }),
    (a) => (isIP(a) === 0 ? 'is not an IP address (freqtrade listens on an address, like 0.0.0.0 or 127.0.0.1)' : undefined)),
  listen_port: integer({ min: 1024, max: 65_535, description: 'Port to listen on (freqtrade default 8080).' }),
  username: string({ description: 'The user FreqUI logs in as.' }),
  password: string({ description: 'Its password. Never logged.' }),
  jwt_secret_key: optional(checked(string({ description: 'Key the login tokens are signed with; absent = a random key kept in the state directory. Never logged.' }),
    (k) => (k.length < 16 ? 'is shorter than 16 characters (freqtrade\'s samples are): a login could be forged; leave it out and ft-edge makes a random one' : undefined))),
  ws_token: optional(oneOf([checked(string(), nonEmpty), array(checked(string(), nonEmpty))], {
    description: 'Token(s) a websocket client may use instead of a login token (?token=...). Never logged.',
  })),
  CORS_origins: array(checked(string(), originProblem), { description: 'Origins a browser may call the API from: where FreqUI is served, if not from this API.' }),
  verbosity: literal(['error', 'info'], { description: "Access log: 'info' logs each request (default 'error': only failures)." }),
  enable_openapi: optional(boolean({ description: 'Accepted as freqtrade has it; ft-edge serves no API docs.' })),
}, { description: "freqtrade's api_server block: FreqUI and freqtrade's client talk to ft-edge as to a freqtrade bot." });

const pricingSpec = (side: 'entry' | 'exit') => object({
  price_side: literal(['ask', 'bid', 'same', 'other'], { description: `Which ticker side an ${side} order is priced at ("same": the order's own side).` }),
  price_last_balance: number({ min: 0, max: 1, description: 'How far towards the last price a limit price moves from the side price (0..1).' }),
  use_order_book: checked(boolean({ description: 'Price from the order book (not supported yet: the ticker is used).' }),
    (v) => (v ? 'is not supported yet: price from the ticker (use_order_book false)' : undefined)),
  order_book_top: optional(integer({ min: 1, max: 50 })),
  check_depth_of_market: optional(json({ description: 'Accepted as freqtrade has it (entries); not used with ticker pricing.' })),
});

export const configSpec = object({
  $schema: optional(string({ description: 'The JSON Schema this file follows (for editors; ignored by ft-edge).' })),
  external_message_consumer: externalMessageConsumerSpec,
  freqtrade_config: nullable(oneOf([
    absolutePath('A freqtrade config file (or a list of them, later ones winning): ft-edge takes the settings it implements from it.'),
    array(absolutePath('A freqtrade config file.')),
  ], { description: "freqtrade config files ft-edge takes its implemented settings from; ft-edge's own settings override them. null = none." })),
  control: object({
    socket: nullable(absolutePath('Control socket path; null = $RUNTIME_DIRECTORY/control.sock or /run/ft-edge/control.sock.', socketPathProblem)),
  }),
  store: object({
    capacity: integer({ min: 1, max: MAX_CANDLES, description: 'Rows held per key (freqtrade keeps 1500).' }),
    columns: record(array(checked(string(), nonEmpty)), {
      replace: true,
      description: 'Per producer name: the only columns kept besides date and OHLCV. An absent producer keeps all.',
    }),
  }),
  wire: object({
    compression: boolean({
      description: 'Offer permessage-deflate to producers: halves the bytes, costs zlib memory and CPU per connection (default false).',
    }),
    max_backoff: seconds('Upper bound, seconds, of the growing wait between failing connect attempts.'),
  }),
  datadir: nullable(absolutePath('State directory (the SQLite journal); null = $STATE_DIRECTORY or /var/lib/ft-edge.')),
  log: object({ level: literal(['error', 'warn', 'info', 'debug']) }),

  // Trading, with freqtrade's key names and meanings (top level, as in a freqtrade config).
  strategy: checked(string({
    description: "A built-in strategy's name ('UpstreamSignals', 'RsiBollingerConsumer') or the absolute path of a .js/.mjs module.",
  }), strategyProblem),
  strategy_params: record(oneOf([number(), string(), boolean()]), {
    checkKey: (k) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? undefined : 'is not a valid parameter name'),
    description: "Overrides of the strategy's own parameters, key by key (e.g. {\"buy_rsi\": 25}).",
  }),
  timeframe: nullable(checked(string({ description: "freqtrade's timeframe: overrides the strategy's own ('5m'); null = the strategy's." }), timeframeProblem)),
  dry_run: boolean({ description: 'Paper trading (true, the default). false trades live on the exchange block\'s account.' }),
  trading_mode: literal(['spot', 'margin', 'futures'], { description: "freqtrade's trading_mode; live trading is spot only (others stay dry-run)." }),
  exchange: optional(exchangeSpec),
  order_types: object({
    entry: literal(['limit', 'market']),
    exit: literal(['limit', 'market']),
    emergency_exit: optional(literal(['limit', 'market'])),
    force_exit: optional(literal(['limit', 'market'])),
    force_entry: optional(literal(['limit', 'market'])),
    stoploss: literal(['limit', 'market']),
    stoploss_on_exchange: checked(boolean({ description: 'Stoploss orders on the exchange (not supported yet: stops are watched by ft-edge).' }),
      (v) => (v ? 'is not supported yet: the stoploss is watched by ft-edge on every price it sees (stoploss_on_exchange false)' : undefined)),
    stoploss_on_exchange_interval: optional(integer({ min: 1 })),
  }, { description: "freqtrade's order_types: limit or market orders for entries, exits and stoploss exits (live trading)." }),
  entry_pricing: pricingSpec('entry'),
  exit_pricing: pricingSpec('exit'),
  unfilledtimeout: object({
    entry: number({ min: 0, description: 'An entry order not filled after this long is cancelled (unit below).' }),
    exit: number({ min: 0, description: 'An exit order not filled after this long is cancelled, and placed again.' }),
    unit: literal(['minutes', 'seconds']),
    exit_timeout_count: integer({ min: 0, description: 'Exit cancels before an emergency exit; 0 = never (freqtrade).' }),
  }, { description: "freqtrade's unfilledtimeout (live trading)." }),
  dry_run_wallet: number({ min: 0, aboveMin: true, description: 'The simulated wallet, in stake_currency.' }),
  stake_currency: checked(string({ description: 'The currency stakes are counted in ("USDT").' }),
    (s) => (/^[A-Za-z0-9]+$/.test(s) ? undefined : 'must be a currency code like "USDT"')),
  stake_amount: oneOf([number({ min: 0, aboveMin: true }), literal(['unlimited'])], {
    description: 'Stake per trade in stake_currency, or "unlimited": the available balance shared among the free trade slots.',
  }),
  max_open_trades: integer({ min: -1, description: 'Most trades open at once; -1 = no limit.' }),
  minimal_roi: nullable(record(number(), {
    replace: true,
    checkKey: (k) => (/^\d+(\.\d+)?$/.test(k) ? undefined : 'must be minutes since entry, as a string like "30"'),
    description: "Minutes since entry -> the profit ratio that exits; replaces the strategy's table as a whole. null = the strategy's.",
  })),
  stoploss: nullable(number({ min: -1, max: 0, belowMax: true, description: "Exit at this ratio below the entry rate (-0.10 = 10 %); null = the strategy's." })),
  tradable_balance_ratio: number({ min: 0, aboveMin: true, max: 1, description: 'Share of the wallet that may be staked (freqtrade default 0.99).' }),
  fee: number({ min: 0, max: 0.1, belowMax: true, description: 'Fee ratio charged on entry and on exit in dry-run (0.001 = 0.1 %).' }),

  api_server: apiServerSpec,

  appliance: object({
    leds: ledsSpec,
    watchdog_max_lag_ms: integer({
      min: 10, max: 60_000, description: 'Event-loop lag (ms) above which the daemon counts as wedged and withholds watchdog pings.',
    }),
  }),
});
