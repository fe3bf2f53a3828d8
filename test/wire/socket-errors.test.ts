import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeError, redactToken, socketError } from '../../src/wire/socket-errors.js';

test('the token is masked where it can appear, and a short one does not garble the message', () => {
  assert.equal(redactToken('connection refused (ECONNREFUSED)', 't'), 'connection refused (ECONNREFUSED)');
  assert.equal(redactToken('Invalid URL: ws://h:1/api/v1/message/ws?token=t', 't'), 'Invalid URL: ws://h:1/api/v1/message/ws?token=***');
  const long = 'tök+en/with&odd=chars 1';
  const url = `ws://h:1/api/v1/message/ws?token=${encodeURIComponent(long)}&x=1`;
  assert.equal(redactToken(`GET ${url} failed`, long), 'GET ws://h:1/api/v1/message/ws?token=***&x=1 failed');
  assert.equal(redactToken(`header echoed: ${long}`, long), 'header echoed: ***');
});

test('socket errors and close codes have stable codes and phrases', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.deepEqual(socketError(refused), { code: 'network', message: 'connection refused (ECONNREFUSED)' });
  assert.deepEqual(socketError(new Error('Opening handshake has timed out')), { code: 'handshake-timeout', message: 'no answer to the WebSocket handshake in time' });
  assert.deepEqual(closeError(1012), { code: 'closed', message: 'producer restarting (1012)' });
});
