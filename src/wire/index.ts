/**
 * The producer side of the wire: classifying a message (envelope), decoding its frame into columns (a byte
 * scanner, no I/O), and the WebSocket connection to one producer. Knows nothing of storage.
 */
export { parseEnvelope, type Envelope } from './envelope.js';
export { FrameDecoder, type DecodeOptions, type DecodeResult } from './frame-decoder.js';
export {
  ProducerConnection, type ConnectionHandler, type ConnectionState, type LinkCounters, type LinkStatus,
} from './producer-connection.js';
export { connectionError, type ConnectionError, type ConnectionErrorCode } from './connection-error.js';
export { RepeatLog } from './repeat-log.js';
