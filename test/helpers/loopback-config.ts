/** The consumer's configuration for producers on 127.0.0.1 in tests: freqtrade's defaults, fast reconnects. */
import type { ExternalMessageConsumerConfig } from '../../src/config/types.js';

export function loopbackConsumerConfig(
  producers: readonly { name: string; port: number }[],
  token: string,
  over: Partial<ExternalMessageConsumerConfig> = {},
): ExternalMessageConsumerConfig {
  return {
    enabled: true,
    producers: producers.map((p) => ({ name: p.name, port: p.port, host: '127.0.0.1', secure: false, ws_token: token })),
    wait_timeout: 30,
    ping_timeout: 10,
    sleep_time: 0.05,
    remove_entry_exit_signals: false,
    initial_candle_limit: 1500,
    message_size_limit: 8,
    ...over,
  };
}
