/**
 * A typed, synchronous event stream. Events are argument tuples, not objects, so emitting one allocates nothing
 * (a stored frame is announced per message). Listeners run in subscription order; one that throws is reported
 * and the others still run. Subscribing or unsubscribing during an emit takes effect from the next emit.
 */

/** Event name -> the arguments its listeners get. */
export type EventMap = Record<string, readonly unknown[]>;

export type Listener<A extends readonly unknown[]> = (...args: A) => void;

/** Removes the listener it was returned for; calling it again does nothing. */
export type Unsubscribe = () => void;

export class EventBus<E extends EventMap> {
  /** Replaced, never mutated, on (un)subscribe: an emit walks a stable array without copying it. */
  private listeners: { [K in keyof E]?: readonly Listener<E[K]>[] } = {};

  constructor(private readonly onListenerError: (event: string, err: unknown) => void) {}

  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): Unsubscribe {
    this.listeners[event] = [...(this.listeners[event] ?? []), listener];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const list = this.listeners[event] ?? [];
      const i = list.indexOf(listener);
      if (i >= 0) this.listeners[event] = [...list.slice(0, i), ...list.slice(i + 1)];
    };
  }

  emit<K extends keyof E & string>(event: K, ...args: E[K]): void {
    const list = this.listeners[event];
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(...args);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }

  /** Listeners of `event` now (tests, and to skip work nobody listens to). */
  count(event: keyof E & string): number {
    return this.listeners[event]?.length ?? 0;
  }
}
