/** The strategies a config can name instead of a module path. */
import type { StrategyDefinition } from '../api.js';
import { rsiBollingerConsumer } from './rsi-bollinger-consumer.js';
import { upstreamSignals } from './upstream-signals.js';

export const BUILT_IN_STRATEGIES: ReadonlyMap<string, StrategyDefinition> = new Map<string, StrategyDefinition>([
  [upstreamSignals.name, upstreamSignals as StrategyDefinition],
  [rsiBollingerConsumer.name, rsiBollingerConsumer as StrategyDefinition],
]);
