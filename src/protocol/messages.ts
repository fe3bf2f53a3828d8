/**
 * The message WebSocket's fixed facts, as freqtrade's producer and consumer have them (PROTOCOL.md): where it
 * lives, which message types exist, how many candles a frame holds, how large a message may be.
 */

/** The producer's message WebSocket, under its API server. */
export const MESSAGE_WS_PATH = '/api/v1/message/ws';

/** freqtrade's RPCMessageType values: the types a producer may send, and the topics a subscription may name. */
export const MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'status', 'warning', 'exception', 'startup', 'entry', 'entry_fill', 'entry_cancel', 'exit', 'exit_fill',
  'exit_cancel', 'protection_trigger', 'protection_trigger_global', 'strategy_msg', 'whitelist', 'analyzed_df',
  'new_candle',
]);

/** freqtrade's FULL_DATAFRAME_THRESHOLD: a frame this long replaces what a consumer holds. */
export const FULL_FRAME_ROWS = 100;

/**
 * The most candles one analyzed_df reply holds (the producer's cap), what a consumer asks for when it needs a
 * whole frame, and the most a consumer keeps per key.
 */
export const MAX_CANDLES = 1500;

/** external_message_consumer.message_size_limit, MB: freqtrade's bounds and default. */
export const MESSAGE_SIZE_LIMIT_MB = { min: 1, max: 20, default: 8 } as const;

/** A producer entry's port when it names none. */
export const DEFAULT_PRODUCER_PORT = 8080;
