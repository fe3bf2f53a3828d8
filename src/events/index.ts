/** The daemon's typed event stream and its board of current problems. */
export { EventBus, type EventMap, type Listener, type Unsubscribe } from './event-bus.js';
export { createDaemonBus, type DaemonBus, type DaemonEvents, type TradeChange } from './daemon-events.js';
export { ProblemBoard } from './problem-board.js';
export { PROBLEM_CODES, type Problem, type ProblemCode } from './problem.js';
