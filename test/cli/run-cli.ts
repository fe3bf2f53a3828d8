/** Runs the compiled `ft-edge` executable as a child process with a clean environment. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MAIN_JS = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** An empty config directory, so the machine's /etc/ft-edge never leaks into a test. */
const emptyConfigDir = mkdtempSync(join(tmpdir(), 'ft-edge-noconf-'));

export function cli(args: readonly string[], env: Record<string, string> = {}, cwd?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN_JS, ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: emptyConfigDir, NODE_CONFIG_DIR: emptyConfigDir, ...env },
      cwd: cwd ?? emptyConfigDir,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
