import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { ControlServer } from '../../src/control/index.js';
import { MAX_REQUEST_BYTES } from '../../src/control/index.js';
import { createLogger } from '../../src/log.js';
import { until } from '../helpers/until.js';

const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-ctl-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
const logLines: string[] = [];
const log = createLogger('debug', (l) => logLines.push(l));
const servers: ControlServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function started(path = join(tmp, `d${n++}`, 'control.sock')): Promise<{ server: ControlServer; path: string }> {
  const server = new ControlServer(path, log);
  servers.push(server);
  server.handle('echo', async (args) => args);
  server.handle('boom', async () => {
    throw new Error('it broke\nsecond line');
  });
  server.handle('bigint', async () => 10n);
  await server.start();
  return { server, path };
}

/** Sends raw bytes, collects answer lines until `count` arrived or the server closed. */
function exchange(path: string, raw: string | Buffer, count = 1): Promise<{ lines: string[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let text = '';
    let closed = false;
    const done = (): void => {
      const lines = text.split('\n').filter((l) => l !== '');
      resolve({ lines, closed });
      s.destroy();
    };
    s.on('error', reject);
    s.on('data', (d) => {
      text += d.toString();
      if (text.split('\n').length - 1 >= count) done();
    });
    s.on('end', () => {
      closed = true;
      done();
    });
    s.write(raw);
  });
}

const ask = async (path: string, line: string): Promise<unknown> => JSON.parse((await exchange(path, line + '\n')).lines[0]!);

describe('ControlServer', () => {
  it('answers a request by its handler', async () => {
    const { path } = await started();
    assert.deepEqual(await ask(path, '{"cmd": "echo", "args": {"a": 1}}'), { ok: true, result: { a: 1 } });
    assert.deepEqual(await ask(path, '{"cmd": "echo"}'), { ok: true, result: {} });
  });

  it('creates the socket 0600 in a new 0750 directory', async () => {
    const { path } = await started(join(tmp, `fresh${n++}`, 'sub', 'control.sock'));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.ok(statSync(path).isSocket());
    assert.equal(statSync(join(path, '..')).mode & 0o777, 0o750);
  });

  it('answers bad requests with one-line errors and keeps serving', async () => {
    const { path } = await started();
    assert.deepEqual(await ask(path, 'not json'), { ok: false, error: 'request is not JSON' });
    for (const bad of ['[1]', '{"args": {}}', '{"cmd": 5}', '{"cmd": "echo", "args": [1]}', 'null']) {
      assert.deepEqual(await ask(path, bad), { ok: false, error: 'request must be {"cmd": NAME, "args": {...}}' }, bad);
    }
    assert.deepEqual(await ask(path, '{"cmd": "nope"}'), { ok: false, error: 'unknown command "nope" (known: echo, boom, bigint)' });
    assert.deepEqual(await ask(path, '{"cmd": "boom"}'), { ok: false, error: 'it broke | second line' });
    assert.match(((await ask(path, '{"cmd": "bigint"}')) as { error: string }).error, /^result cannot be sent: /);
    assert.ok(logLines.some((l) => l.includes('boom request failed: it broke | second line')));
    assert.deepEqual(await ask(path, '{"cmd": "echo", "args": {"still": "alive"}}'), { ok: true, result: { still: 'alive' } });
  });

  it('answers several requests on one connection in order, skipping blank lines', async () => {
    const { path } = await started();
    const r = await exchange(path, '{"cmd":"echo","args":{"i":1}}\n\n{"cmd":"echo","args":{"i":2}}\r\n{"cmd":"x"}\n', 3);
    assert.deepEqual(r.lines.map((l) => JSON.parse(l)), [
      { ok: true, result: { i: 1 } },
      { ok: true, result: { i: 2 } },
      { ok: false, error: 'unknown command "x" (known: echo, boom, bigint)' },
    ]);
  });

  it('refuses an oversized request and closes that connection', async () => {
    const { path } = await started();
    const r = await exchange(path, Buffer.alloc(MAX_REQUEST_BYTES + 10, 0x61), 1);
    assert.deepEqual(JSON.parse(r.lines[0]!), { ok: false, error: `request larger than ${MAX_REQUEST_BYTES} bytes` });
    assert.deepEqual(await ask(path, '{"cmd": "echo"}'), { ok: true, result: {} });
  });

  it('replaces a stale socket file but not a live socket or another file', async () => {
    const stale = join(tmp, `stale${n++}.sock`);
    // A process killed with SIGKILL leaves its socket file behind.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'))`]);
    await new Promise((r) => child.stdout.once('data', r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(statSync(stale).isSocket(), 'stale socket file in place');
    const { path } = await started(stale);
    assert.deepEqual(await ask(path, '{"cmd": "echo"}'), { ok: true, result: {} });
    assert.ok(logLines.some((l) => l.includes(`removed stale control socket ${stale}`)));

    await assert.rejects(new ControlServer(path, log).start(), /another ft-edge is already running/);
    assert.deepEqual(await ask(path, '{"cmd": "echo"}'), { ok: true, result: {} }, 'the running one is untouched');

    const plain = join(tmp, `plain${n++}`);
    writeFileSync(plain, 'keep me');
    await assert.rejects(new ControlServer(plain, log).start(), /exists and is not a socket/);
    assert.ok(existsSync(plain));
  });

  it('removes its socket on stop; start and stop are idempotent', async () => {
    const { server, path } = await started();
    await server.start();
    await server.stop();
    await server.stop();
    assert.equal(existsSync(path), false);
  });

  it('closes open connections on stop', async () => {
    const { server, path } = await started();
    const s = connect(path);
    await new Promise((r) => s.once('connect', r));
    const closed = new Promise((r) => s.once('close', r));
    await server.stop();
    await closed;
  });
});

describe('control socket limits (a hostile local client)', () => {
  const limits = { maxConnections: 3, idleMs: 60_000, requestMs: 300, drainMs: 400 };

  async function limited(): Promise<{ server: ControlServer; path: string; calls: { n: number } }> {
    const path = join(tmp, `l${n++}`, 'control.sock');
    const server = new ControlServer(path, log, limits);
    servers.push(server);
    const calls = { n: 0 };
    server.handle('echo', async (args) => args);
    server.handle('big', async () => (calls.n++, 'x'.repeat(1 << 20)));
    await server.start();
    return { server, path, calls };
  }

  it('a client that sends requests and never reads holds one answer, not one per request, and is dropped', async () => {
    const { path, calls } = await limited();
    const s = connect(path);
    s.on('error', () => {});
    s.pause(); // never reads
    let closed = false;
    s.on('close', () => (closed = true));
    await new Promise<void>((r) => s.once('connect', () => r()));
    const line = '{"cmd":"big"}\n';
    // Far more requests than the server may answer while nobody reads (the old server answered every one: 641 MiB).
    for (let i = 0; i < 2000 && !closed; i++) if (!s.write(line.repeat(50))) await new Promise((r) => setTimeout(r, 1));
    await until(() => closed, 'the non-reading client dropped', 10_000);
    assert.ok(calls.n <= 3, `${calls.n} answers of 1 MB made for a client that read none`);
    assert.deepEqual(await ask(path, '{"cmd":"echo","args":{"still":"fine"}}'), { ok: true, result: { still: 'fine' } });
  });

  it('a request trickled a byte at a time is refused at its deadline; a full server says so in words', async () => {
    const { path } = await limited();
    const trickles = await Promise.all(Array.from({ length: limits.maxConnections }, async () => {
      const s = connect(path);
      s.on('error', () => {});
      await new Promise<void>((r) => s.once('connect', () => r()));
      let text = '';
      s.on('data', (d) => (text += d.toString()));
      s.write('{"cmd":"sta');
      const timer = setInterval(() => s.write(' '), 50); // every byte came in time, the request never completes
      return { s, timer, answer: () => text };
    }));
    const busy = await exchange(path, '{"cmd":"echo"}\n');
    assert.deepEqual(JSON.parse(busy.lines[0]!), { ok: false, error: 'the daemon is busy: 3 control connections are open; try again' });
    await until(() => trickles.every((t) => t.answer() !== ''), 'the trickles refused', 10_000);
    for (const t of trickles) {
      clearInterval(t.timer);
      assert.deepEqual(JSON.parse(t.answer().trim()), { ok: false, error: 'request not complete within 0.3 s of its first byte' });
      t.s.destroy();
    }
    // The server sees the closes soon, not at once: ask until a slot is free (busy answers say so in words).
    let answer: unknown;
    for (let i = 0; i < 500; i++) {
      answer = await ask(path, '{"cmd":"echo","args":{"a":1}}');
      if ((answer as { ok: boolean }).ok) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(answer, { ok: true, result: { a: 1 } });
  });
});
