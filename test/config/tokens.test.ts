import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { exposure, resolveTokens, type ProducerEntry } from '../../src/config/tokens.js';
import { formatPath, type Problem } from '../../src/config/validator.js';

const dir = mkdtempSync(join(tmpdir(), 'ft-edge-tokens-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'SEKRET-9f8e7d6c5b4a';
const base = { host: 'h', port: 8080, secure: false };

function file(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

function resolve(entries: ProducerEntry[], credentials?: string) {
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const producers = resolveTokens(entries, credentials, ['external_message_consumer', 'producers'], problems, warnings);
  const lines = problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
  for (const line of [...lines, ...warnings]) assert.equal(line.includes(SECRET), false, `token leaked: ${line}`);
  return { tokens: producers.map((p) => p.ws_token), problems: lines, warnings };
}

describe('token sources', () => {
  const creds = join(dir, 'credentials');
  mkdirSync(creds);
  writeFileSync(join(creds, 'ws_token_alpha'), `alpha-${SECRET}\n`);
  writeFileSync(join(creds, 'ws_token'), `shared-${SECRET}\n`);

  it('takes ws_token from the config first', () => {
    assert.deepEqual(resolve([{ name: 'alpha', ...base, ws_token: SECRET }], creds).tokens, [SECRET]);
  });

  it('reads ws_token_file, trimmed', () => {
    const path = file('token', `  ${SECRET}\n`);
    assert.deepEqual(resolve([{ name: 'a', ...base, ws_token_file: path }]), { tokens: [SECRET], problems: [], warnings: [] });
  });

  it('falls back to the credential ws_token_<name>, then ws_token', () => {
    const r = resolve([{ name: 'alpha', ...base }, { name: 'beta', ...base }, { name: 'odd/name', ...base }], creds);
    assert.deepEqual(r.tokens, [`alpha-${SECRET}`, `shared-${SECRET}`, `shared-${SECRET}`]);
  });

  it('reports a producer without any token, naming it', () => {
    assert.deepEqual(resolve([{ name: 'alpha', ...base }]).problems, [
      'external_message_consumer.producers[0]: producer "alpha" has no token: set ws_token or ws_token_file, or pass the systemd credential ws_token_alpha (LoadCredential=)',
    ]);
  });

  it('refuses ws_token and ws_token_file together', () => {
    const path = file('token2', SECRET);
    assert.match(resolve([{ name: 'a', ...base, ws_token: SECRET, ws_token_file: path }]).problems[0]!, /set ws_token or ws_token_file, not both/);
  });

  it('reports missing, empty and oversized token files by path', () => {
    const empty = file('empty', '\n  \n');
    const big = file('big', SECRET.repeat(400));
    const r = resolve([
      { name: 'a', ...base, ws_token_file: join(dir, 'nope') },
      { name: 'b', ...base, ws_token_file: empty },
      { name: 'c', ...base, ws_token_file: big },
    ]);
    assert.deepEqual(r.problems, [
      `external_message_consumer.producers[0].ws_token_file: cannot read ${join(dir, 'nope')}: no such file`,
      `external_message_consumer.producers[1].ws_token_file: ${empty} is empty`,
      `external_message_consumer.producers[2].ws_token_file: ${big} is larger than 4096 bytes: not a token file`,
    ]);
  });

  it('warns when a token file is readable by all users', () => {
    const path = file('open-token', SECRET, 0o644);
    assert.deepEqual(resolve([{ name: 'a', ...base, ws_token_file: path }]).warnings, [
      `${path} holds a ws_token and is readable by all users (mode 0644): chmod o-r it, or use LoadCredential=`,
    ]);
  });
});

describe('exposure', () => {
  it('is silent for 0600 and 0640 with our own group', () => {
    assert.equal(exposure(file('private', 'x', 0o600)), undefined);
    assert.equal(exposure(file('group-own', 'x', 0o640)), undefined);
  });

  it('names a foreign group that can read the file', { skip: process.getuid?.() !== 0 && 'needs root to chown' }, () => {
    const path = file('group-foreign', 'x', 0o640);
    chownSync(path, 0, 54321);
    assert.equal(exposure(path), 'is readable by group 54321 (mode 0640): chmod g-r it, or use LoadCredential=');
  });
});
