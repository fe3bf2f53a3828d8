/**
 * Start-up warnings about a strategy that the rest of the config keeps from ever trading: its producer is not
 * configured, the signals it reads are removed on receipt, or the store's projection drops its columns.
 */
import { OHLCV_COLUMNS, SIGNAL_COLUMNS } from '../protocol/index.js';
import { splitSuffix, suffixOrder } from './frame-context.js';
import type { LoadedStrategy } from './strategy-loader.js';

/** The parts of the config these checks read. */
export interface StrategyEnvironment {
  /** Names of the configured producers. */
  readonly producers: readonly string[];
  /** external_message_consumer.remove_entry_exit_signals */
  readonly removeEntryExitSignals: boolean;
  /** store.columns: per producer, the only columns kept besides date and OHLCV. */
  readonly projection: Readonly<Record<string, readonly string[]>>;
}

/** One line per problem, each naming the strategy. */
export function startupWarnings(s: LoadedStrategy, env: StrategyEnvironment): string[] {
  const name = s.definition.name;
  const warnings: string[] = [];
  for (const p of [s.producer, ...s.informative]) {
    if (!env.producers.includes(p)) {
      warnings.push(`strategy ${name} reads producer "${p}", which is not configured (producers: ${env.producers.join(', ') || 'none'})`);
    }
  }
  const order = suffixOrder([s.producer, ...s.informative]);
  const signals: string[] = [];
  for (const col of s.columns) {
    const ref = splitSuffix(col, order) ?? { producer: s.producer, base: col };
    if ((SIGNAL_COLUMNS as readonly string[]).includes(ref.base)) signals.push(col);
    const kept = env.projection[ref.producer];
    if (kept !== undefined && !kept.includes(ref.base) && !(OHLCV_COLUMNS as readonly string[]).includes(ref.base)) {
      warnings.push(`strategy ${name} reads column "${ref.base}" of producer "${ref.producer}", but store.columns does not keep it`);
    }
  }
  if (signals.length > 0 && env.removeEntryExitSignals) {
    warnings.push(
      `strategy ${name} reads the producer's signals (${signals.join(', ')}), but ` +
        'external_message_consumer.remove_entry_exit_signals is true: they arrive as 0 and it will never enter',
    );
  }
  return warnings;
}
