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
