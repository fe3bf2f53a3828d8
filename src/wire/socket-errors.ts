/** Short, stable phrases for socket errors and close codes: repeats must compare equal for RepeatLog. */

const ERRNO: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection broken',
};

/** A connect or socket error (errno codes, TLS codes, ws's handshake errors). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code in ERRNO ? `${ERRNO[code]} (${code})` : `${err.message} (${code})`;
  if (err.message === 'Opening handshake has timed out') return 'no answer to the WebSocket handshake in time';
  return err.message;
}

const CLOSE_CODES: Readonly<Record<number, string>> = {
  1000: 'closed by the producer',
  1001: 'producer going away',
  1006: 'connection lost',
  1011: 'producer error',
  1012: 'producer restarting',
};

/** The close code of a connection that was open. */
export function describeClose(code: number): string {
  return `${CLOSE_CODES[code] ?? 'closed'} (${code})`;
}
