/**
 * The real daemon for benchmarks: `ft-edge run` started the way the kernel runs the bin's `#!` line (as
 * systemd's ExecStart=/usr/bin/ft-edge does), with this process's node first on PATH, configured by
 * NODE_CONFIG, watched through its control socket and /proc/PID/status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { request } from '../src/control/index.js';
import type { StatusReport } from '../src/appliance/index.js';
import { ENV, MAIN_JS } from './_bin-launch.js';

export interface MemoryFigures {
  vmRss: number;
  rssAnon: number;
  rssFile: number;
  rssShmem: number;
  /** Proportional set size: shared pages (node's binary, libc) counted by the share each process holding them pays. */
  pss: number;
}

export function procStatus(pid: number): MemoryFigures {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const pss = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? NaN) * 1024;
  return { vmRss: kb('VmRSS'), rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), rssShmem: kb('RssShmem'), pss };
}

/** User + system CPU the process has used so far, in ms (/proc/PID/stat, clock ticks of 10 ms). */
export function procCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU (ms) of a process' threads, grouped: the main thread, the workers, any other by its name. */
export function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Node names its V8 platform workers and libuv's pool threads after the process ("node").
      const group = tid === String(pid) ? 'main thread' : name === 'node' ? 'V8 and libuv worker threads' : name;
      out.set(group, (out.get(group) ?? 0) + (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface RunningDaemon {
  child: ChildProcess;
  socket: string;
  /** Everything the daemon logged so far. */
  stderr(): string;
  /** Everything it wrote to stdout so far (node's own traces, e.g. `--trace-gc`). */
  stdout(): string;
  status(): Promise<StatusReport | undefined>;
  /** Resolves once `until` holds for a status answer; throws if the daemon exits or `timeoutMs` passes. */
  waitFor(until: (s: StatusReport) => boolean, what: string, timeoutMs?: number): Promise<StatusReport>;
  stop(): Promise<void>;
}

/**
 * Starts `/usr/bin/env LAUNCH main.js run` with `config` (its `control.socket` is set to a file in `dir`);
 * `nodeFlags` are added to the node options of LAUNCH.
 */
export function startDaemon(launch: string, dir: string, config: Record<string, unknown>, nodeFlags: string[] = []): RunningDaemon {
  const socket = join(dir, 'control.sock');
  const child = spawn(ENV, [[launch, ...nodeFlags].join(' '), MAIN_JS, 'run'], {
    env: { PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`, HOME: dir, NODE_CONFIG_DIR: dir, NODE_CONFIG: JSON.stringify({ ...config, control: { socket } }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const status = async (): Promise<StatusReport | undefined> => (await request(socket, 'status').catch(() => undefined)) as StatusReport | undefined;
  return {
    child, socket, status,
    stderr: () => stderr,
    stdout: () => stdout,
    async waitFor(until, what, timeoutMs = 120_000) {
      const t0 = performance.now();
      for (;;) {
        if (child.exitCode !== null) throw new Error(`ft-edge run exited with ${child.exitCode}: ${stderr.trim()}`);
        if (performance.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
        const s = await status();
        if (s !== undefined && until(s)) return s;
        await sleep(50);
      }
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
