/**
 * Status LEDs on a fake sysfs tree (LED class ACT/PWR, GPIO chip pinctrl-bcm2711 at base 512). Pattern timing
 * runs on node:test's mock timers; the file writes are real, so each step waits for the value to land.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../src/log.js';
import { PATTERNS, StatusLights, type LightState } from '../../src/appliance/status-lights.js';
import { parseLedDevice } from '../../src/config/index.js';
import { GpioLight } from '../../src/appliance/lights.js';
import { findBcmChip, sysfsGpioNumber } from '../../src/appliance/gpio-chips.js';
import { FakeSysfs } from '../fakes/sysfs.js';

/** Waits (real time, at most 5 s) until `read()` returns `want`; fails with the last value otherwise. */
async function settles(read: () => string, want: string, what: string): Promise<void> {
  const end = performance.now() + 5000;
  let got = read();
  while (got !== want && performance.now() < end) {
    await new Promise((r) => setImmediate(r));
    got = read();
  }
  assert.equal(got, want, what);
}

function lights(fake: FakeSysfs, leds: { role: 'status' | 'activity'; device: string }[], state: () => LightState, lines: string[] = []) {
  return new StatusLights({
    leds,
    state,
    log: createLogger('debug', (l) => lines.push(l)),
    ledRoot: fake.ledRoot,
    gpioRoot: fake.gpioRoot,
    pollMs: 3_600_000,
  });
}

test('parseLedDevice', () => {
  assert.deepEqual(parseLedDevice('led:ACT'), { kind: 'led', name: 'ACT' });
  assert.deepEqual(parseLedDevice('gpio:17'), { kind: 'gpio', bcm: 17 });
  assert.equal(typeof parseLedDevice('led:../x'), 'string');
  assert.equal(typeof parseLedDevice('gpio:x'), 'string');
  assert.equal(typeof parseLedDevice('ACT'), 'string');
  assert.equal(parseLedDevice('gpio:54'), 'GPIO pins are BCM numbers 0..53');
});

test('patterns: every state distinct; error codes are 2, 3, 4 flashes in a 2 s cycle', () => {
  const seen = new Set(Object.values(PATTERNS).map((p) => p.join(',')));
  assert.equal(seen.size, Object.keys(PATTERNS).length);
  for (const [state, n] of [['error:refused', 2], ['error:config', 3], ['error:strategy', 4]] as const) {
    const p = PATTERNS[state];
    assert.equal(p.length, 2 * n, state);
    assert.equal(p.reduce((a, b) => a + b, 0), 2000, state);
  }
});

test('state sequences on an LED-class device, blink per candle, release restores the trigger', async (t) => {
  const fake = new FakeSysfs();
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  t.after(() => {
    mock.timers.reset();
    fake.close();
  });
  let state: LightState = 'starting';
  const l = lights(fake, [{ role: 'status', device: 'led:ACT' }], () => state);
  const act = (): string => fake.read('class/leds/ACT/brightness');
  await l.start();
  assert.equal(fake.read('class/leds/ACT/trigger'), 'none', 'the kernel trigger is off while we drive it');

  /** Plays `cycles` of the current pattern: on for the first phase, off for the second ... */
  async function plays(pattern: readonly number[], cycles: number, what: string): Promise<void> {
    for (let c = 0; c < cycles; c++) {
      for (let i = 0; i < pattern.length; i++) {
        await settles(act, i % 2 === 0 ? '255' : '0', `${what}: phase ${i} of cycle ${c}`);
        mock.timers.tick(pattern[i]!);
      }
    }
  }
  await plays([100, 100], 3, 'starting');
  for (const s of ['connecting', 'stale', 'error:refused', 'error:config', 'error:strategy'] as const) {
    state = s;
    l.refresh();
    await plays(PATTERNS[s], 2, s);
  }

  state = 'healthy';
  l.refresh();
  await settles(act, '255', 'healthy: steady on');
  mock.timers.tick(10_000);
  await settles(act, '255', 'healthy: still on');
  l.candle();
  await settles(act, '0', 'a candle winks the only LED off');
  l.candle(); // coalesced with the wink under way
  mock.timers.tick(120);
  await settles(act, '255', 'and back on');

  await l.stop();
  assert.equal(fake.read('class/leds/ACT/trigger'), 'mmc0', 'trigger restored');
  assert.equal(l.showing, null);
});

test('activity LED flashes per candle; a status LED found on default-on is handed back on', async (t) => {
  const fake = new FakeSysfs();
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  t.after(() => {
    mock.timers.reset();
    fake.close();
  });
  const l = lights(
    fake,
    [
      { role: 'status', device: 'led:PWR' },
      { role: 'activity', device: 'led:ACT' },
    ],
    () => 'healthy',
  );
  const act = (): string => fake.read('class/leds/ACT/brightness');
  await l.start();
  await settles(() => fake.read('class/leds/PWR/brightness'), '255', 'status steady on');
  await settles(act, '0', 'activity off');
  for (let i = 0; i < 3; i++) {
    l.candle();
    l.candle(); // many candles at once: one flash
    await settles(act, '255', `flash ${i}`);
    mock.timers.tick(80);
    await settles(act, '0', `flash ${i} over`);
    mock.timers.tick(80);
  }
  await l.stop();
  assert.equal(fake.read('class/leds/ACT/trigger'), 'mmc0');
  assert.equal(fake.read('class/leds/PWR/trigger'), 'default-on');
});

test('BCM pins map through the chip labelled pinctrl-*, never a fixed base', async (t) => {
  const fake = new FakeSysfs();
  t.after(() => fake.close());
  const chip = await findBcmChip(fake.gpioRoot);
  assert.deepEqual(chip, { label: 'pinctrl-bcm2711', base: 512, ngpio: 58 });
  assert.equal(sysfsGpioNumber(chip!, 17), 529);
  assert.equal(sysfsGpioNumber(chip!, 58), null);
});

test('raw GPIO pin: exported as BCM + base, output low, switched, then off and unexported', async (t) => {
  const fake = new FakeSysfs();
  t.after(() => fake.close());
  const errors: string[] = [];
  const pin = new GpioLight(fake.gpioRoot, 17, (d, e) => errors.push(`${d} ${e.code}`));
  assert.equal(await pin.claim(), null);
  assert.equal(fake.read('class/gpio/export'), '529');
  assert.equal(fake.read('class/gpio/gpio529/direction'), 'low');
  pin.set(true);
  await settles(() => fake.read('class/gpio/gpio529/value'), '1', 'on');
  pin.set(false);
  pin.set(true);
  pin.set(false); // coalesced: the last value wins
  await settles(() => fake.read('class/gpio/gpio529/value'), '0', 'off');
  pin.set(true);
  await pin.release();
  assert.equal(fake.read('class/gpio/unexport'), '529');
  await settles(() => String(fake.exists('class/gpio/gpio529')), 'false', 'the kernel removed gpio529');
  assert.deepEqual(errors, []);
});

test('status lights drive a GPIO pin through the same patterns', async (t) => {
  const fake = new FakeSysfs();
  t.after(() => fake.close());
  const l = lights(fake, [{ role: 'status', device: 'gpio:17' }], () => 'healthy');
  await l.start();
  await settles(() => fake.read('class/gpio/gpio529/value'), '1', 'healthy: on');
  await l.stop();
  await settles(() => String(fake.exists('class/gpio/gpio529')), 'false', 'released');
});

test('no LED hardware: one warning, then nothing', async (t) => {
  const fake = new FakeSysfs({ noLeds: true, noGpio: true });
  t.after(() => fake.close());
  const lines: string[] = [];
  const l = lights(
    fake,
    [
      { role: 'status', device: 'led:ACT' },
      { role: 'activity', device: 'gpio:17' },
    ],
    () => 'connecting',
    lines,
  );
  // Timers started meanwhile are counted by wrapping the globals the module calls.
  let timers = 0;
  const { setTimeout: realTimeout, setInterval: realInterval } = globalThis;
  globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => (timers++, realTimeout(...a))) as typeof setTimeout;
  globalThis.setInterval = ((...a: Parameters<typeof setInterval>) => (timers++, realInterval(...a))) as typeof setInterval;
  try {
    await l.start();
    l.candle();
    l.refresh();
  } finally {
    globalThis.setTimeout = realTimeout;
    globalThis.setInterval = realInterval;
  }
  assert.equal(timers, 0, 'no timer wakes the process (polls or blinks) when there is no LED to drive');
  await l.stop();
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /^<4>no usable LED, LEDs off: led:ACT: no LED named ACT under .*; gpio:17: this kernel has no sysfs GPIO .*gpio-led overlay/);
});

test('a configured LED that is missing is named; the others work', async (t) => {
  const fake = new FakeSysfs();
  t.after(() => fake.close());
  const lines: string[] = [];
  const l = lights(
    fake,
    [
      { role: 'status', device: 'led:ACT' },
      { role: 'activity', device: 'led:led0' },
      { role: 'activity', device: 'gpio:99' },
    ],
    () => 'healthy',
    lines,
  );
  await l.start();
  await settles(() => fake.read('class/leds/ACT/brightness'), '255', 'ACT works');
  await l.stop();
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /some LEDs are off: led:led0: no LED named led0 .*; gpio:99: GPIO pins are BCM numbers 0..53/);
});
