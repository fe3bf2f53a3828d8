/**
 * Reads the external_message_consumer block out of an existing freqtrade config file, so one file serves
 * both freqtrade and ft-edge. freqtrade config files are JSON with `//` and `/* *\/` comments and trailing commas,
 * which JSON5 parses. Only that block is taken; the rest of the file is freqtrade's business.
 */
import { readFileSync } from 'node:fs';
import JSON5 from 'json5';
import { ioReason } from './tokens.js';
import { isPlainObject } from './validator.js';

/** freqtrade configs are small; a multi-megabyte file is a mistake, not a config. */
const MAX_BYTES = 4 << 20;

export type FreqtradeBlock = { ok: true; block: Record<string, unknown> } | { ok: false; problem: string };

export function readFreqtradeBlock(file: string): FreqtradeBlock {
  let text: string;
  try {
    const buf = readFileSync(file);
    if (buf.length > MAX_BYTES) return { ok: false, problem: `${file} is larger than ${MAX_BYTES >> 20} MB` };
    text = buf.toString('utf8');
  } catch (e) {
    return { ok: false, problem: `cannot read ${file}: ${ioReason(e)}` };
  }
  let doc: unknown;
  try {
    doc = JSON5.parse(text);
  } catch (e) {
    // JSON5's messages name the position only ("invalid character 'x' at 3:5"), never the text around it.
    return { ok: false, problem: `${file} is not valid JSON: ${(e as Error).message.replace(/^JSON5: /, '')}` };
  }
  if (!isPlainObject(doc)) return { ok: false, problem: `${file} is not a JSON object` };
  const block = doc['external_message_consumer'];
  if (block === undefined) return { ok: false, problem: `${file} has no external_message_consumer block` };
  if (!isPlainObject(block)) return { ok: false, problem: `${file}: external_message_consumer is not an object` };
  return { ok: true, block };
}
