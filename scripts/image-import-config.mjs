#!/usr/bin/env node
/**
 * First-boot configuration import (ft-edge-import-config.service): takes /boot/firmware/ft-edge.json, which the
 * user edited on the SD card's FAT partition from a laptop, into the root filesystem and deletes it from the FAT
 * partition (readable by anyone holding the card):
 *   - producers' ws_token     -> /etc/ft-edge/ws_token (mode 0600, root; the unit's LoadCredential=): one file
 *                                when all producers share a token, else a directory with one file per producer
 *   - exchange key, secret,   -> /etc/ft-edge/exchange/key, secret, ... (mode 0600, root; credentials exchange_key,
 *     password, uid              exchange_secret ...; live trading), out of the configuration
 *   - "hostname"              -> /etc/hostname, /etc/hosts
 *   - "wifi"                  -> /etc/wpa_supplicant/wpa_supplicant-wlan0.conf (mode 0600, PSK hashed), enabled
 *   - everything else         -> /etc/ft-edge/local.json (mode 0640, root:ft-edge), judged by the daemon itself:
 *                                a bad configuration shows on the LEDs and in `systemctl status ft-edge`.
 * A file that is not JSON is still taken in whole as local.json, so the daemon reports it the same way.
 * Also a journal backup put beside it (`ft-edge-journal.sqlite`, made by `ft-edge backup` before reflashing):
 * it becomes /var/lib/ft-edge/ft-edge.sqlite when the Pi has no journal yet, and is left on the card otherwise.
 * Runs again whenever either file reappears. Never prints a token or a passphrase.
 *
 * usage: image-import-config.mjs [--boot FILE] [--journal FILE] [--root DIR] [--no-system]
 *   --root DIR   prefix of /etc (tests); --no-system: no chown, no hostname/systemctl calls (tests)
 */
import { execFileSync } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import JSON5 from 'json5';

const { values: opt } = parseArgs({
  options: {
    boot: { type: 'string', default: '/boot/firmware/ft-edge.json' },
    journal: { type: 'string', default: '/boot/firmware/ft-edge-journal.sqlite' },
    root: { type: 'string', default: '/' },
    'no-system': { type: 'boolean', default: false },
  },
});
const system = !opt['no-system'];
const at = (p) => join(opt.root, p);
const ETC = at('/etc/ft-edge');
const TOKEN_NAME = /^[A-Za-z0-9_.@-]+$/;
const HOSTNAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

const problems = [];
const done = [];

function main() {
  if (existsSync(opt.journal)) importJournal();
  if (!existsSync(opt.boot)) {
    console.log(`nothing to import: ${opt.boot} does not exist`);
    for (const p of problems) console.error(`<3>${p}`);
    return problems.length === 0 ? 0 : 1;
  }
  const text = readFileSync(opt.boot, 'utf8');
  let doc;
  try {
    doc = JSON5.parse(text);
  } catch (e) {
    problems.push(`${opt.boot} is not valid JSON: ${e.message.replace(/^JSON5: /, '')}; taken in as is, ft-edge reports it`);
  }
  if (doc !== undefined && (doc === null || typeof doc !== 'object' || Array.isArray(doc))) {
    problems.push(`${opt.boot} must hold one JSON object; taken in as is, ft-edge reports it`);
    doc = undefined;
  }
  if (doc === undefined) {
    writeConfig(text);
  } else {
    const { hostname, wifi, ...config } = doc;
    if (hostname !== undefined) applyHostname(hostname);
    if (wifi !== undefined) applyWifi(wifi);
    const tokens = takeTokens(config);
    if (tokens !== undefined) writeTokens(tokens);
    takeExchangeSecrets(config);
    writeConfig(JSON.stringify(config, null, 2) + '\n');
  }
  rmSync(opt.boot);
  syncDir(dirname(opt.boot));
  console.log(`imported ${opt.boot}${done.length > 0 ? `: ${done.join(', ')}` : ''}; removed it from the boot partition`);
  for (const p of problems) console.error(`<3>${p}`);
  return problems.length === 0 ? 0 : 1;
}

/** The journal backup from the card, where the daemon keeps its journal, unless there already is one. */
function importJournal() {
  const dir = at('/var/lib/ft-edge');
  const target = join(dir, 'ft-edge.sqlite');
  if (existsSync(target)) {
    problems.push(`${opt.journal} left on the card: this Pi already has a journal (${target}); move one of them away and reboot to take it in`);
    return;
  }
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const tmp = `${target}.import`;
  copyFileSync(opt.journal, tmp);
  const fd = openSync(tmp, 'r+');
  try {
    fchmodSync(fd, 0o640);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (system) execFileSync('chown', ['ft-edge:ft-edge', tmp, dir]);
  renameSync(tmp, target);
  syncDir(dir);
  rmSync(opt.journal);
  syncDir(dirname(opt.journal));
  console.log(`imported the journal ${opt.journal} -> ${target}; removed it from the boot partition`);
}

/** Moves each producer's ws_token out of the config: name -> token, or undefined when none is given. */
function takeTokens(config) {
  const producers = config.external_message_consumer?.producers;
  if (!Array.isArray(producers)) return undefined;
  const tokens = new Map();
  for (const p of producers) {
    if (p === null || typeof p !== 'object' || typeof p.ws_token !== 'string') continue;
    if (typeof p.name !== 'string' || !TOKEN_NAME.test(p.name)) {
      // Such a name cannot be a credential file name; its token stays in local.json (mode 0640).
      problems.push(`producer ${JSON.stringify(p.name)}: a name of letters, digits and _.@- is needed to keep its token as a credential; left in local.json`);
      continue;
    }
    tokens.set(p.name, p.ws_token);
    delete p.ws_token;
  }
  return tokens.size > 0 ? tokens : undefined;
}

/** Moves the exchange account's secrets out of the config into /etc/ft-edge/exchange (LoadCredential=exchange:...). */
function takeExchangeSecrets(config) {
  const ex = config.exchange;
  if (ex === null || typeof ex !== 'object') return;
  const dir = join(ETC, 'exchange');
  const moved = [];
  for (const key of ['key', 'secret', 'password', 'uid']) {
    if (typeof ex[key] !== 'string' || ex[key] === '') continue;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeSecret(join(dir, key), `${ex[key]}\n`);
    delete ex[key];
    moved.push(key);
  }
  if (moved.length === 0) return;
  syncDir(dir);
  done.push(`exchange ${moved.join(', ')} -> ${dir}`);
}

function writeTokens(tokens) {
  const target = join(ETC, 'ws_token');
  const next = `${target}.new`;
  mkdirSync(ETC, { recursive: true });
  rmSync(next, { recursive: true, force: true });
  const distinct = new Set(tokens.values());
  if (distinct.size === 1) {
    writeSecret(next, `${[...distinct][0]}\n`);
  } else {
    // Loaded by LoadCredential=ws_token:DIR as credentials ws_token_<name>.
    mkdirSync(next, { mode: 0o700, recursive: true });
    for (const [name, token] of tokens) writeSecret(join(next, name), `${token}\n`);
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(next, target);
  syncDir(ETC);
  done.push(`${tokens.size} token(s) -> ${target}`);
}

function writeConfig(content) {
  const file = join(ETC, 'local.json');
  mkdirSync(ETC, { recursive: true });
  if (existsSync(file)) renameSync(file, `${file}.previous`);
  writeFileAtomic(file, content, 0o640, system ? groupId('ft-edge') : undefined);
  done.push(`configuration -> ${file}`);
}

function applyHostname(name) {
  if (typeof name !== 'string' || !HOSTNAME.test(name)) {
    problems.push(`hostname ${JSON.stringify(name)} is not a host name (1-63 of a-z, 0-9 and -, not starting or ending with -); not changed`);
    return;
  }
  writeFileAtomic(at('/etc/hostname'), `${name}\n`, 0o644);
  const hostsFile = at('/etc/hosts');
  const hosts = existsSync(hostsFile) ? readFileSync(hostsFile, 'utf8') : '127.0.0.1\tlocalhost\n';
  const lines = hosts.split('\n').filter((l) => !l.startsWith('127.0.1.1'));
  lines.splice(1, 0, `127.0.1.1\t${name}`);
  writeFileAtomic(hostsFile, lines.join('\n'), 0o644);
  if (system) execFileSync('hostname', [name]);
  done.push(`hostname ${name}`);
}

/** "wifi": {"ssid", "psk" (8-63 characters; absent or "" = open network), "country" (ISO 3166), "hidden"}, or null. */
function applyWifi(wifi) {
  const conf = at('/etc/wpa_supplicant/wpa_supplicant-wlan0.conf');
  const unit = 'wpa_supplicant@wlan0.service';
  if (wifi === null) {
    rmSync(conf, { force: true });
    if (system) execFileSync('systemctl', ['disable', '--now', '--no-block', unit]);
    done.push('Wi-Fi off');
    return;
  }
  const { ssid, psk = '', country, hidden = false } = wifi ?? {};
  const bad = [];
  if (typeof ssid !== 'string' || ssid.length === 0 || Buffer.byteLength(ssid) > 32) bad.push('ssid must be 1-32 bytes');
  if (typeof psk !== 'string' || (psk !== '' && !/^[\x20-\x7e]{8,63}$/.test(psk))) bad.push('psk must be 8-63 printable ASCII characters (or "" for an open network)');
  if (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country)) bad.push('country must be a two-letter code such as "DE" (the radio rules depend on it)');
  if (typeof hidden !== 'boolean') bad.push('hidden must be true or false');
  if (bad.length > 0) {
    problems.push(`wifi: ${bad.join('; ')}; Wi-Fi not changed`);
    return;
  }
  // Hex SSID and hashed PSK (as wpa_passphrase computes it): no quoting rules, no passphrase on disk.
  const lines = ['ctrl_interface=/run/wpa_supplicant', 'update_config=0', `country=${country}`, '', 'network={',
    `\tssid=${Buffer.from(ssid).toString('hex')}`];
  if (hidden) lines.push('\tscan_ssid=1');
  lines.push(psk === '' ? '\tkey_mgmt=NONE' : `\tpsk=${pbkdf2Sync(psk, ssid, 4096, 32, 'sha1').toString('hex')}`, '}', '');
  mkdirSync(dirname(conf), { recursive: true });
  writeFileAtomic(conf, lines.join('\n'), 0o600);
  if (system) {
    execFileSync('systemctl', ['enable', unit], { stdio: 'ignore' });
    execFileSync('systemctl', ['restart', '--no-block', unit]);
  }
  done.push(`Wi-Fi ${JSON.stringify(ssid)} (${country})`);
}

function writeSecret(file, content) {
  writeFileAtomic(file, content, 0o600, 0);
}

function writeFileAtomic(file, content, mode, gid) {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    fchmodSync(fd, mode); // the mode asked for, whatever the umask
    writeFileSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (system && gid !== undefined) execFileSync('chown', [`0:${gid}`, tmp]);
  renameSync(tmp, file);
}

function syncDir(dir) {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The gid of `name` from /etc/group (the service's group may read local.json), or root's. */
function groupId(name) {
  const line = readFileSync(at('/etc/group'), 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  return line === undefined ? 0 : Number(line.split(':')[2]);
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(`<3>importing ${opt.boot} failed: ${e.message}`);
  process.exitCode = 1;
}
