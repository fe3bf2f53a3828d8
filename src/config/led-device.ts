/** The one grammar of an LED `device`: `led:NAME` (/sys/class/leds/NAME) or `gpio:N` (a BCM pin, 0..53). */

export type LedDevice = { readonly kind: 'led'; readonly name: string } | { readonly kind: 'gpio'; readonly bcm: number };

/** The device `text` names, or a phrase saying what is wrong with it. */
export function parseLedDevice(text: string): LedDevice | string {
  const gpio = /^gpio:(\d{1,2})$/.exec(text);
  if (gpio !== null) return Number(gpio[1]) <= 53 ? { kind: 'gpio', bcm: Number(gpio[1]) } : 'GPIO pins are BCM numbers 0..53';
  const led = /^led:([^/\s]+)$/.exec(text);
  return led !== null ? { kind: 'led', name: led[1]! } : 'must be "led:NAME" (/sys/class/leds/NAME) or "gpio:N" (BCM pin number)';
}
