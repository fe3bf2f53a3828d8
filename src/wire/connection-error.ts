/**
 * Why a producer connection failed or closed, under a stable code (what tests, status and the REST API compare),
 * with a short phrase for people (what logs show; repeats compare equal, so RepeatLog can summarise them).
 */
export type ConnectionErrorCode =
  /** The host cannot make a URL: a configuration error, never retried. */
  | 'invalid-address'
  /** HTTP 403 on the upgrade: the producer rejected the token. */
  | 'refused'
  /** Another HTTP status instead of the upgrade. */
  | 'http-status'
  /** No answer to the opening handshake in time. */
  | 'handshake-timeout'
  /** A socket error: refused, reset, host not found, unreachable ... */
  | 'network'
  /** No message for wait_timeout and no pong within ping_timeout. */
  | 'no-pong'
  /** A message over message_size_limit (close code 1009). */
  | 'oversize'
  /** WebSocket data ws refused (bad frame, bad UTF-8, bad compression). */
  | 'bad-data'
  /** The peer closed the connection (its close code is in the message). */
  | 'closed';

export interface ConnectionError {
  readonly code: ConnectionErrorCode;
  readonly message: string;
}

export function connectionError(code: ConnectionErrorCode, message: string): ConnectionError {
  return { code, message };
}
