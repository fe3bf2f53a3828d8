/**
 * The problems the daemon has right now, each under a stable code, in the order they need attention. Parts raise
 * and clear their own; the STATUS line, the LEDs, `status` and the REST API read the board or follow its events,
 * instead of asking every part whether something is wrong.
 */
import type { EventBus } from './event-bus.js';
import type { DaemonEvents } from './daemon-events.js';
import { PROBLEM_CODES, type Problem, type ProblemCode } from './problem.js';

export class ProblemBoard {
  private readonly current = new Map<ProblemCode, Problem>();

  constructor(private readonly bus: EventBus<DaemonEvents>) {}

  /** Raises `code`, or rewords it; announced only when something changed. */
  raise(code: ProblemCode, text: string): void {
    if (this.current.get(code)?.text === text) return;
    const p: Problem = { code, text };
    this.current.set(code, p);
    this.bus.emit('problem', 'raised', p);
  }

  clear(code: ProblemCode): void {
    const p = this.current.get(code);
    if (p === undefined) return;
    this.current.delete(code);
    this.bus.emit('problem', 'cleared', p);
  }

  /** Raises `code` with `text`, or clears it when `text` is null. */
  set(code: ProblemCode, text: string | null): void {
    if (text === null) this.clear(code);
    else this.raise(code, text);
  }

  has(code: ProblemCode): boolean {
    return this.current.has(code);
  }

  /** Every current problem, most urgent first. */
  list(): Problem[] {
    return PROBLEM_CODES.flatMap((c) => this.current.get(c) ?? []);
  }

  /** The most urgent problem, or null. */
  first(): Problem | null {
    for (const c of PROBLEM_CODES) {
      const p = this.current.get(c);
      if (p !== undefined) return p;
    }
    return null;
  }
}
