/**
 * The CLI's side of the control socket: one connection per request, one answer, a deadline. Every failure is
 * a ControlError with a one-line message a user can act on.
 */
import { connect } from 'node:net';
import { MAX_RESPONSE_BYTES, type ControlResponse } from './control-protocol.js';

export type ControlErrorCode = 'not_running' | 'denied' | 'timeout' | 'protocol' | 'failed';

export class ControlError extends Error {
  constructor(
    message: string,
    /** not_running: nothing listens; denied: socket permissions; failed: the daemon answered with an error. */
    readonly code: ControlErrorCode,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** Sends `{"cmd": name, "args": args}` to the daemon at `path` and resolves with its result. */
export function request(path: string, name: string, args: Readonly<Record<string, unknown>> = {}, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: ControlError | undefined, result?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err === undefined) resolve(result);
      else reject(err);
    };
    const timer = setTimeout(
      () => finish(new ControlError(`no answer from the daemon on ${path} within ${Math.round(timeoutMs / 1000)} s`, 'timeout')),
      timeoutMs,
    );

    socket.on('connect', () => socket.write(JSON.stringify({ cmd: name, args }) + '\n'));
    socket.on('error', (e: NodeJS.ErrnoException) => finish(connectError(path, e)));
    socket.on('close', () => finish(new ControlError(`the daemon closed the control connection on ${path} without an answer`, 'protocol')));
    socket.on('data', (chunk: Buffer) => {
      const nl = chunk.indexOf(10);
      chunks.push(nl < 0 ? chunk : chunk.subarray(0, nl));
      size += chunk.length;
      if (nl < 0) {
        if (size > MAX_RESPONSE_BYTES) finish(new ControlError(`answer from the daemon larger than ${MAX_RESPONSE_BYTES} bytes`, 'protocol'));
        return;
      }
      const answer = parse(Buffer.concat(chunks).toString('utf8'));
      if (answer === undefined) finish(new ControlError('the daemon sent an answer that is not a control response', 'protocol'));
      else if (answer.ok) finish(undefined, answer.result);
      else finish(new ControlError(answer.error, 'failed'));
    });
  });
}

function parse(text: string): ControlResponse | undefined {
  try {
    const r = JSON.parse(text) as { ok?: unknown; error?: unknown; result?: unknown } | null;
    if (r?.ok === true) return { ok: true, result: r.result };
    if (r?.ok === false && typeof r.error === 'string') return { ok: false, error: r.error };
  } catch {
    // falls through: not a response
  }
  return undefined;
}

function connectError(path: string, e: NodeJS.ErrnoException): ControlError {
  switch (e.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new ControlError(`the daemon is not running (nothing listens on ${path})`, 'not_running');
    case 'EACCES':
    case 'EPERM':
      return new ControlError(`permission denied on ${path}: run as the ft-edge service user or root`, 'denied');
    default:
      return new ControlError(`cannot reach the daemon on ${path}: ${e.message}`, 'protocol');
  }
}
