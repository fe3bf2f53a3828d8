/** The daemon's per-message path for the benches: envelope -> frame decoder (with the store's hint) -> store. */
import type { PairKey } from '../src/protocol/index.js';
import type { FrameStore } from '../src/store/index.js';
import { parseEnvelope } from '../src/wire/envelope.js';
import { FrameDecoder } from '../src/wire/frame-decoder.js';

/**
 * An ingest function for one producer ('default'); it throws on a message the benches never send. `stored` is
 * told of every stored frame, as the daemon's event stream is.
 */
export function ingestInto(store: FrameStore, stored?: (producer: string, key: PairKey) => void): (msg: Buffer) => void {
  const decoder = new FrameDecoder();
  return (msg) => {
    const env = parseEnvelope(msg);
    if (env.kind !== 'analyzed_df') throw new Error(`not an analyzed_df: ${env.kind}`);
    const r = decoder.decode(msg, env.frameStart, env.frameEnd, { hint: store.kinds('default', env.key), removeSignals: false });
    if (!r.ok) throw new Error(r.reason);
    const out = store.ingest('default', env.key, env.la, decoder.frame);
    if (stored !== undefined && (out.action === 'replaced' || out.action === 'appended')) stored('default', env.key);
  };
}
