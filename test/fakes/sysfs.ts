/**
 * A fake sysfs in a temp dir, shaped like a Raspberry Pi 4's on a current kernel: LED-class devices ACT (trigger
 * mmc0) and PWR (trigger default-on), and sysfs GPIO with the SoC's chip at base 512 (pinctrl-bcm2711, 58 lines)
 * plus the firmware GPIO expander at 570. A tiny "kernel" watches export/unexport and creates or removes the
 * gpioN directories, as the real one does.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync, existsSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeSysfsOptions {
  /** Leave out /sys/class/gpio (as on a Pi 5 with recent Raspberry Pi OS). */
  readonly noGpio?: boolean;
  /** Leave out /sys/class/leds. */
  readonly noLeds?: boolean;
}

export class FakeSysfs {
  readonly root: string;
  readonly ledRoot: string;
  readonly gpioRoot: string;
  private readonly watchers: FSWatcher[] = [];

  constructor(opts: FakeSysfsOptions = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'ft-edge-sysfs-'));
    this.ledRoot = join(this.root, 'class/leds');
    this.gpioRoot = join(this.root, 'class/gpio');
    if (opts.noLeds !== true) {
      this.led('ACT', 'none rc-feedback kbd-scrolllock timer heartbeat [mmc0] default-on', '0', '255');
      this.led('PWR', 'none [default-on] timer heartbeat input', '255', '255');
    }
    if (opts.noGpio !== true) {
      mkdirSync(this.gpioRoot, { recursive: true });
      this.chip('gpiochip512', 'pinctrl-bcm2711', 512, 58);
      this.chip('gpiochip570', 'raspberrypi-exp-gpio', 570, 8);
      writeFileSync(join(this.gpioRoot, 'export'), '');
      writeFileSync(join(this.gpioRoot, 'unexport'), '');
      this.watchers.push(watch(join(this.gpioRoot, 'export'), () => this.kernel('export')));
      this.watchers.push(watch(join(this.gpioRoot, 'unexport'), () => this.kernel('unexport')));
    }
  }

  /** Content of a file under the root, trimmed. */
  read(path: string): string {
    return readFileSync(join(this.root, path), 'utf8').trim();
  }

  exists(path: string): boolean {
    return existsSync(join(this.root, path));
  }

  close(): void {
    for (const w of this.watchers) w.close();
    rmSync(this.root, { recursive: true, force: true });
  }

  private led(name: string, trigger: string, brightness: string, max: string): void {
    const dir = join(this.ledRoot, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'trigger'), trigger + '\n');
    writeFileSync(join(dir, 'brightness'), brightness + '\n');
    writeFileSync(join(dir, 'max_brightness'), max + '\n');
  }

  private chip(name: string, label: string, base: number, ngpio: number): void {
    const dir = join(this.gpioRoot, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'label'), label + '\n');
    writeFileSync(join(dir, 'base'), `${base}\n`);
    writeFileSync(join(dir, 'ngpio'), `${ngpio}\n`);
  }

  private kernel(file: 'export' | 'unexport'): void {
    let text: string;
    try {
      text = readFileSync(join(this.gpioRoot, file), 'utf8').trim();
    } catch {
      return; // removed by close()
    }
    if (!/^[0-9]+$/.test(text)) return;
    const dir = join(this.gpioRoot, `gpio${text}`);
    if (file === 'export' && !existsSync(dir)) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'direction'), 'in\n');
      writeFileSync(join(dir, 'value'), '0\n');
    } else if (file === 'unexport') {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
