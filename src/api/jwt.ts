/**
 * freqtrade's login tokens: HS256 JSON Web Tokens with the payload `{identity: {u}, exp, iat, type}` (times in
 * epoch seconds, `type` "access" or "refresh"), so FreqUI and freqtrade-client take them as freqtrade's own.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenType = 'access' | 'refresh';

/** freqtrade's lifetimes: an access token lasts 15 minutes, a refresh token 30 days. */
export const TOKEN_LIFETIME_S: Readonly<Record<TokenType, number>> = { access: 15 * 60, refresh: 30 * 86_400 };

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function signature(key: string, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

/** A token for `user`, valid from `nowS` for its type's lifetime. */
export function signToken(key: string, user: string, type: TokenType, nowS: number): string {
  const payload = base64url(JSON.stringify({ identity: { u: user }, exp: nowS + TOKEN_LIFETIME_S[type], iat: nowS, type }));
  const signed = `${HEADER}.${payload}`;
  return `${signed}.${signature(key, signed).toString('base64url')}`;
}

/** The user a token of `type` was made for, if its signature holds and it has not expired; else null. */
export function verifyToken(key: string, token: string, type: TokenType, nowS: number): string | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [header, payload, sig] = parts as [string, string, string];
  const expected = signature(key, `${header}.${payload}`);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let claims: unknown;
  try {
    if ((JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: unknown }).alg !== 'HS256') return null;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  } catch {
    return null;
  }
  const c = claims as { identity?: { u?: unknown }; exp?: unknown; type?: unknown } | null;
  if (c === null || typeof c !== 'object' || c.type !== type || typeof c.exp !== 'number' || c.exp <= nowS) return null;
  return typeof c.identity?.u === 'string' ? c.identity.u : null;
}
