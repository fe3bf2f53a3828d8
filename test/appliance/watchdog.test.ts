/**
 * The watchdog pings only while healthy. A child process (this file with FT_EDGE_TEST_CHILD=watchdog) pings a
 * real datagram socket, then wedges its event loop with back-to-back busy waits, then recovers; it marks each
 * phase with a STATUS= datagram on the same socket, so the order of datagrams alone shows what happened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/log.js';
import { SdNotify } from '../../src/appliance/sd-notify.js';
import { Watchdog, watchdogIntervalMs } from '../../src/appliance/watchdog.js';
import { FakeNotifySocket } from '../fakes/notify-socket.js';
import { until } from '../helpers/until.js';

const CHILD = process.env['FT_EDGE_TEST_CHILD'] === 'watchdog';

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // wedged on purpose
  }
}

/** Resolves once the watchdog has sent `n` more pings; exits 3 if that takes longer than 10 s. */
async function morePings(w: Watchdog, n: number): Promise<void> {
  const target = w.pingCount + n;
  const deadline = Date.now() + 10_000;
  while (w.pingCount < target) {
    if (Date.now() > deadline) process.exit(3);
    await new Promise((r) => setTimeout(r, 20));
  }
}


async function child(): Promise<void> {
  const log = createLogger('info');
  const notify = new SdNotify(log);
  await notify.start();
  const watchdog = new Watchdog({ notify, log, maxLagMs: 150, checks: [] });
  notify.ready();
  await watchdog.start();
  await morePings(watchdog, 3);
  notify.status('wedged');
  // 1.2 s of 200 ms stalls with only a turn of the loop in between: every check sees a stall.
  const until = performance.now() + 1200;
  await new Promise<void>((resolve) => {
    const stall = (): void => {
      busyWait(200);
      if (performance.now() < until) setImmediate(stall);
      else resolve();
    };
    stall();
  });
  notify.status('recovered');
  await morePings(watchdog, 2);
  await watchdog.stop();
  await notify.stop();
}

if (CHILD) {
  await child();
} else {
  test('watchdogIntervalMs: half of WATCHDOG_USEC, only for the process WATCHDOG_PID names', () => {
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 42), 15_000);
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42), 15_000);
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '41' }, 42), null);
    assert.equal(watchdogIntervalMs({}, 42), null);
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '0' }, 42), null);
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }, 42), null);
  });

  test('a wedged event loop withholds the pings, which resume when it recovers', async () => {
    const sock = new FakeNotifySocket();
    try {
      const c = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
        env: { ...process.env, FT_EDGE_TEST_CHILD: 'watchdog', NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '200000' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise((resolve) => c.once('exit', resolve));
      assert.equal(code, 0, stderr);

      const m = sock.messages;
      const wedged = m.indexOf('STATUS=wedged');
      const recovered = m.indexOf('STATUS=recovered');
      assert.ok(wedged > 0 && recovered > wedged, JSON.stringify(m));
      assert.ok(m.slice(0, wedged).filter((x) => x === 'WATCHDOG=1').length >= 3);
      assert.deepEqual(m.slice(wedged + 1, recovered), [], 'no ping while the loop is wedged');
      assert.ok(m.slice(recovered).filter((x) => x === 'WATCHDOG=1').length >= 2);
      assert.match(stderr, /unhealthy: event loop stalled for [0-9]+ ms \(bound 150 ms\); withholding watchdog pings/);
      assert.match(stderr, /healthy again; watchdog pings resumed/);
    } finally {
      sock.close();
    }
  });

  test('a failing health check withholds pings; the problem is logged once and reported', async () => {
    const pings: number[] = [];
    const lines: string[] = [];
    let problem: string | null = null;
    const w = new Watchdog({
      notify: { watchdog: () => pings.push(1) },
      log: createLogger('debug', (l) => lines.push(l)),
      maxLagMs: 60_000,
      checks: [{ problem: () => problem }],
      env: { WATCHDOG_USEC: '40000' },
    });
    await w.start();
    await until(() => pings.length >= 2);
    problem = 'producer a: connecting for 999 s without progress';
    const during = pings.length;
    await until(() => w.problem() !== null);
    await new Promise((r) => setTimeout(r, 100)); // five more checks
    assert.equal(pings.length, during);
    assert.equal(w.problem(), problem);
    problem = null;
    await until(() => pings.length > during);
    await w.stop();
    assert.ok(pings.length > during);
    assert.equal(w.problem(), null);
    assert.equal(lines.filter((l) => l.includes('unhealthy')).length, 1);
    assert.match(lines.join('\n'), /<3>unhealthy: producer a: connecting for 999 s/);
  });

  test('without WATCHDOG_USEC nothing is pinged, but problems are still logged', async () => {
    const pings: number[] = [];
    const lines: string[] = [];
    const w = new Watchdog({
      notify: { watchdog: () => pings.push(1) },
      log: createLogger('debug', (l) => lines.push(l)),
      maxLagMs: 60_000,
      checks: [{ problem: () => 'stuck' }],
      idleCheckMs: 10,
      env: {},
    });
    await w.start();
    assert.equal(w.intervalMs, null);
    await until(() => lines.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    await w.stop();
    assert.deepEqual(pings, []);
    assert.deepEqual(lines, ['<3>unhealthy: stuck']);
  });
}
