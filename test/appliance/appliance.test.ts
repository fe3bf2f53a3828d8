/** The appliance service end to end: real notify socket, fake sysfs, a consumer status that changes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.js';
import { Appliance } from '../../src/appliance/appliance.js';
import { ProblemBoard, createDaemonBus } from '../../src/events/index.js';
import type { ProducerProgress } from '../../src/appliance/ingest-liveness.js';
import { FakeNotifySocket } from '../fakes/notify-socket.js';
import { FakeSysfs } from '../fakes/sysfs.js';

const consumer = {
  enabled: true, producers: [], wait_timeout: 30, ping_timeout: 10, sleep_time: 10,
  remove_entry_exit_signals: false, initial_candle_limit: 1500, message_size_limit: 8,
};

test('starting -> READY with a status line -> connecting -> healthy -> refused; released at stop', async (t) => {
  const sock = new FakeNotifySocket();
  const fake = new FakeSysfs();
  t.after(() => {
    sock.close();
    fake.close();
  });
  let producers: ProducerProgress[] = [
    { name: 'a', state: 'connecting' },
    { name: 'b', state: 'backoff' },
  ];
  const lines: string[] = [];
  const bus = createDaemonBus((l) => lines.push(l));
  const problems = new ProblemBoard(bus);
  const app = new Appliance({
    bus,
    problems,
    config: { appliance: { leds: [{ role: 'status', device: 'led:ACT' }], watchdog_max_lag_ms: 5000 }, external_message_consumer: consumer, wire: { compression: false, max_backoff: 60 }, live: null },
    log: createLogger('info', (l) => lines.push(l)),
    producers: () => producers,
    pairs: () => 48,
    openTrades: () => 3,
    env: { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '60000000' },
    ledRoot: fake.ledRoot,
    gpioRoot: fake.gpioRoot,
  });
  await app.start();
  assert.equal(app.showing, 'starting');
  await app.ready();
  await sock.waitFor((m) => m.includes('WATCHDOG=1'));
  assert.equal(sock.messages[0], 'READY=1\nSTATUS=0/2 producers, 48 pairs, no candle yet, 3 open trades');
  assert.equal(app.showing, 'connecting');

  producers = [{ name: 'a', state: 'connected' }, { name: 'b', state: 'backoff' }];
  bus.emit('connection', 'a', 'connected', null);
  assert.equal(app.showing, 'connecting', 'connected, but no candle yet');
  bus.emit('frame-stored', 'a', { pair: 'BTC/USDT', timeframe: '5m', candleType: 'spot' }, 'replaced');
  bus.emit('connection', 'a', 'connected', null);
  assert.equal(app.showing, 'healthy');
  assert.match(app.summary().problem ?? 'none', /^none$/);

  producers = [{ name: 'a', state: 'connected' }, { name: 'b', state: 'refused' }];
  problems.raise('token-refused', 'token refused by producer b'); // as the ingest service raises it
  assert.equal(app.showing, 'error:refused', 'a raised problem shows at once');
  assert.equal(app.summary().problem, 'token refused by producer b');
  problems.raise('strategy-disabled', 'strategy disabled: 3 evaluations in a row slower than 50 ms');
  assert.equal(app.showing, 'error:strategy');
  assert.equal(app.summary().problem, 'strategy disabled: 3 evaluations in a row slower than 50 ms', 'the most urgent problem first');
  problems.clear('strategy-disabled');
  assert.equal(app.showing, 'error:refused');
  problems.raise('journal-write', 'the journal cannot be written (database or disk is full): no entries until it can; exits are retried');
  assert.equal(app.showing, 'error:strategy', 'a journal that cannot be written shows as trading stopped');
  assert.match(app.summary().problem ?? '', /^the journal cannot be written/);
  problems.clear('journal-write');

  await app.stop();
  assert.equal(fake.read('class/leds/ACT/trigger'), 'mmc0');
  assert.deepEqual(lines, []);
});
