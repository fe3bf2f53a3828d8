/**
 * `ft-edge alarm` as ft-edge-alarm.service runs it: which failures it shows, which LEDs it takes when the
 * configuration cannot say, and that it holds until SIGTERM and then stops cleanly. The LED patterns themselves
 * are StatusLights' (test/appliance/status-lights.test.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { until } from '../helpers/until.js';
import { cli, MAIN_JS } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-alarm-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** systemd's environment for an OnFailure= unit after ft-edge run exited 2. */
const CONFIG_FAILURE = { MONITOR_SERVICE_RESULT: 'exit-code', MONITOR_EXIT_CODE: 'exited', MONITOR_EXIT_STATUS: '2' };
/** A configuration the daemon rejects (enabled without producers), with the LEDs given. */
const broken = (leds: unknown): string => JSON.stringify({ external_message_consumer: { enabled: true }, appliance: { leds } });

/** Starts `ft-edge alarm`, waits for `ready` on stderr, then SIGTERM: the exit code and all of stderr. */
async function holdThenStop(env: Record<string, string>, ready: RegExp): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN_JS, 'alarm'], { env: { PATH: process.env['PATH'] ?? '', HOME: tmp, NODE_CONFIG_DIR: tmp, ...env } });
  after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await until(() => ready.test(stderr) || child.exitCode !== null, `alarm to log ${ready}`);
  assert.equal(child.exitCode, null, `ft-edge alarm exited early: ${stderr}`);
  // Still up well after start: the LED timers are unref'd, something else must hold the process.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(child.exitCode, null, `ft-edge alarm did not hold: ${stderr}`);
  child.kill('SIGTERM');
  return { code: await exited, stderr };
}

describe('ft-edge alarm', () => {
  it('exits at once when the daemon failed for another reason than its configuration', async () => {
    for (const env of [
      { MONITOR_SERVICE_RESULT: 'watchdog', MONITOR_EXIT_CODE: 'killed', MONITOR_EXIT_STATUS: 'ABRT' },
      { MONITOR_SERVICE_RESULT: 'exit-code', MONITOR_EXIT_CODE: 'exited', MONITOR_EXIT_STATUS: '1' },
    ]) {
      const r = await cli(['alarm'], { ...env, NODE_CONFIG: broken([{ role: 'status', device: 'led:ACT' }]) });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`failed \\(${env.MONITOR_EXIT_CODE} ${env.MONITOR_EXIT_STATUS}\\), not because of its configuration`));
      assert.doesNotMatch(r.stderr, /flash/);
    }
  });

  it('shows the configured LEDs after a configuration failure until SIGTERM, then stops cleanly', async () => {
    const r = await holdThenStop(
      { ...CONFIG_FAILURE, NODE_CONFIG: broken([{ role: 'status', device: 'led:ft-edge-test-none' }, { role: 'activity', device: 'gpio:17' }]) },
      /LED/,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /configuration problems .*: led:ft-edge-test-none, gpio:17 flash 3 times every 2 s until it starts/);
    // This machine has neither LED: said once, and the alarm still holds until it is stopped.
    assert.match(r.stderr, /no usable LED, LEDs off: led:ft-edge-test-none: no LED named ft-edge-test-none/);
    assert.match(r.stderr, /SIGTERM: stopping\n.*stopped\n$/);
  });

  it('falls back to the ACT LED when appliance.leds itself is broken or a config file cannot be read', async () => {
    const badLeds = await holdThenStop({ ...CONFIG_FAILURE, NODE_CONFIG: broken('led:ACT') }, /no usable LED|flash/);
    assert.equal(badLeds.code, 0, badLeds.stderr);
    assert.match(badLeds.stderr, /appliance\.leds: expected a list, got a string \(in \$NODE_CONFIG\): using led:ACT/);
    assert.match(badLeds.stderr, /: led:ACT flash 3 times/);

    const dir = mkdtempSync(join(tmp, 'conf-'));
    writeFileSync(join(dir, 'local.json'), '{ "appliance": { "leds": [ }');
    const unreadable = await holdThenStop({ ...CONFIG_FAILURE, NODE_CONFIG_DIR: dir }, /no usable LED|flash/);
    assert.equal(unreadable.code, 0, unreadable.stderr);
    assert.match(unreadable.stderr, /local\.json.*: using led:ACT/);
    assert.match(unreadable.stderr, /: led:ACT flash 3 times/);
  });

  it('has nothing to show when appliance.leds is empty', async () => {
    const r = await cli(['alarm'], { ...CONFIG_FAILURE, NODE_CONFIG: broken([]) });
    assert.deepEqual({ code: r.code, stderr: r.stderr.replace(/^<\d>/, '') }, { code: 0, stderr: '[alarm] no LEDs configured (appliance.leds): nothing to show\n' });
  });
});
