/**
 * scripts/image-import-config.mjs (first boot: ft-edge.json from the FAT partition into /etc/ft-edge), run as
 * the unit runs it, against a temporary root: tokens out of the config into 0600 credentials, hostname, Wi-Fi,
 * a broken file still taken in for the daemon to report, the file gone from the boot partition.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../scripts/image-import-config.mjs', import.meta.url));

function setup(bootText: string): { root: string; boot: string; run: () => { code: number | null; out: string } } {
  const root = mkdtempSync(join(tmpdir(), 'ft-edge-import-'));
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/hosts'), '127.0.0.1\tlocalhost\n127.0.1.1\tft-edge\n');
  const boot = join(root, 'boot-firmware', 'ft-edge.json');
  mkdirSync(join(root, 'boot-firmware'));
  writeFileSync(boot, bootText);
  return {
    root,
    boot,
    run: () => {
      // UMask=0077 as in the unit: the files still get the modes the service needs.
      const journal = join(root, 'boot-firmware', 'ft-edge-journal.sqlite');
      const r = spawnSync('sh', ['-c', 'umask 077 && exec "$0" "$@"', process.execPath, SCRIPT, '--boot', boot, '--journal', journal, '--root', root, '--no-system'], { encoding: 'utf8' });
      return { code: r.status, out: r.stdout + r.stderr };
    },
  };
}

const mode = (file: string): number => statSync(file).mode & 0o777;

test('one shared token becomes a 0600 credential file and leaves the config; the boot file is removed', () => {
  const { root, boot, run } = setup(`// comment, JSON5 as users write it
  {
    "external_message_consumer": { "enabled": true, "producers": [
      { "name": "a", "host": "10.0.0.1", "port": 8080, "ws_token": "s3cret-token" },
      { "name": "b", "host": "10.0.0.2", "port": 8080, "ws_token": "s3cret-token" },
    ] },
  }`);
  const r = run();
  assert.equal(r.code, 0, r.out);
  assert.equal(existsSync(boot), false);
  const cred = join(root, 'etc/ft-edge/ws_token');
  assert.equal(readFileSync(cred, 'utf8'), 's3cret-token\n');
  assert.equal(mode(cred), 0o600);
  const local = readFileSync(join(root, 'etc/ft-edge/local.json'), 'utf8');
  assert.equal(local.includes('s3cret-token'), false);
  assert.deepEqual(JSON.parse(local).external_message_consumer.producers[1], { name: 'b', host: '10.0.0.2', port: 8080 });
  assert.equal(mode(join(root, 'etc/ft-edge/local.json')), 0o640);
  assert.equal(r.out.includes('s3cret-token'), false);
});

test('different tokens become one credential file per producer name; an existing config is kept as .previous', () => {
  const { root, run } = setup(JSON.stringify({
    external_message_consumer: { enabled: true, producers: [
      { name: 'a', host: 'h', port: 1, ws_token: 'ta' }, { name: 'b', host: 'h', port: 2, ws_token: 'tb' }] },
  }));
  mkdirSync(join(root, 'etc/ft-edge'));
  writeFileSync(join(root, 'etc/ft-edge/ws_token'), 'old\n');
  writeFileSync(join(root, 'etc/ft-edge/local.json'), '{"log": {"level": "debug"}}\n');
  assert.equal(run().code, 0);
  const dir = join(root, 'etc/ft-edge/ws_token');
  assert.deepEqual(readdirSync(dir).sort(), ['a', 'b']);
  assert.equal(readFileSync(join(dir, 'b'), 'utf8'), 'tb\n');
  assert.equal(mode(dir), 0o700);
  assert.equal(mode(join(dir, 'a')), 0o600);
  assert.equal(readFileSync(join(root, 'etc/ft-edge/local.json.previous'), 'utf8'), '{"log": {"level": "debug"}}\n');
});

test('no token in the new file keeps the credential there is', () => {
  const { root, run } = setup('{"log": {"level": "debug"}}');
  mkdirSync(join(root, 'etc/ft-edge'));
  writeFileSync(join(root, 'etc/ft-edge/ws_token'), 'kept\n');
  assert.equal(run().code, 0);
  assert.equal(readFileSync(join(root, 'etc/ft-edge/ws_token'), 'utf8'), 'kept\n');
});

test('hostname and Wi-Fi: /etc/hostname, /etc/hosts, wpa_supplicant config with a hashed PSK', () => {
  const { root, run } = setup(JSON.stringify({
    hostname: 'pi-kitchen', wifi: { ssid: 'Home "Net"', psk: 'correct horse battery', country: 'DE' }, log: { level: 'info' },
  }));
  const r = run();
  assert.equal(r.code, 0, r.out);
  assert.equal(readFileSync(join(root, 'etc/hostname'), 'utf8'), 'pi-kitchen\n');
  assert.match(readFileSync(join(root, 'etc/hosts'), 'utf8'), /^127\.0\.0\.1\tlocalhost\n127\.0\.1\.1\tpi-kitchen\n$/);
  const conf = join(root, 'etc/wpa_supplicant/wpa_supplicant-wlan0.conf');
  const text = readFileSync(conf, 'utf8');
  assert.equal(mode(conf), 0o600);
  assert.match(text, /^country=DE$/m);
  assert.match(text, new RegExp(`^\\tssid=${Buffer.from('Home "Net"').toString('hex')}$`, 'm'));
  assert.match(text, new RegExp(`^\\tpsk=${pbkdf2Sync('correct horse battery', 'Home "Net"', 4096, 32, 'sha1').toString('hex')}$`, 'm'));
  assert.equal(text.includes('correct horse'), false);
  assert.deepEqual(JSON.parse(readFileSync(join(root, 'etc/ft-edge/local.json'), 'utf8')), { log: { level: 'info' } });
});

test('a bad hostname or Wi-Fi entry is reported and skipped; the rest is imported', () => {
  const { root, run } = setup(JSON.stringify({ hostname: '-bad_', wifi: { ssid: 'x', psk: 'short' }, log: { level: 'info' } }));
  const r = run();
  assert.equal(r.code, 1);
  assert.match(r.out, /hostname "-bad_" is not a host name/);
  assert.match(r.out, /wifi: psk must be 8-63 .*country must be/);
  assert.equal(existsSync(join(root, 'etc/hostname')), false);
  assert.equal(existsSync(join(root, 'etc/wpa_supplicant')), false);
  assert.equal(existsSync(join(root, 'etc/ft-edge/local.json')), true);
});

test('a file that is not JSON is taken in whole for the daemon to report, and leaves the boot partition', () => {
  const { root, boot, run } = setup('{ "external_message_consumer": { oops ');
  const r = run();
  assert.equal(r.code, 1);
  assert.match(r.out, /is not valid JSON: .*taken in as is, ft-edge reports it/);
  assert.equal(readFileSync(join(root, 'etc/ft-edge/local.json'), 'utf8'), '{ "external_message_consumer": { oops ');
  assert.equal(existsSync(boot), false);
});

test('nothing to do without the file', () => {
  const { boot, run } = setup('{}');
  spawnSync('rm', [boot]);
  const r = run();
  assert.equal(r.code, 0);
  assert.match(r.out, /nothing to import/);
});

test('a journal backup on the card becomes the journal of a Pi that has none, and stays on the card otherwise', () => {
  const { root, run } = setup('{}');
  const journal = join(root, 'boot-firmware', 'ft-edge-journal.sqlite');
  writeFileSync(journal, 'SQLite format 3\0 pretend');
  const first = run();
  assert.equal(first.code, 0, first.out);
  const target = join(root, 'var/lib/ft-edge/ft-edge.sqlite');
  assert.equal(readFileSync(target, 'utf8'), 'SQLite format 3\0 pretend');
  assert.equal(mode(target), 0o640);
  assert.equal(existsSync(journal), false, 'removed from the card');
  writeFileSync(journal, 'another');
  const second = run();
  assert.equal(second.code, 1);
  assert.match(second.out, /ft-edge-journal\.sqlite left on the card: this Pi already has a journal/);
  assert.equal(readFileSync(target, 'utf8'), 'SQLite format 3\0 pretend', 'the journal in place is never overwritten');
  assert.equal(existsSync(journal), true);
});

test('the exchange account\'s key and secret become 0600 credential files and leave the config', () => {
  const { root, run } = setup(JSON.stringify({ dry_run: false, exchange: { name: 'binance', key: 'the-api-key', secret: 'the-api-secret' } }));
  const r = run();
  assert.equal(r.code, 0, r.out);
  for (const [file, value] of [['key', 'the-api-key'], ['secret', 'the-api-secret']] as const) {
    const path = join(root, 'etc/ft-edge/exchange', file);
    assert.equal(readFileSync(path, 'utf8'), `${value}\n`);
    assert.equal(mode(path), 0o600);
  }
  const local = readFileSync(join(root, 'etc/ft-edge/local.json'), 'utf8');
  assert.deepEqual(JSON.parse(local).exchange, { name: 'binance' });
  assert.ok(!r.out.includes('the-api-key') && !r.out.includes('the-api-secret'), 'no secret printed');
});
