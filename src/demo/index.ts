/**
 * The demo producer: freqtrade's message WebSocket (producer side) in TypeScript, for `ft-edge demo` and for
 * the consumer's integration tests.
 *
 * Where it differs from freqtrade on purpose: an analyzed_df request whose data freqtrade cannot use (limit not
 * a number, pair not a string) is answered with an `exception` message instead of crashing the channel; rows
 * are analyzed incrementally, so a row's values never change once the next candle exists (freqtrade
 * re-analyzes its whole window and its EMAs drift slightly); no JWT login (only ws_token).
 */
import { DemoProducerServer, type DemoProducer } from './producer.js';
import type { DemoLog } from './channel.js';
import { resolveOptions, type DemoProducerOptions } from './options.js';

export type { DemoProducer, DemoFaults, DemoFrame, FrameCell, ReceivedRequest } from './producer.js';
export type { DemoLog } from './channel.js';
export type { DemoProducerOptions } from './options.js';
export type { GarbageKind } from './garbage.js';
export { GARBAGE_KINDS } from './garbage.js';
export type { SignalStyle } from './columns.js';

const silent: DemoLog = { info() {}, warn() {}, debug() {} };

/** Starts a demo producer; throws a RangeError naming the problem when an option is invalid. */
export async function startDemoProducer(opts: DemoProducerOptions): Promise<DemoProducer> {
  const producer = new DemoProducerServer(resolveOptions(opts), opts.log ?? silent);
  await producer.start();
  return producer;
}
