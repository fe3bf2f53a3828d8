import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ControlError, request } from '../../src/control/index.js';
import { ControlServer } from '../../src/control/index.js';
import { createLogger } from '../../src/log.js';

const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const log = createLogger('error', () => {});

/** A raw server on a unix socket that answers each connection with `reply` (or never, when undefined). */
async function rawServer(path: string, reply: string | undefined): Promise<Server> {
  const server = createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => {
      if (reply !== undefined) s.end(reply);
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  return server;
}

const closeServer = (s: Server): Promise<void> => new Promise((r) => s.close(() => r()));

async function rejection(p: Promise<unknown>): Promise<ControlError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ControlError, String(e));
    return e;
  }
  assert.fail('expected a rejection');
}

describe('control client', () => {
  it('round-trips a request through a ControlServer', async () => {
    const path = join(tmp, 'rt.sock');
    const server = new ControlServer(path, log);
    server.handle('sum', async (args) => (args['a'] as number) + (args['b'] as number));
    server.handle('fail', async () => {
      throw new Error('no frames held');
    });
    await server.start();
    try {
      assert.equal(await request(path, 'sum', { a: 2, b: 3 }), 5);
      const e = await rejection(request(path, 'fail'));
      assert.equal(e.code, 'failed');
      assert.equal(e.message, 'no frames held');
    } finally {
      await server.stop();
    }
  });

  it('says the daemon is not running when there is no socket', async () => {
    const path = join(tmp, 'none.sock');
    const e = await rejection(request(path, 'status'));
    assert.equal(e.code, 'not_running');
    assert.equal(e.message, `the daemon is not running (nothing listens on ${path})`);
  });

  it('gives up after its deadline when nobody answers', async () => {
    const path = join(tmp, 'silent.sock');
    const server = await rawServer(path, undefined);
    try {
      const e = await rejection(request(path, 'status', {}, 50));
      assert.equal(e.code, 'timeout');
    } finally {
      await closeServer(server);
    }
  });

  it('rejects answers that are not control responses, or no answer at all', async () => {
    const garbage = join(tmp, 'garbage.sock');
    const s1 = await rawServer(garbage, 'hello\n');
    const hangup = join(tmp, 'hangup.sock');
    const s2 = await rawServer(hangup, '');
    try {
      assert.equal((await rejection(request(garbage, 'status'))).code, 'protocol');
      assert.equal((await rejection(request(hangup, 'status'))).code, 'protocol');
    } finally {
      await closeServer(s1);
      await closeServer(s2);
    }
  });
});
