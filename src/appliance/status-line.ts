/**
 * The one-line summary `systemctl status ft-edge` shows (sd_notify STATUS=), e.g.
 * `2/2 producers, 48 pairs, last candle 12s ago, 3 open trades`. Sent when the text changes, at most once per
 * `minIntervalMs`; ages are rounded coarsely so a steady daemon does not resend every second.
 */

/** What the daemon reports; the reporter words it. */
export interface StatusSummary {
  readonly producersUp: number;
  readonly producersTotal: number;
  /** Whitelisted pairs over all producers. */
  readonly pairs: number;
  /** Epoch ms of the last stored candle, null before the first. */
  readonly lastCandleAt: number | null;
  /** Open dry-run trades, null when no strategy runs. */
  readonly openTrades: number | null;
  /** What needs attention first (refused token, unhealthy, stale data), or null. */
  readonly problem: string | null;
  /** The exchange live orders go to; null for dry-run. */
  readonly live: string | null;
}

export function formatStatus(s: StatusSummary, now: number): string {
  const parts = [
    `${s.producersUp}/${s.producersTotal} producer${s.producersTotal === 1 ? '' : 's'}`,
    `${s.pairs} pair${s.pairs === 1 ? '' : 's'}`,
    s.lastCandleAt === null ? 'no candle yet' : `last candle ${age(now - s.lastCandleAt)} ago`,
  ];
  if (s.openTrades !== null) parts.push(`${s.openTrades} open trade${s.openTrades === 1 ? '' : 's'}`);
  const line = (s.live === null ? '' : `LIVE on ${s.live}: `) + parts.join(', ');
  return s.problem === null ? line : `${s.problem}; ${line}`;
}

/** 12s, 4m, 3h, 2d: precise while it matters, steady afterwards. */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

export interface StatusReporterOptions {
  readonly notify: { status(line: string): void };
  readonly summary: () => StatusSummary;
  /** Least time between two STATUS= messages. */
  readonly minIntervalMs?: number;
  readonly now?: () => number;
}

export class StatusReporter {
  private timer: NodeJS.Timeout | undefined;
  private lastLine = '';

  constructor(private readonly opts: StatusReporterOptions) {}

  /** The line last sent. */
  get line(): string {
    return this.lastLine;
  }

  async start(): Promise<void> {
    if (this.timer !== undefined) return;
    this.update();
    this.timer = setInterval(() => this.update(), this.opts.minIntervalMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sends the current line if it differs from the last one sent. */
  private update(): void {
    const line = formatStatus(this.opts.summary(), (this.opts.now ?? Date.now)());
    if (line === this.lastLine) return;
    this.lastLine = line;
    this.opts.notify.status(line);
  }
}
