/**
 * The units' hardening, as CI checks it: scripts/check-unit-security.sh passes on systemd/ft-edge.service and
 * ft-edge-alarm.service, and fails on a weakened copy and on a misspelled directive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = 'scripts/check-unit-security.sh';
const unit = readFileSync('systemd/ft-edge.service', 'utf8');
const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;

function check(path?: string): { status: number | null; out: string } {
  const r = spawnSync('bash', path === undefined ? [script] : [script, path], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('the shipped units rate below 2.0', { skip: !analyze && 'systemd-analyze is not installed (CI runs the script itself)' }, () => {
  const r = check();
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /exposure level 1\.[0-9] \(< 2\.0\)/);
  const alarm = check('systemd/ft-edge-alarm.service');
  assert.equal(alarm.status, 0, alarm.out);
  assert.match(alarm.out, /exposure level 0\.[0-9] \(< 2\.0\)/);
});

test('a weakened copy, or one with a misspelled directive, fails', { skip: !analyze && 'systemd-analyze is not installed' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const weak = join(dir, 'ft-edge.service');
  writeFileSync(weak, unit.replace(/^(ProtectSystem|ProtectHome|CapabilityBoundingSet|SystemCallFilter|PrivateDevices|ProtectKernel\w+)=.*$/gm, ''));
  const r = check(weak);
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /must be below 2\.0/);
  writeFileSync(weak, unit.replace(/^ProtectClock=yes$/m, 'ProtectClok=yes'));
  const typo = check(weak);
  assert.equal(typo.status, 1, typo.out);
  assert.match(typo.out, /Unknown key 'ProtectClok'/);
});
