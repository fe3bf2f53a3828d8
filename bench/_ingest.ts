/** The daemon's per-message path for the benches: envelope -> frame decoder (with the store's hint) -> store. */
import type { FrameStore } from '../src/store/index.js';
import { parseEnvelope } from '../src/wire/envelope.js';
import { FrameDecoder } from '../src/wire/frame-decoder.js';

/** An ingest function for one producer ('default'); it throws on a message the benches never send. */
export function ingestInto(store: FrameStore): (msg: Buffer) => void {
  const decoder = new FrameDecoder();
  return (msg) => {
    const env = parseEnvelope(msg);
    if (env.kind !== 'analyzed_df') throw new Error(`not an analyzed_df: ${env.kind}`);
    const r = decoder.decode(msg, env.frameStart, env.frameEnd, { hint: store.hint('default', env.key), removeSignals: false });
    if (!r.ok) throw new Error(r.reason);
    store.ingest('default', env.key, env.la, decoder.frame);
  };
}
