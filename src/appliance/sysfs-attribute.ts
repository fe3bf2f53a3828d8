/**
 * One sysfs attribute file (an LED's `brightness`, a pin's `value`) written without blocking the event loop:
 * writes go through libuv's thread pool, at most one is in flight, and a value set while one is in flight
 * replaces any value still waiting (only the latest state matters for a light).
 */
import { writeFile } from 'node:fs/promises';

export class SysfsAttribute {
  private inFlight = false;
  private pending: string | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    readonly path: string,
    /** Called for each failed write; the value is lost. */
    private readonly onError: (e: NodeJS.ErrnoException) => void,
  ) {}

  /** Queues `value`; returns at once. */
  set(value: string): void {
    this.pending = value;
    if (!this.inFlight) this.pump();
  }

  /** Resolves when nothing is in flight or queued. */
  idle(): Promise<void> {
    if (!this.inFlight) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private pump(): void {
    const value = this.pending;
    if (value === null) {
      this.inFlight = false;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
      return;
    }
    this.inFlight = true;
    this.pending = null;
    writeFile(this.path, value).then(
      () => this.pump(),
      (e: NodeJS.ErrnoException) => {
        this.onError(e);
        this.pump();
      },
    );
  }
}
