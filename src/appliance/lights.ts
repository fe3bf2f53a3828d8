/**
 * The two kinds of LED the daemon can drive, behind one small interface:
 * - `led:NAME`, a kernel LED-class device (/sys/class/leds/NAME): the Pi's ACT and PWR LEDs, or an LED declared
 *   with the gpio-led overlay. Claiming it saves its trigger (mmc0, actpwr, default-on ...) and sets `none`;
 *   releasing restores it, so the kernel shows SD activity again once ft-edge stops.
 * - `gpio:N`, a raw pin by BCM number through sysfs GPIO: exported, driven low as an output, unexported again.
 *
 * Raw pins are driven with plain sysfs writes, not with the onoff package the design card names: onoff hard-codes
 * /sys/class/gpio (so it cannot run against the fake tree the tests use, nor a relocated root), its Gpio
 * constructor exports and configures the pin with synchronous fs calls and busy-waits (up to 10,000 openSync
 * tries) for udev to grant permissions, which would block the event loop, and it starts an epoll watcher per
 * pin that an output never needs. What it would do for an output LED is export, direction and value writes,
 * which is exactly what GpioLight does through the same non-blocking writer as the LED class.
 */
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SysfsAttribute } from './sysfs-attribute.js';
import { BCM_CHIP_LABELS, findBcmChip, sysfsGpioNumber } from './gpio-chips.js';

export interface Light {
  /** As configured: 'led:ACT', 'gpio:17'. */
  readonly device: string;
  /** Takes the LED over, switched off. Resolves to why it cannot (one line), or null. */
  claim(): Promise<string | null>;
  /** Switches it; returns at once (the write is queued). */
  set(on: boolean): void;
  /** Off and handed back as it was found. Never rejects; failures go to onError. */
  release(): Promise<void>;
}

export type LightErrorHandler = (device: string, e: NodeJS.ErrnoException) => void;

/** A kernel LED-class device. */
export class LedClassLight implements Light {
  readonly device: string;
  private brightness: SysfsAttribute | null = null;
  private onValue = '1';
  private savedTrigger = 'none';
  private savedBrightness = '0';

  constructor(
    private readonly root: string,
    private readonly name: string,
    private readonly onError: LightErrorHandler,
  ) {
    this.device = `led:${name}`;
  }

  async claim(): Promise<string | null> {
    const dir = join(this.root, this.name);
    try {
      const triggers = await readFile(join(dir, 'trigger'), 'utf8');
      // The active trigger is the bracketed one: "none rc-feedback [mmc0] timer ...".
      this.savedTrigger = /\[([^\]]+)\]/.exec(triggers)?.[1] ?? 'none';
      this.savedBrightness = (await readFile(join(dir, 'brightness'), 'utf8')).trim();
      this.onValue = (await readFile(join(dir, 'max_brightness'), 'utf8')).trim() || '1';
      await writeFile(join(dir, 'trigger'), 'none');
    } catch (e) {
      return reason(this.device, e as NodeJS.ErrnoException, `no LED named ${this.name} under ${this.root}`);
    }
    this.brightness = new SysfsAttribute(join(dir, 'brightness'), (e) => this.onError(this.device, e));
    this.brightness.set('0');
    return null;
  }

  set(on: boolean): void {
    this.brightness?.set(on ? this.onValue : '0');
  }

  async release(): Promise<void> {
    const attr = this.brightness;
    if (attr === null) return;
    this.brightness = null;
    await attr.idle();
    const dir = join(this.root, this.name);
    try {
      // Setting a trigger takes the LED over; with none, the brightness it had is what it showed.
      if (this.savedTrigger === 'none') await writeFile(join(dir, 'brightness'), this.savedBrightness);
      else await writeFile(join(dir, 'trigger'), this.savedTrigger);
    } catch (e) {
      this.onError(this.device, e as NodeJS.ErrnoException);
    }
  }
}

/** How often, and how long apart, to look for the exported pin's files (udev sets their group after export). */
const EXPORT_TRIES = 40;
const EXPORT_RETRY_MS = 25;

/** A raw GPIO pin through sysfs, by BCM number. */
export class GpioLight implements Light {
  readonly device: string;
  private value: SysfsAttribute | null = null;
  private pinDir = '';
  private number = -1;

  constructor(
    private readonly root: string,
    private readonly bcm: number,
    private readonly onError: LightErrorHandler,
  ) {
    this.device = `gpio:${bcm}`;
  }

  async claim(): Promise<string | null> {
    try {
      await readdir(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return reason(this.device, e as NodeJS.ErrnoException, '');
      return (
        `${this.device}: this kernel has no sysfs GPIO (${this.root} does not exist, as on a Pi 5 with recent ` +
        `Raspberry Pi OS); declare the LED with the gpio-led overlay instead (config.txt: ` +
        `dtoverlay=gpio-led,gpio=${this.bcm},label=ft-edge) and configure it as led:ft-edge`
      );
    }
    const chip = await findBcmChip(this.root);
    if (chip === null) return `${this.device}: no GPIO chip labelled ${BCM_CHIP_LABELS.join(', ')} under ${this.root}`;
    const n = sysfsGpioNumber(chip, this.bcm);
    if (n === null) return `${this.device}: ${chip.label} has no pin ${this.bcm} (it has ${chip.ngpio})`;
    this.number = n;
    this.pinDir = join(this.root, `gpio${n}`);
    try {
      if (!(await exists(this.pinDir))) await exportPin(this.root, n);
      await waitWritable(join(this.pinDir, 'direction'));
      // "low" makes it an output that starts off, without a glitch through "out" then "0".
      await writeFile(join(this.pinDir, 'direction'), 'low');
    } catch (e) {
      return reason(this.device, e as NodeJS.ErrnoException, `gpio${n} did not appear after export`);
    }
    this.value = new SysfsAttribute(join(this.pinDir, 'value'), (e) => this.onError(this.device, e));
    return null;
  }

  set(on: boolean): void {
    this.value?.set(on ? '1' : '0');
  }

  async release(): Promise<void> {
    const attr = this.value;
    if (attr === null) return;
    this.value = null;
    await attr.idle();
    try {
      await writeFile(join(this.pinDir, 'value'), '0');
      // Unexported even when it was exported before we came: that is almost always our own crashed run.
      await writeFile(join(this.root, 'unexport'), String(this.number));
    } catch (e) {
      this.onError(this.device, e as NodeJS.ErrnoException);
    }
  }
}

async function exportPin(root: string, n: number): Promise<void> {
  try {
    await writeFile(join(root, 'export'), String(n));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EBUSY') throw e; // EBUSY: exported meanwhile
  }
}

async function waitWritable(path: string): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await access(path, constants.W_OK);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (i >= EXPORT_TRIES || (code !== 'ENOENT' && code !== 'EACCES')) throw e;
      await sleep(EXPORT_RETRY_MS);
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** One line for a failed claim; permission problems say what grants access. */
function reason(device: string, e: NodeJS.ErrnoException, missing: string): string {
  if (e.code === 'ENOENT' && missing !== '') return `${device}: ${missing}`;
  if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS') {
    return `${device}: ${e.code} writing ${e.path ?? 'sysfs'} (ft-edge needs the gpio group and the udev rule shipped in systemd/udev)`;
  }
  return `${device}: ${e.code ?? ''} ${e.message}`.trim();
}
