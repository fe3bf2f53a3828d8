/**
 * Producer tokens: where each comes from, and who else can read the files that hold one. Sources, first match
 * wins: `ws_token` in the config; `ws_token_file` (the file's contents, trimmed); systemd credentials
 * (LoadCredential=) `$CREDENTIALS_DIRECTORY/ws_token_<name>`, then `$CREDENTIALS_DIRECTORY/ws_token`.
 * No message built here contains a token, only paths and producer names.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Infer } from './schema-builder.js';
import type { producerSpec } from './schema.js';
import type { ProducerConfig } from './types.js';
import type { Path, Problem } from './validator.js';

/** A producer entry as validated by the schema, before its token is resolved. */
export type ProducerEntry = Infer<typeof producerSpec>;

/** A token shorter than this can be guessed; said in a warning (the producer decides what it accepts). */
const MIN_TOKEN_LENGTH = 16;

/** A token file larger than this is not a token file (and must not be read whole into memory). */
const MAX_TOKEN_BYTES = 4096;

/** Resolves every producer's token; pushes one problem per producer without one. */
export function resolveTokens(
  entries: readonly ProducerEntry[],
  credentialsDir: string | undefined,
  at: Path,
  problems: Problem[],
  warnings: string[],
): ProducerConfig[] {
  const out: ProducerConfig[] = [];
  entries.forEach((p, i) => {
    const path = [...at, i];
    const token = tokenOf(p, credentialsDir, path, problems, warnings);
    if (token === undefined) return;
    if (token.length < MIN_TOKEN_LENGTH) {
      warnings.push(`producer ${JSON.stringify(p.name)}: its ws_token is ${token.length} characters long, too short to be a secret ` +
        '(freqtrade generates 43: python3 -c "import secrets; print(secrets.token_urlsafe(32))")');
    }
    out.push({ name: p.name, host: p.host, port: p.port, secure: p.secure, ws_token: token });
  });
  return out;
}

function tokenOf(
  p: ProducerEntry,
  credentialsDir: string | undefined,
  path: Path,
  problems: Problem[],
  warnings: string[],
): string | undefined {
  // A name that is not a plain file name cannot have its own credential; it can still use ws_token.
  const own = /^[A-Za-z0-9_.@-]+$/.test(p.name) && p.name !== '.' && p.name !== '..' ? [`ws_token_${p.name}`] : [];
  const token = secretFrom({
    value: p.ws_token, file: p.ws_token_file, credentials: [...own, 'ws_token'], what: `producer ${JSON.stringify(p.name)}`,
    key: 'ws_token', path,
  }, credentialsDir, problems, warnings);
  if (token === null) {
    problems.push({
      path,
      message:
        `producer ${JSON.stringify(p.name)} has no token: set ws_token or ws_token_file, ` +
        `or pass the systemd credential ws_token_${p.name} (LoadCredential=)`,
    });
    return undefined;
  }
  return token;
}

/** Where one secret may come from, first match winning. */
export interface SecretSources {
  /** Given in the configuration itself. */
  readonly value: string | undefined;
  /** `<key>_file`: a file holding it. */
  readonly file: string | undefined;
  /** systemd credential names (LoadCredential=), in $CREDENTIALS_DIRECTORY. */
  readonly credentials: readonly string[];
  /** Who it belongs to, for messages: 'producer "a"', 'the exchange'. */
  readonly what: string;
  /** Its key ('ws_token', 'key'); the file's key is `${key}_file`. */
  readonly key: string;
  readonly path: Path;
}

/** The secret (trimmed), null when no source has one, undefined when a source was wrong (a problem was pushed). */
export function secretFrom(src: SecretSources, credentialsDir: string | undefined, problems: Problem[], warnings: string[]): string | null | undefined {
  if (src.value !== undefined && src.file !== undefined) {
    problems.push({ path: src.path, message: `${src.what}: set ${src.key} or ${src.key}_file, not both` });
    return undefined;
  }
  if (src.value !== undefined) return src.value.trim();
  if (src.file !== undefined) {
    const exposed = exposure(src.file);
    if (exposed !== undefined) warnings.push(`${src.file} holds a ${src.key} and ${exposed}`);
    return readToken(src.file, [...src.path, `${src.key}_file`], problems);
  }
  if (credentialsDir !== undefined && credentialsDir !== '') {
    for (const c of src.credentials) {
      const file = join(credentialsDir, c);
      if (exists(file)) return readToken(file, src.path, problems);
    }
  }
  return null;
}

function readToken(file: string, path: Path, problems: Problem[]): string | undefined {
  try {
    if (statSync(file).size > MAX_TOKEN_BYTES) {
      problems.push({ path, message: `${file} is larger than ${MAX_TOKEN_BYTES} bytes: not a token file` });
      return undefined;
    }
    const token = readFileSync(file, 'utf8').trim();
    if (token !== '') return token;
    problems.push({ path, message: `${file} is empty` });
  } catch (e) {
    problems.push({ path, message: `cannot read ${file}: ${ioReason(e)}` });
  }
  return undefined;
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Who besides the service can read `file`: 'is readable by all users (mode 0644)', 'is readable by group 100
 * (mode 0640)', or undefined. A group the process itself belongs to does not count: root:ft-edge 0640 is how a
 * file is shared with the service user.
 */
export function exposure(file: string): string | undefined {
  let st;
  try {
    st = statSync(file);
  } catch {
    return undefined;
  }
  const mode = `(mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`;
  if ((st.mode & 0o004) !== 0) return `is readable by all users ${mode}: chmod o-r it, or use LoadCredential=`;
  const ownGroups = new Set([process.getgid?.(), ...(process.getgroups?.() ?? [])]);
  if ((st.mode & 0o040) !== 0 && !ownGroups.has(st.gid)) {
    return `is readable by group ${st.gid} ${mode}: chmod g-r it, or use LoadCredential=`;
  }
  return undefined;
}

/** 'no such file', 'permission denied', or the error's own message. */
export function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (e as Error).message ?? String(e);
}
