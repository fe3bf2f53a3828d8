/**
 * systemd's software watchdog: `WATCHDOG=1` every half of $WATCHDOG_USEC, but only while the daemon is healthy,
 * so that systemd restarts a daemon that is wedged, not merely one whose producer is down.
 * Healthy = the event loop's worst delay since the last check is under `maxLagMs` (a loop stuck in a busy
 * loop, swapping or thrashing the GC does not ping at all, or pings late and then sees the lag) AND every
 * health check (the ingest pipeline's liveness) reports no problem. The checks also run, and problems are
 * logged, when there is no watchdog (`ft-edge run` in a terminal).
 */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
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
  private lag: IntervalHistogram | null = null;
  private current: string | null = null;
  private pings = 0;
  private every = 0;
  private lastCheck = 0;

  constructor(private readonly opts: WatchdogOptions) {}

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
    // 10 ms resolution: fine enough to see a stall far under any sensible bound, cheap (a libuv timer, no JS).
    this.lag = monitorEventLoopDelay({ resolution: 10 });
    this.lag.enable();
    this.every = interval ?? this.opts.idleCheckMs ?? 10_000;
    this.lastCheck = performance.now();
    if (interval !== null) this.check(true); // at once: READY was just sent and the first ping confirms it
    this.timer = setInterval(() => this.check(interval !== null), this.every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.lag?.disable();
    this.lag = null;
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
      this.opts.log.error(`unhealthy: ${problem}${ping ? '; withholding watchdog pings, systemd will restart ft-edge' : ''}`);
    }
    this.current = problem;
  }

  private findProblem(now: number): string | null {
    const lag = this.lag;
    if (lag !== null) {
      // The histogram's max is in ns (0 when it saw no sample since the reset). Our own timer's lateness covers
      // a stall that began just before this check, which the histogram's timer has not recorded yet.
      const at = performance.now();
      const late = this.lastCheck === 0 ? 0 : at - this.lastCheck - this.every;
      this.lastCheck = at;
      const worstMs = Math.max(lag.max / 1e6, late);
      lag.reset();
      if (worstMs > this.opts.maxLagMs) {
        return `event loop stalled for ${Math.round(worstMs)} ms (bound ${this.opts.maxLagMs} ms)`;
      }
    }
    for (const c of this.opts.checks) {
      const p = c.problem(now);
      if (p !== null) return p;
    }
    return null;
  }
}
