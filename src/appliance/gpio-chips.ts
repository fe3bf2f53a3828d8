/**
 * BCM pin numbers -> sysfs GPIO numbers. The kernel numbers sysfs GPIOs from each chip's `base`, which is not
 * stable (0 on old kernels, 512 or 571 on current ones, depending on probe order), so the mapping is read from
 * /sys/class/gpio/gpiochip*: the chip whose `label` is the SoC's pin controller holds the BCM pins in order.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Pin controllers of the Pi's SoC: BCM2835/6/7 (Pi 1-3, Zero 2 W), BCM2711 (Pi 4, 400), RP1 (Pi 5). */
export const BCM_CHIP_LABELS: readonly string[] = ['pinctrl-bcm2835', 'pinctrl-bcm2711', 'pinctrl-rp1'];

export interface GpioChip {
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

/** The SoC's GPIO chip under `gpioRoot`, null when none has a known label. Throws when the root is unreadable. */
export async function findBcmChip(gpioRoot: string): Promise<GpioChip | null> {
  for (const entry of (await readdir(gpioRoot)).sort()) {
    if (!entry.startsWith('gpiochip')) continue;
    const dir = join(gpioRoot, entry);
    const label = await readText(join(dir, 'label'));
    if (label === null || !BCM_CHIP_LABELS.includes(label)) continue;
    const base = Number(await readText(join(dir, 'base')));
    const ngpio = Number(await readText(join(dir, 'ngpio')));
    if (Number.isInteger(base) && base >= 0 && Number.isInteger(ngpio) && ngpio > 0) return { label, base, ngpio };
  }
  return null;
}

/** The sysfs number of BCM pin `bcm` on `chip`, null when the chip has no such pin. */
export function sysfsGpioNumber(chip: GpioChip, bcm: number): number | null {
  return Number.isInteger(bcm) && bcm >= 0 && bcm < chip.ngpio ? chip.base + bcm : null;
}

async function readText(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}
