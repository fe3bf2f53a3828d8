/**
 * freqtrade's consumer logic (bench/freqtrade-consumer.py, Debian's python3 with pandas, rapidjson and websockets)
 * as a process beside the daemon: started against a producer with freqtrade's initial requests, watched by the
 * lines it prints, measured through /proc like the daemon.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoProducer } from '../src/demo/index.js';
import { initialRequests } from '../src/protocol/index.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'freqtrade-consumer.py');

/** Why the model cannot run here, or null when it can. */
export function freqtradeMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import pandas, rapidjson, websockets'], { encoding: 'utf8' });
  if (r.error === undefined && r.status === 0) return null;
  return `${PYTHON} with pandas, rapidjson and websockets is not installed (apt-get install python3-pandas python3-rapidjson python3-websockets)`;
}

export interface FreqtradeConsumer {
  child: ChildProcess;
  /** Resolves once the model printed `line`; throws if it exits or `timeoutMs` passes. */
  waitFor(line: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startFreqtradeConsumer(producer: DemoProducer, token: string, keys: number, rows: number): FreqtradeConsumer {
  const child = spawn(PYTHON, [SCRIPT, `${producer.url}?token=${token}`, JSON.stringify(initialRequests(rows)), String(keys)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const seen = new Set<string>();
  const waiting = new Map<string, () => void>();
  let stderr = '';
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      seen.add(line);
      waiting.get(line)?.();
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    async waitFor(line, timeoutMs = 300_000) {
      if (seen.has(line)) return;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          new Promise<void>((r) => waiting.set(line, r)),
          exited.then(() => { throw new Error(`freqtrade's consumer model exited before "${line}": ${stderr.trim().split('\n').slice(-3).join(' | ')}`); }),
          new Promise<never>((_, j) => (timer = setTimeout(() => j(new Error(`freqtrade's consumer model: no "${line}" within ${timeoutMs} ms`)), timeoutMs))),
        ]);
      } finally {
        clearTimeout(timer);
        waiting.delete(line);
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
