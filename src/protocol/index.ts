/**
 * What a freqtrade producer and its consumers agree on: keys and timeframes, the message types and requests, the
 * limits, and the decoded-frame contract between decoding and storage. Every other part imports these from
 * here; nothing here imports from the rest of ft-edge.
 */
export { CANDLE_TYPES, isCandleType, keyId, timeframeMs, type CandleType, type PairKey } from './market.js';
export {
  OHLCV_COLUMNS, SIGNAL_COLUMNS, TAG_COLUMNS, type ColumnKind, type DecodedColumn, type DecodedFrame,
} from './decoded-frame.js';
export { SUBSCRIBE, WHITELIST, analyzedDf, initialRequests } from './requests.js';
export {
  DEFAULT_PRODUCER_PORT, FULL_FRAME_ROWS, MAX_CANDLES, MESSAGE_SIZE_LIMIT_MB, MESSAGE_TYPES, MESSAGE_WS_PATH,
} from './messages.js';
export { hostProblem, producerAddress } from './address.js';
