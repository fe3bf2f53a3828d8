/**
 * The validated configuration the daemon runs with. Loading and validation (src/config/load.ts) turn
 * node-config's merged object into this or into a list of one-line problems; nothing else reads node-config.
 * Keys that freqtrade also has keep freqtrade's names, meanings and defaults.
 */
import type { Level } from '../log.js';

/** One entry of external_message_consumer.producers, with its token resolved. */
export interface ProducerConfig {
  readonly name: string;
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

export interface Config {
  readonly external_message_consumer: ExternalMessageConsumerConfig;
  /** Path of a freqtrade config file whose external_message_consumer block is used, or null. */
  readonly freqtrade_config: string | null;
  readonly control: { readonly socket: string };
  readonly store: {
    /** Rows held per key (ring capacity). */
    readonly capacity: number;
    /** Per producer name: the only columns kept besides date and OHLCV. Absent producer = keep all. */
    readonly columns: Readonly<Record<string, readonly string[]>>;
  };
  readonly wire: {
    /** Offer permessage-deflate to producers. */
    readonly compression: boolean;
    /** Upper bound, seconds, of the backoff between failing connect attempts. */
    readonly max_backoff: number;
  };
  /** State directory (SQLite journal lives here). */
  readonly datadir: string;
  readonly log: { readonly level: Level };
}
