/**
 * systemd's software watchdog: `WATCHDOG=1` every half of $WATCHDOG_USEC, but only while the daemon is healthy,
 * so that systemd restarts a daemon that is wedged, not merely one whose producer is down.
 * Healthy = the event loop's worst delay since the last check is under `maxLagMs` (a loop stuck in a busy
 * loop, swapping or thrashing the GC does not ping at all, or pings late and then sees the lag) AND every
 * health check (the ingest pipeline's liveness) reports no problem. The checks also run, and problems are
 * logged, when there is no watchdog (`ft-edge run` in a terminal).
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';

/** One part of the daemon that can say it is stuck. */
export interface HealthCheck {
  /** A one-line reason when this part is stuck, else null. */
  problem(now: number): string | null;
}

export interface WatchdogOptions {
  readonly notify: { watchdog(): void };
  readonly log: Logger;
  /** appliance.watchdog_max_lag_ms */
  readonly maxLagMs: number;
  readonly checks: readonly HealthCheck[];
  /** Told when the daemon turns unhealthy (the reason) or healthy again (null). */
  readonly onChange?: (problem: string | null) => void;
  /** Check interval when systemd set no watchdog. */
  readonly idleCheckMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly pid?: number;
  readonly now?: () => number;
}

/** Ping interval (ms) systemd asks of this process, or null when it asks none. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = env['WATCHDOG_USEC'];
  if (usec === undefined || !/^[1-9][0-9]*$/.test(usec)) return null;
  // WATCHDOG_PID names the process systemd expects pings from; a child that inherited the variable must not ping.
  const forPid = env['WATCHDOG_PID'];
  if (forPid !== undefined && forPid !== '' && forPid !== String(pid)) return null;
  return Math.max(1, Math.floor(Number(usec) / 2000));
}

export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private readonly lag: LagProbe;
  private current: string | null = null;
  private pings = 0;

  constructor(private readonly opts: WatchdogOptions) {
    this.lag = new LagProbe(Math.max(MIN_PROBE_MS, Math.floor(opts.maxLagMs / 5)));
  }

  /** The interval of `WATCHDOG=1` pings, null when systemd runs no watchdog for us. */
  get intervalMs(): number | null {
    return watchdogIntervalMs(this.opts.env ?? process.env, this.opts.pid ?? process.pid);
  }

  /** Why the daemon is unhealthy (as of the last check), or null. */
  problem(): string | null {
    return this.current;
  }

  /** Pings sent so far. */
  get pingCount(): number {
    return this.pings;
  }

  async start(): Promise<void> {
    if (this.timer !== undefined) return;
    const env = this.opts.env ?? process.env;
    const interval = this.intervalMs;
    const usec = env['WATCHDOG_USEC'];
    if (usec !== undefined && !/^[1-9][0-9]*$/.test(usec)) {
      this.opts.log.warn(`WATCHDOG_USEC=${usec} is not a number of microseconds; no watchdog pings`);
    }
    this.lag.start();
    if (interval !== null) this.check(true); // at once: READY was just sent and the first ping confirms it
    this.timer = setInterval(() => this.check(interval !== null), interval ?? this.opts.idleCheckMs ?? 10_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.lag.stop();
  }

  private check(ping: boolean): void {
    const now = (this.opts.now ?? Date.now)();
    const problem = this.findProblem(now);
    if (problem === null) {
      if (this.current !== null) this.opts.log.info(`healthy again${ping ? '; watchdog pings resumed' : ''}`);
      if (ping) {
        this.opts.notify.watchdog();
        this.pings++;
      }
    } else if (this.current === null) {
      this.opts.log.error(`unhealthy: ${problem}${ping ? '; withholding watchdog pings (systemd restarts ft-edge if this lasts)' : ''}`);
    }
    const changed = problem !== this.current;
    this.current = problem;
    if (changed) this.opts.onChange?.(problem);
  }

  private findProblem(now: number): string | null {
    const worstMs = this.lag.takeMax();
    if (worstMs > this.opts.maxLagMs) return `event loop stalled for ${Math.round(worstMs)} ms (bound ${this.opts.maxLagMs} ms)`;
    for (const c of this.opts.checks) {
      const p = c.problem(now);
      if (p !== null) return p;
    }
    return null;
  }
}

/**
 * The event loop's worst delay: a timer that records how late it runs. perf_hooks' monitorEventLoopDelay
 * would be cheaper, but it measures the time between its own callbacks and drops the first one after each
 * reset(), so a loop that stalls right after every check looked healthy to it (seen in the watchdog test).
 * The period is a fifth of the bound: a stall longer than the bound plus that fifth (600 ms at the default
 * 500) is always seen, and the probe wakes the process 10 times a second. At a fixed 20 ms it woke it 50 times,
 * which was two thirds of an idle daemon's CPU (bench/steady.ts: 13.5 ms/s idle then, 4.0 now). A loop that
 * hangs outright is systemd's to catch (WatchdogSec=).
 */
class LagProbe {
  private timer: NodeJS.Timeout | undefined;
  private due = 0;
  private max = 0;

  constructor(private readonly periodMs: number) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.max = 0;
    this.due = performance.now() + this.periodMs;
    this.timer = setInterval(this.tick, this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Worst lateness (ms) since the last call. */
  takeMax(): number {
    // A stall still under way (the check itself runs late) counts too.
    const late = Math.max(this.max, performance.now() - this.due);
    this.max = 0;
    return late;
  }

  private readonly tick = (): void => {
    const now = performance.now();
    if (now - this.due > this.max) this.max = now - this.due;
    this.due = now + this.periodMs;
  };
}

const MIN_PROBE_MS = 20;
