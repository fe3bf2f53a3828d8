import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskSecrets } from '../../src/config/mask.js';

describe('maskSecrets', () => {
  it('masks every secret-named value at any depth, and nothing else', () => {
    const input = {
      external_message_consumer: { producers: [{ name: 'a', ws_token: 'abc', ws_token_file: '/etc/t' }, { name: 'b', ws_token: '' }] },
      api: { password: 'pw', client_secret: 's', jwt_token: null, tokens: 3 },
      strategy: 'UpstreamSignals',
    };
    assert.deepEqual(maskSecrets(input), {
      external_message_consumer: { producers: [{ name: 'a', ws_token: '***', ws_token_file: '/etc/t' }, { name: 'b', ws_token: '***' }] },
      api: { password: '***', client_secret: '***', jwt_token: null, tokens: 3 },
      strategy: 'UpstreamSignals',
    });
    assert.equal(input.external_message_consumer.producers[0]!.ws_token, 'abc', 'the input is left alone');
  });
});
