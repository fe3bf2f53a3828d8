/**
 * Status LEDs: the daemon's state as blink patterns a person can tell apart from a metre away, and a short blink
 * per candle. Every on/off is timed by the daemon's own timers, never by a kernel trigger (a `timer` trigger
 * would keep blinking "all fine" while the daemon hangs). All writes are async and coalesced per LED.
 *
 * status LEDs                                  activity LEDs
 *   starting     fast flicker (5 Hz)             off, one 80 ms flash per candle (at most every 160 ms)
 *   connecting   even blink (1 Hz)
 *   healthy      steady on; off for 120 ms per candle when there is no activity LED
 *   stale        short blip every 2 s (connected, but no candles)
 *   error        2 flashes: token refused, 3: bad config, 4: strategy disabled; then a pause
 */
import { parseLedDevice } from '../config/index.js';
import type { Logger } from '../log.js';
import { GpioLight, LedClassLight, type Light } from './lights.js';

export type LightState = 'starting' | 'connecting' | 'healthy' | 'stale' | 'error:refused' | 'error:config' | 'error:strategy';

/** Alternating on/off durations (ms), starting with on; one Infinity entry = steady on. */
export const PATTERNS: Readonly<Record<LightState, readonly number[]>> = {
  starting: [100, 100],
  connecting: [500, 500],
  healthy: [Infinity],
  stale: [100, 1900],
  'error:refused': flashes(2),
  'error:config': flashes(3),
  'error:strategy': flashes(4),
};

function flashes(n: number): number[] {
  const p: number[] = [];
  for (let i = 0; i < n; i++) p.push(200, 200);
  p[p.length - 1] = 2000 - 400 * (n - 1) - 200; // the cycle lasts 2 s; the pause sets the groups apart
  return p;
}

const FLASH_MS = 80;
const WINK_MS = 120;

/** One configured LED (config `appliance.leds[]`). */
export interface LedSpec {
  readonly role: 'status' | 'activity';
  /** `led:NAME` or `gpio:BCM`. */
  readonly device: string;
}

export interface StatusLightsOptions {
  readonly leds: readonly LedSpec[];
  readonly log: Logger;
  /** What to show; read every `pollMs` and on refresh(). */
  readonly state: () => LightState;
  readonly pollMs?: number;
  readonly ledRoot?: string;
  readonly gpioRoot?: string;
}

export class StatusLights {
  /** Every LED taken over, working or not: all are handed back at stop. */
  private claimed: Light[] = [];
  private status: Light[] = [];
  private activity: Light[] = [];
  private shown: LightState | null = null;
  private pattern: readonly number[] = [];
  private phase = 0;
  private phaseTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private flashTimer: NodeJS.Timeout | undefined;
  private flashing = false;
  private readonly failed = new Set<string>();

  constructor(private readonly opts: StatusLightsOptions) {}

  /** The state on the LEDs now, null before start. */
  get showing(): LightState | null {
    return this.shown;
  }

  /** Claims the LEDs (off), then shows the state. LEDs that cannot be used are reported in one warning. */
  async start(): Promise<void> {
    if (this.pollTimer !== undefined || this.opts.leds.length === 0) return;
    // Claimed at once, reported in configuration order (not in the order the claims finish).
    const claimed = await Promise.all(
      this.opts.leds.map(async (spec) => {
        const light = this.light(spec.device);
        if (typeof light === 'string') return light;
        const problem = await light.claim();
        return problem ?? { role: spec.role, light };
      }),
    );
    const problems: string[] = [];
    for (const c of claimed) {
      if (typeof c === 'string') {
        problems.push(c);
        continue;
      }
      this.claimed.push(c.light);
      (c.role === 'status' ? this.status : this.activity).push(c.light);
    }
    const unusable = [...new Set(problems)];
    if (unusable.length > 0) {
      const none = this.status.length + this.activity.length === 0;
      this.opts.log.warn(`${none ? 'no usable LED, LEDs off' : 'some LEDs are off'}: ${unusable.join('; ')}`);
    }
    this.refresh();
    // Only status LEDs show the state; activity LEDs flash on candles. Nothing to show: no timer wakes the Pi.
    if (this.status.length === 0) return;
    this.pollTimer = setInterval(() => this.refresh(), this.opts.pollMs ?? 1000);
    this.pollTimer.unref();
  }

  /** Turns the LEDs off and hands them back (trigger restored, pins unexported). */
  async stop(): Promise<void> {
    clearInterval(this.pollTimer);
    clearTimeout(this.phaseTimer);
    clearTimeout(this.flashTimer);
    this.pollTimer = this.phaseTimer = this.flashTimer = undefined;
    const all = this.claimed;
    this.claimed = [];
    this.status = [];
    this.activity = [];
    this.shown = null;
    this.flashing = false;
    await Promise.all(all.map((l) => l.release()));
  }

  /** Shows the current state now (call on connection events; staleness is polled). */
  refresh(): void {
    const state = this.opts.state();
    if (state === this.shown) return;
    this.shown = state;
    this.pattern = PATTERNS[state];
    this.phase = 0;
    clearTimeout(this.phaseTimer);
    this.applyPhase();
  }

  /** A candle arrived: flash the activity LEDs, or wink a steady status LED. Cheap when called per message. */
  candle(): void {
    if (this.flashing) return;
    if (this.activity.length > 0) {
      this.flashing = true;
      for (const l of this.activity) l.set(true);
      this.after(FLASH_MS, () => {
        for (const l of this.activity) l.set(false);
        this.after(FLASH_MS, () => (this.flashing = false));
      });
    } else if (this.status.length > 0 && this.pattern[0] === Infinity) {
      this.flashing = true;
      for (const l of this.status) l.set(false);
      this.after(WINK_MS, () => {
        this.flashing = false;
        if (this.pattern[0] === Infinity) for (const l of this.status) l.set(true);
      });
    }
  }

  private applyPhase(): void {
    if (this.status.length === 0) return; // the pattern is kept for candle(); with no status LED nothing blinks
    const on = this.phase % 2 === 0;
    for (const l of this.status) l.set(on);
    const ms = this.pattern[this.phase] ?? Infinity;
    if (ms === Infinity) return;
    this.phaseTimer = setTimeout(() => {
      this.phase = (this.phase + 1) % this.pattern.length;
      this.applyPhase();
    }, ms);
    this.phaseTimer.unref();
  }

  private after(ms: number, fn: () => void): void {
    this.flashTimer = setTimeout(fn, ms);
    this.flashTimer.unref();
  }

  private light(device: string): Light | string {
    const parsed = parseLedDevice(device);
    const onError = (d: string, e: NodeJS.ErrnoException): void => this.writeFailed(d, e);
    if (typeof parsed === 'string') return `${device}: ${parsed}`;
    return parsed.kind === 'led'
      ? new LedClassLight(this.opts.ledRoot ?? '/sys/class/leds', parsed.name, onError)
      : new GpioLight(this.opts.gpioRoot ?? '/sys/class/gpio', parsed.bcm, onError);
  }

  /** A write failed: say so once for that LED and stop driving it. */
  private writeFailed(device: string, e: NodeJS.ErrnoException): void {
    if (this.failed.has(device)) return;
    this.failed.add(device);
    this.opts.log.warn(`LED ${device}: ${e.code ?? e.message} writing ${e.path ?? 'sysfs'}; LED left alone from now on`);
    this.status = this.status.filter((l) => l.device !== device);
    this.activity = this.activity.filter((l) => l.device !== device);
  }
}
