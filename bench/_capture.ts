/** What a producer sends a consumer that connects, as freqtrade's consumer would ask for it. */
import { WebSocket } from 'ws';
import type { DemoProducer } from '../src/demo/index.js';
import { initialRequests } from '../src/protocol/index.js';

/** The producer's answers to freqtrade's initial requests, as text: the whitelist, then one analyzed_df per pair. */
export async function capture(producer: DemoProducer, token: string, pairs: number, rows: number): Promise<string[]> {
  const ws = new WebSocket(`${producer.url}?token=${token}`, { maxPayload: 64 << 20, perMessageDeflate: false });
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const got: string[] = [];
  const done = new Promise<void>((resolve) => ws.on('message', (d: Buffer) => {
    got.push(d.toString('utf8'));
    if (got.length === pairs + 1) resolve();
  }));
  for (const r of initialRequests(rows)) ws.send(r);
  await done;
  ws.close();
  return got;
}
