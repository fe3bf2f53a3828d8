/**
 * sd_notify against a real unix datagram socket standing in for systemd. The notifying daemon runs in a child
 * process (this file, re-run with FT_EDGE_TEST_CHILD=notify) so that it gets its own $NOTIFY_SOCKET,
 * $WATCHDOG_USEC and a real SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/log.js';
import { SdNotify, notifyAddress } from '../../src/appliance/sd-notify.js';
import { StatusReporter } from '../../src/appliance/status-line.js';
import { Watchdog } from '../../src/appliance/watchdog.js';
import { Shutdown } from '../../src/appliance/shutdown.js';
import { FakeNotifySocket } from '../fakes/notify-socket.js';
import { until } from '../helpers/until.js';

const CHILD = process.env['FT_EDGE_TEST_CHILD'] === 'notify';

/** A minimal daemon: READY with a status, STATUS on changes, watchdog pings, SIGTERM -> STOPPING and exit 0. */
async function child(): Promise<void> {
  const log = createLogger('info');
  const notify = new SdNotify(log);
  let up = 0;
  const status = new StatusReporter({
    notify,
    summary: () => ({ producersUp: up, producersTotal: 2, pairs: 48, lastCandleAt: null, openTrades: 3, problem: null, live: null }),
    minIntervalMs: 50,
  });
  const watchdog = new Watchdog({ notify, log, maxLagMs: 5000, checks: [] });
  let since = 0;
  const keepAlive = setInterval(() => {}, 1000);
  const shutdown = new Shutdown({
    notify,
    log,
    deadlineMs: 5000,
    stop: async () => {
      await watchdog.stop();
      await status.stop();
      clearInterval(keepAlive);
      notify.status(`pings=${watchdog.pingCount} ms=${Date.now() - since}`);
      await notify.stop();
    },
  });
  await shutdown.start();
  await notify.start();
  notify.ready('starting');
  await status.start();
  since = Date.now();
  await watchdog.start();
  setTimeout(() => (up = 2), 150);
}


function exited(c: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => c.once('exit', (code) => resolve(code)));
}

if (CHILD) {
  await child();
} else {
  test('notifyAddress: path, abstract, unset', () => {
    assert.deepEqual(notifyAddress('/run/systemd/notify'), { kind: 'path', path: '/run/systemd/notify' });
    assert.deepEqual(notifyAddress('@/org/systemd/notify'), { kind: 'abstract', name: '/org/systemd/notify' });
    assert.equal(notifyAddress(undefined), null);
    assert.equal(notifyAddress(''), null);
    assert.equal(notifyAddress('relative/path'), null);
  });

  test('READY=1, STATUS= on change, WATCHDOG=1 at half of WATCHDOG_USEC, STOPPING=1 on SIGTERM, exit 0', async () => {
    const sock = new FakeNotifySocket();
    try {
      const c = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
        env: { ...process.env, FT_EDGE_TEST_CHILD: 'notify', NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '200000' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exit = exited(c);
      await sock.waitFor((m) => m.filter((x) => x === 'WATCHDOG=1').length >= 4 && m.some((x) => x.startsWith('STATUS=2/2')));
      c.kill('SIGTERM');
      assert.equal(await exit, 0, stderr);

      const m = sock.messages;
      assert.equal(m[0], 'READY=1\nSTATUS=starting');
      const first = m.indexOf('STATUS=0/2 producers, 48 pairs, no candle yet, 3 open trades');
      const changed = m.indexOf('STATUS=2/2 producers, 48 pairs, no candle yet, 3 open trades');
      assert.ok(first > 0 && changed > first, JSON.stringify(m));
      assert.equal(m.filter((x) => x.startsWith('STATUS=2/2')).length, 1, 'an unchanged line is not resent');
      const stopping = m.indexOf('STOPPING=1');
      assert.ok(stopping > changed, 'STOPPING=1 after the status lines');
      assert.ok(!m.slice(stopping).includes('WATCHDOG=1'), 'no watchdog ping after STOPPING=1');

      // Cadence: the first ping right after start, then one per 100 ms (half of 200 ms), never faster.
      const last = m[m.length - 1]!;
      const stats = /^STATUS=pings=([0-9]+) ms=([0-9]+)$/.exec(last);
      assert.ok(stats !== null, last);
      const pings = Number(stats[1]);
      assert.equal(pings, m.filter((x) => x === 'WATCHDOG=1').length);
      assert.ok(pings >= 4 && pings <= Math.floor(Number(stats[2]) / 100) + 1, `${pings} pings in ${stats[2]} ms`);
      assert.match(stderr, /SIGTERM: stopping/);
    } finally {
      sock.close();
    }
  });

  test('no NOTIFY_SOCKET: every call is a no-op', async () => {
    const lines: string[] = [];
    const n = new SdNotify(createLogger('debug', (l) => lines.push(l)), {});
    await n.start();
    assert.equal(n.enabled, false);
    assert.equal(n.send('READY=1'), false);
    n.watchdog();
    await n.stop();
    assert.deepEqual(lines, []);
  });

  test('abstract NOTIFY_SOCKET: one warning, then silence', async () => {
    const lines: string[] = [];
    const n = new SdNotify(createLogger('debug', (l) => lines.push(l)), { NOTIFY_SOCKET: '@ft-edge-test' });
    await n.start();
    assert.equal(n.enabled, false);
    assert.equal(n.send('READY=1'), false);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^<4>.*abstract socket/);
  });

  test('a socket that is not there: one warning per error, not one per message', async () => {
    const sock = new FakeNotifySocket();
    const gone = sock.path;
    sock.close();
    const lines: string[] = [];
    const n = new SdNotify(createLogger('debug', (l) => lines.push(l)), { NOTIFY_SOCKET: gone });
    await n.start();
    assert.equal(n.enabled, true);
    for (let i = 0; i < 5; i++) assert.equal(n.send('WATCHDOG=1'), false);
    await n.stop();
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /sd_notify: sending to .* failed: ENOENT/);
  });

  test('a second signal during a stuck shutdown exits at once; the deadline exits 1', async () => {
    const lines: string[] = [];
    const codes: number[] = [];
    let stopping = 0;
    const s = new Shutdown({
      notify: { stopping: () => stopping++ },
      log: createLogger('debug', (l) => lines.push(l)),
      stop: () => new Promise(() => {}),
      deadlineMs: 50,
      signals: ['SIGUSR2'],
      exit: (code) => codes.push(code),
    });
    await s.start();
    process.kill(process.pid, 'SIGUSR2');
    await until(() => stopping === 1);
    process.kill(process.pid, 'SIGUSR2');
    await until(() => codes.length === 2);
    await s.stop();
    assert.equal(stopping, 1);
    assert.deepEqual(codes, [1, 1]); // the second signal and the deadline, in either order
    assert.match(lines.join('\n'), /SIGUSR2 during shutdown: exiting now/);
    assert.match(lines.join('\n'), /shutdown did not finish within 50 ms/);
  });
}
