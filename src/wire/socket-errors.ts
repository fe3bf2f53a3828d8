/** Short, stable phrases for socket errors and close codes: repeats must compare equal for RepeatLog. */
import { connectionError, type ConnectionError } from './connection-error.js';

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
export function socketError(err: unknown): ConnectionError {
  if (!(err instanceof Error)) return connectionError('network', String(err));
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return connectionError('network', code in ERRNO ? `${ERRNO[code]} (${code})` : `${err.message} (${code})`);
  if (err.message === 'Opening handshake has timed out') return connectionError('handshake-timeout', 'no answer to the WebSocket handshake in time');
  return connectionError('network', err.message);
}

const CLOSE_CODES: Readonly<Record<number, string>> = {
  1000: 'closed by the producer',
  1001: 'producer going away',
  1006: 'connection lost',
  1011: 'producer error',
  1012: 'producer restarting',
};

/** The close code of a connection that was open. */
export function closeError(code: number): ConnectionError {
  return connectionError('closed', `${CLOSE_CODES[code] ?? 'closed'} (${code})`);
}

/** Tokens at least this long are also masked wherever their text appears (the configuration warns below 16). */
const MIN_MASKED_TOKEN = 6;

/**
 * Belt and braces: no error text of a dependency may carry the token into a log line. It can only be there as
 * the URL's `token=` parameter, so that is masked; the token's text itself only when it is long enough not to
 * be part of ordinary words (a one-letter token must not turn "connection" into "connec***ion").
 */
export function redactToken(text: string, token: string): string {
  const masked = text.replace(/([?&]token=)[^&#\s"'<>]*/g, '$1***');
  if (token.length < MIN_MASKED_TOKEN) return masked;
  return masked.split(token).join('***').split(encodeURIComponent(token)).join('***');
}
