/**
 * The validated configuration the daemon runs with. Loading and validation (src/config/load.ts) turn
 * node-config's merged object into this or into a list of one-line problems; nothing else reads node-config.
 * Keys that freqtrade also has keep freqtrade's names, meanings and defaults.
 */
import type { Level } from '../log.js';

/** One entry of external_message_consumer.producers, with its token resolved. */
export interface ProducerConfig {
  readonly name: string;
  /** Host name or IP address, ready for a URL: an IPv6 address is given in brackets (`[::1]`). */
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  /** The secret itself, from ws_token, ws_token_file or $CREDENTIALS_DIRECTORY. Never log it. */
  readonly ws_token: string;
}

/** freqtrade's block, same keys and defaults as its consumer's code (PROTOCOL.md). */
export interface ExternalMessageConsumerConfig {
  readonly enabled: boolean;
  readonly producers: readonly ProducerConfig[];
  /** Seconds without a message before a ping is sent. */
  readonly wait_timeout: number;
  /** Seconds to wait for the pong. */
  readonly ping_timeout: number;
  /** Seconds to wait after a failed connect attempt. */
  readonly sleep_time: number;
  readonly remove_entry_exit_signals: boolean;
  /** Candles asked for in the initial request, 0..1500. */
  readonly initial_candle_limit: number;
  /** Largest accepted message, MB (1..20). */
  readonly message_size_limit: number;
}

/**
 * One status LED. `device` names the hardware: `led:NAME` is a kernel LED-class device
 * (/sys/class/leds/NAME, e.g. `led:ACT`, `led:PWR`, or one declared with the gpio-led overlay), `gpio:N` a raw
 * pin by its BCM number (0..53), driven through sysfs GPIO. Validation guarantees one of these two forms with a
 * non-empty NAME (no `/`) or an integer N, and that no device is listed twice.
 */
export interface LedConfig {
  /** 'status': the daemon's state (starting, connecting, healthy, stale, error); 'activity': a blink per candle. */
  readonly role: 'status' | 'activity';
  readonly device: `led:${string}` | `gpio:${number}`;
}

export interface ApplianceConfig {
  /** Status LEDs; empty (the default) = no LEDs. */
  readonly leds: readonly LedConfig[];
  /** Event-loop lag (ms) above which the daemon counts as wedged and withholds systemd watchdog pings. */
  readonly watchdog_max_lag_ms: number;
}

/** Minutes since entry (as a decimal string, freqtrade's convention) -> minimum profit ratio to exit. */
export type MinimalRoi = Readonly<Record<string, number>>;

export interface Config {
  readonly external_message_consumer: ExternalMessageConsumerConfig;
  /**
   * Path of a freqtrade config file (JSON with comments and trailing commas) whose external_message_consumer
   * block replaces ft-edge's own block as a whole (keys it omits take freqtrade's defaults), or null.
   */
  readonly freqtrade_config: string | null;
  /**
   * Control socket path, absolute. Configured as null (the default) it is chosen at load: systemd's
   * $RUNTIME_DIRECTORY/control.sock, else /run/ft-edge/control.sock when /run/ft-edge exists or /run is
   * writable, else $XDG_RUNTIME_DIR/ft-edge/control.sock, else <tmpdir>/ft-edge-<uid>/control.sock.
   */
  readonly control: { readonly socket: string };
  readonly store: {
    /** Rows held per key (ring capacity). */
    readonly capacity: number;
    /** Per producer name: the only columns kept besides date and OHLCV. Absent producer = keep all. */
    readonly columns: Readonly<Record<string, readonly string[]>>;
  };
  readonly wire: {
    /**
     * Offer permessage-deflate to producers. Default false: frames compress about 2:1, but every connection
     * then holds zlib inflate state and every message costs an inflate pass, and on a Pi Zero 2 W memory and
     * CPU are scarcer than LAN bandwidth. Turn it on for producers reached over slow or metered links.
     */
    readonly compression: boolean;
    /** Upper bound, seconds, of the backoff between failing connect attempts. */
    readonly max_backoff: number;
  };
  /**
   * State directory (SQLite journal lives here), absolute. Configured as null (the default) it is chosen at load:
   * systemd's $STATE_DIRECTORY, else /var/lib/ft-edge when it exists or /var/lib is writable, else
   * $XDG_STATE_HOME/ft-edge (~/.local/state/ft-edge). Not created by loading.
   */
  readonly datadir: string;
  readonly log: { readonly level: Level };

  // Trading, with freqtrade's key names and meanings (top level, as in a freqtrade config).
  /** A built-in strategy's name ('UpstreamSignals', 'RsiBollingerConsumer') or an absolute path to a .js/.mjs module. */
  readonly strategy: string;
  /** Overrides of the strategy's own parameters, key by key (e.g. {"buy_rsi": 25} for RsiBollingerConsumer). */
  readonly strategy_params: Readonly<Record<string, number | string | boolean>>;
  /** freqtrade's `timeframe`: overrides the strategy's own ('5m'); null = the strategy's. Always a valid timeframe. */
  readonly timeframe: string | null;
  /** ft-edge trades dry-run only; `dry_run: false` is a configuration problem. */
  readonly dry_run: true;
  readonly dry_run_wallet: number;
  readonly stake_currency: string;
  /** Stake per trade in stake_currency, or 'unlimited' = available balance / free trade slots. */
  readonly stake_amount: number | 'unlimited';
  /** -1 = unlimited (freqtrade's convention). */
  readonly max_open_trades: number;
  /**
   * Overrides the strategy's ROI table, as in freqtrade; null = the strategy's. A table set in a later source
   * replaces one from an earlier source as a whole (node-config would otherwise merge the two).
   */
  readonly minimal_roi: MinimalRoi | null;
  /** Overrides the strategy's stoploss; a ratio, -1 <= stoploss < 0 (-0.10 = exit at 10 % loss); null = the strategy's. */
  readonly stoploss: number | null;
  /** Share of the wallet that may be staked, 0 < ratio <= 1 (freqtrade's default 0.99). */
  readonly tradable_balance_ratio: number;
  /** Fee ratio charged on entry and on exit, 0 <= fee < 0.1 (0.001 = 0.1 %). */
  readonly fee: number;

  readonly appliance: ApplianceConfig;
}
