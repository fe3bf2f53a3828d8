/**
 * Orderly exit on SIGTERM (systemctl stop) and SIGINT (Ctrl-C): `STOPPING=1` to systemd, then the daemon's own
 * stop (its services in reverse start order), then exit 0. The whole stop has a deadline well inside the unit's
 * TimeoutStopSec, so a stuck service ends in our own error line and exit 1 instead of systemd's SIGKILL; a second
 * signal exits at once (someone pressing Ctrl-C twice means it).
 */
import type { Logger } from '../log.js';

export interface ShutdownOptions {
  readonly notify: { stopping(): void };
  readonly log: Logger;
  /** Stops everything that was started, in reverse order. */
  readonly stop: () => Promise<void>;
  readonly deadlineMs: number;
  readonly signals?: readonly NodeJS.Signals[];
  readonly exit?: (code: number) => void;
}

export class Shutdown {
  private installed = false;
  private begun = false;
  private deadline: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ShutdownOptions) {}

  /** Installs the signal handlers. */
  async start(): Promise<void> {
    if (this.installed) return;
    this.installed = true;
    for (const s of this.signals()) process.on(s, this.onSignal);
  }

  /** Removes the signal handlers (a shutdown under way still finishes). */
  async stop(): Promise<void> {
    if (!this.installed) return;
    this.installed = false;
    for (const s of this.signals()) process.off(s, this.onSignal);
  }

  /** Begins the shutdown as a signal would; `why` is logged. A second call exits at once. */
  begin(why: string): void {
    if (this.begun) {
      this.opts.log.warn(`${why} during shutdown: exiting now`);
      this.exit(1);
      return;
    }
    this.begun = true;
    this.opts.log.info(`${why}: stopping`);
    this.opts.notify.stopping();
    this.deadline = setTimeout(() => {
      this.opts.log.error(`shutdown did not finish within ${this.opts.deadlineMs} ms: exiting anyway`);
      this.exit(1);
    }, this.opts.deadlineMs);
    this.opts.stop().then(
      () => {
        clearTimeout(this.deadline);
        this.opts.log.info('stopped');
        this.exit(0);
      },
      (e: unknown) => {
        clearTimeout(this.deadline);
        this.opts.log.error(`shutdown failed: ${(e as Error).message}`);
        this.exit(1);
      },
    );
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => this.begin(signal);

  private signals(): readonly NodeJS.Signals[] {
    return this.opts.signals ?? ['SIGTERM', 'SIGINT'];
  }

  private exit(code: number): void {
    (this.opts.exit ?? process.exit)(code);
  }
}
