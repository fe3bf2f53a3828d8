/**
 * `ft-edge run` end to end: the compiled executable against the demo producer on 127.0.0.1, driven and
 * inspected only through what a user has (NODE_CONFIG, the control socket, `ft-edge status`/`export`, SIGTERM).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { request } from '../../src/control/index.js';
import { startDemoProducer } from '../../src/demo/index.js';
import { cli, MAIN_JS } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-run-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const TOKEN = 'SEKRET-run-test-token-0123456789abcdef';

/** Polls `probe` until it returns a value (the condition is awaited, not a duration). */
async function until<T>(what: string, probe: () => Promise<T | undefined>, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await probe().catch((e: unknown) => {
      if (e instanceof assert.AssertionError) throw e;
      return undefined;
    });
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('ft-edge run', () => {
  it('ingests from a producer, answers status and export, and stops cleanly on SIGTERM', async () => {
    const producer = await startDemoProducer({ token: TOKEN, pairs: ['BTC/USDT', 'ETH/USDT'], candleIntervalMs: 0, history: 200 });
    after(() => producer.stop());
    const socket = join(tmp, 'control.sock');
    const nodeConfig = {
      external_message_consumer: { enabled: true, producers: [{ name: 'default', host: '127.0.0.1', port: producer.port, ws_token: TOKEN }] },
      control: { socket },
      datadir: join(tmp, 'state'),
    };
    const child = spawn(process.execPath, [MAIN_JS, 'run'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: tmp, NODE_CONFIG_DIR: tmp, NODE_CONFIG: JSON.stringify(nodeConfig) },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    after(() => child.kill('SIGKILL'));

    const keys = await until('both pairs held', async () => {
      if (child.exitCode !== null) assert.fail(`ft-edge run exited with ${child.exitCode}: ${stderr}`);
      const s = (await request(socket, 'status')) as { producers: { state: string; keys?: unknown }[] };
      if (s.producers[0] !== undefined && typeof s.producers[0].keys !== 'number') assert.fail('the status answer is not a StatusReport');
      return s.producers[0]?.state === 'connected' && s.producers[0].keys === 2 ? s.producers[0].keys : undefined;
    });
    assert.equal(keys, 2);
    assert.equal(statSync(socket).mode & 0o777, 0o600);

    const status = await cli(['status', '--socket', socket]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^default +connected +2 +2 +400 /m);

    const out = join(tmp, 'export');
    const exported = await cli(['export', '--out', out], { NODE_CONFIG: JSON.stringify({ control: { socket } }) });
    assert.equal(exported.code, 0, exported.stderr);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { frames: { rows: number }[] };
    assert.deepEqual(manifest.frames.map((f) => f.rows), [200, 200]);

    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.equal(existsSync(socket), false, 'the control socket is removed on stop');
    assert.equal((stderr + status.stdout + exported.stdout).includes(TOKEN), false, 'the token never appears');
  });
});
