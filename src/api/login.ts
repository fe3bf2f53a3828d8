/**
 * Who may use the API, as freqtrade decides it (api_auth.py): HTTP Basic with the configured user, or a Bearer
 * access token from /token/login; the message websocket also takes a configured ws_token. Comparisons take the
 * same time whatever the input. Unlike freqtrade, failed password checks lock the client out for a while,
 * doubling with each failure, so a password cannot be guessed at network speed.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { signToken, verifyToken } from './jwt.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** The key tokens are signed with. */
  readonly jwtKey: string;
  /** api_server.ws_token, as a list (empty: none). */
  readonly wsTokens: readonly string[];
}

/** A request turned away: freqtrade's status, body and challenge header. */
export interface Refusal {
  readonly status: 401 | 429;
  readonly detail: string;
  readonly challenge: 'Basic' | 'Bearer' | null;
  /** Seconds until the client may try a password again (429). */
  readonly retryAfterS?: number;
}

export type Authorized = { readonly user: string } | Refusal;

/** After the first failure 1 s, doubling to at most 5 minutes; forgotten after 15 minutes without one. */
const LOCKOUT_FIRST_MS = 1_000;
const LOCKOUT_MAX_MS = 300_000;
const FORGET_MS = 900_000;
/** Clients remembered at once (the oldest is forgotten first): a flood of addresses cannot grow the map. */
const MAX_CLIENTS = 1_024;

interface Failures {
  count: number;
  lockedUntil: number;
  last: number;
}

const NOT_AUTHENTICATED: Refusal = { status: 401, detail: 'Not authenticated', challenge: 'Basic' };
const BAD_BASIC: Refusal = { status: 401, detail: 'Invalid authentication credentials', challenge: 'Basic' };
const WRONG_LOGIN: Refusal = { status: 401, detail: 'Incorrect username or password', challenge: null };
const UNAUTHORIZED: Refusal = { status: 401, detail: 'Unauthorized', challenge: null };
const BAD_TOKEN: Refusal = { status: 401, detail: 'Could not validate credentials', challenge: 'Bearer' };

export class Login {
  /** Per-process key: both sides of a comparison are hashed with it, so the compare sees equal lengths. */
  private readonly compareKey = randomBytes(32);
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly creds: Credentials,
    private readonly now: () => number = Date.now,
  ) {}

  /** POST /token/login: a token pair for Basic credentials. */
  login(authorization: string | undefined, client: string): { access_token: string; refresh_token: string } | Refusal {
    const basic = this.basic(authorization);
    if (basic === null) return NOT_AUTHENTICATED;
    if (basic === 'malformed') return BAD_BASIC;
    const checked = this.checkPassword(basic, client);
    if (checked !== null) return checked === UNAUTHORIZED ? WRONG_LOGIN : checked;
    const nowS = Math.floor(this.now() / 1000);
    return {
      access_token: signToken(this.creds.jwtKey, basic.user, 'access', nowS),
      refresh_token: signToken(this.creds.jwtKey, basic.user, 'refresh', nowS),
    };
  }

  /** POST /token/refresh: a new access token for a Bearer refresh token. */
  refresh(authorization: string | undefined): { access_token: string } | Refusal {
    const token = bearer(authorization);
    const nowS = Math.floor(this.now() / 1000);
    const user = token === null ? null : verifyToken(this.creds.jwtKey, token, 'refresh', nowS);
    return user === null ? BAD_TOKEN : { access_token: signToken(this.creds.jwtKey, user, 'access', nowS) };
  }

  /** Every private route: a Bearer access token, or else Basic credentials. */
  authorize(authorization: string | undefined, client: string): Authorized {
    const token = bearer(authorization);
    if (token !== null) {
      const user = verifyToken(this.creds.jwtKey, token, 'access', Math.floor(this.now() / 1000));
      return user === null ? BAD_TOKEN : { user };
    }
    const basic = this.basic(authorization);
    if (basic === 'malformed') return BAD_BASIC;
    if (basic === null) return UNAUTHORIZED;
    return this.checkPassword(basic, client) ?? { user: basic.user };
  }

  /** The message websocket's ?token=: a ws_token, or an access token. */
  websocket(token: string | null): boolean {
    if (token === null || token === '') return false;
    if (this.creds.wsTokens.some((t) => this.same(t, token))) return true;
    return verifyToken(this.creds.jwtKey, token, 'access', Math.floor(this.now() / 1000)) !== null;
  }

  private checkPassword(basic: { user: string; password: string }, client: string): Refusal | null {
    const now = this.now();
    const f = this.failures.get(client);
    if (f !== undefined && now < f.lockedUntil) {
      const retryAfterS = Math.ceil((f.lockedUntil - now) / 1000);
      return { status: 429, detail: `Too many failed logins from this address; try again in ${retryAfterS} s`, challenge: null, retryAfterS };
    }
    // Both compared, always: which one was wrong takes no different time.
    const userOk = this.same(basic.user, this.creds.username);
    const passwordOk = this.same(basic.password, this.creds.password);
    if (userOk && passwordOk) {
      this.failures.delete(client);
      return null;
    }
    this.failed(client, f, now);
    return UNAUTHORIZED;
  }

  private failed(client: string, f: Failures | undefined, now: number): void {
    const count = f === undefined || now - f.last > FORGET_MS ? 1 : f.count + 1;
    this.failures.delete(client); // re-inserted last: the map's order is oldest failure first
    if (this.failures.size >= MAX_CLIENTS) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(client, { count, last: now, lockedUntil: now + Math.min(LOCKOUT_MAX_MS, LOCKOUT_FIRST_MS * 2 ** (count - 1)) });
  }

  private same(a: string, b: string): boolean {
    const h = (s: string): Buffer => createHmac('sha256', this.compareKey).update(s).digest();
    return timingSafeEqual(h(a), h(b));
  }

  private basic(authorization: string | undefined): { user: string; password: string } | 'malformed' | null {
    const m = /^basic\s+(.*)$/i.exec(authorization ?? '');
    if (m === null) return null;
    const text = Buffer.from(m[1]!.trim(), 'base64').toString('utf8');
    const colon = text.indexOf(':');
    return colon < 0 ? 'malformed' : { user: text.slice(0, colon), password: text.slice(colon + 1) };
  }
}

function bearer(authorization: string | undefined): string | null {
  const m = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m === null ? null : m[1]!;
}
