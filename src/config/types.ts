/**
 * The validated configuration the daemon runs with, as schema.ts declares it, with what loading resolves on top:
 * each producer's token (from ws_token, ws_token_file or $CREDENTIALS_DIRECTORY) and the automatic paths.
 */
import type { Infer } from './schema-builder.js';
import type { configSpec, exchangeSpec, externalMessageConsumerSpec, ledsSpec, producerSpec } from './schema.js';

/** What the configuration files and $NODE_CONFIG may hold, once validated. */
export type ValidatedConfig = Infer<typeof configSpec>;

/** One entry of external_message_consumer.producers, with its token resolved. */
export type ProducerConfig = Omit<Infer<typeof producerSpec>, 'ws_token' | 'ws_token_file'> & {
  /** The secret itself. Never log it. */
  readonly ws_token: string;
};

/** freqtrade's block, same keys and defaults as its consumer's code (PROTOCOL.md). */
export type ExternalMessageConsumerConfig = Omit<Infer<typeof externalMessageConsumerSpec>, 'producers'> & {
  readonly producers: readonly ProducerConfig[];
};

/** One status LED: `device` is `led:NAME` or `gpio:N` (led-device.ts parses it). */
export type LedConfig = Infer<typeof ledsSpec>[number];

export type ApplianceConfig = ValidatedConfig['appliance'];

/** Minutes since entry (as a decimal string, freqtrade's convention) -> minimum profit ratio to exit. */
export type MinimalRoi = NonNullable<ValidatedConfig['minimal_roi']>;

/** The exchange block without its secrets (those are in Config.live). */
export type ExchangeConfig = Omit<Infer<typeof exchangeSpec>, 'key' | 'secret' | 'password' | 'uid' | 'key_file' | 'secret_file'>;

export type Config = Omit<ValidatedConfig, '$schema' | 'external_message_consumer' | 'control' | 'datadir' | 'exchange'> & {
  readonly external_message_consumer: ExternalMessageConsumerConfig;
  /** Control socket path, absolute (the automatic one when configured as null). */
  readonly control: { readonly socket: string };
  /** State directory, absolute (the automatic one when configured as null); not created by loading. */
  readonly datadir: string;
  readonly exchange: ExchangeConfig | undefined;
  /** The account live orders go to: null when dry-run (dry_run true). */
  readonly live: LiveAccount | null;
};

/** The account live orders go to. Its secrets are never logged. */
export interface LiveAccount {
  /** The ccxt exchange id. */
  readonly exchange: string;
  readonly key: string;
  readonly secret: string;
  readonly password: string | null;
  readonly uid: string | null;
  /** ccxt_config, ccxt_sync_config and ccxt_async_config merged, later ones winning (freqtrade merges them so). */
  readonly ccxt_config: Readonly<Record<string, unknown>>;
  /** Minutes between reloads of the markets. */
  readonly markets_refresh_interval: number;
}
