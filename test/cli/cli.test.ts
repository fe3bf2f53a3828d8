import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../src/config/locations.js';
import { cli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const COMMANDS = ['run', 'status', 'trades', 'export', 'backup', 'check-config', 'strategies', 'demo'];
/** Shaped like freqtrade's generated tokens (secrets.token_urlsafe(25)). */
const SECRETS = ['SEKRET-one-1111-aaaaaaaaaaaaaaaaaaa', 'SEKRET-two-2222-bbbbbbbbbbbbbbbbbbb', 'SEKRET-three-3333-cccccccccccccccccc'];

function assertNoSecret(...texts: string[]): void {
  for (const t of texts) for (const s of SECRETS) assert.equal(t.includes(s), false, `token ${s} leaked:\n${t}`);
}

function assertNoStack(text: string): void {
  assert.doesNotMatch(text, /^\s+at /m, 'no stack traces');
}

describe('ft-edge help and usage errors', () => {
  it('prints the top-level help with every command and the exit codes', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c} +\\S`, 'm'));
    assert.match(r.stdout, /exit codes:\n  0 +success\n  1 +failed.*\n  2 +configuration problems\n  64 +bad command line/);
  });

  it("prints each command's own help", async () => {
    for (const c of COMMANDS) {
      const r = await cli([c, '--help']);
      assert.equal(r.code, 0, c);
      assert.match(r.stdout, new RegExp(`^usage: ft-edge ${c}`), c);
    }
  });

  it('prints the version', async () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal((await cli(['--version'])).stdout, `${pkg.version}\n`);
  });

  it('exits 64 with one line for a missing or unknown command or option', async () => {
    const none = await cli([]);
    assert.equal(none.code, 64);
    assert.match(none.stderr, /^ft-edge .*\n\nusage: ft-edge/);

    const cases: [string[], string][] = [
      [['stauts'], 'ft-edge: unknown command "stauts", did you mean "status"? (see ft-edge --help)\n'],
      [['--verbose', 'status'], 'ft-edge: unknown option --verbose (see ft-edge --help)\n'],
      [['status', '--jsno'], 'ft-edge: status: unknown option --jsno (see ft-edge status --help)\n'],
      [['status', 'now'], 'ft-edge: status: unexpected argument now (see ft-edge status --help)\n'],
      [['export'], 'ft-edge: export: --out DIR is required (see ft-edge export --help)\n'],
      [['export', '--out'], 'ft-edge: export: option --out needs a value (see ft-edge export --help)\n'],
      [['--config-dir'], 'ft-edge: --config-dir needs a directory (see ft-edge --help)\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = await cli(args);
      assert.deepEqual({ code: r.code, stderr: r.stderr, stdout: r.stdout }, { code: 64, stderr, stdout: '' }, args.join(' '));
    }
  });
});

describe('ft-edge status without a daemon', () => {
  it('says so in one line and exits 1', async () => {
    const socket = join(tmp, 'nobody.sock');
    const r = await cli(['status'], { NODE_CONFIG: JSON.stringify({ control: { socket } }) });
    assert.deepEqual(r, { code: 1, stdout: '', stderr: `ft-edge: the daemon is not running (nothing listens on ${socket})\n` });
  });
});

describe('ft-edge check-config', () => {
  const creds = join(tmp, 'creds');
  mkdirSync(creds);
  writeFileSync(join(creds, 'ws_token_third'), SECRETS[2]!);
  const tokenFile = join(tmp, 'token');
  writeFileSync(tokenFile, SECRETS[1]! + '\n');
  chmodSync(tokenFile, 0o600);

  it('prints the effective configuration with every token masked', async () => {
    const r = await cli(['check-config'], {
      CREDENTIALS_DIRECTORY: creds,
      NODE_CONFIG: JSON.stringify({
        external_message_consumer: {
          enabled: true,
          producers: [
            { name: 'first', host: '10.0.0.1', ws_token: SECRETS[0] },
            { name: 'second', host: '10.0.0.2', ws_token_file: tokenFile },
            { name: 'third', host: '10.0.0.3' },
          ],
        },
      }),
    });
    assert.equal(r.code, 0, r.stderr);
    assertNoSecret(r.stdout, r.stderr);
    const effective = JSON.parse(r.stdout) as { external_message_consumer: { producers: { ws_token: string }[] }; datadir: string };
    assert.deepEqual(effective.external_message_consumer.producers.map((p) => p.ws_token), ['***', '***', '***']);
    assert.ok(effective.datadir.startsWith('/'));
    assert.match(r.stderr, new RegExp([
      '^source: .*config/default\\.json',
      'source: \\$NODE_CONFIG',
      'from \\$NODE_CONFIG: external_message_consumer\\.enabled, external_message_consumer\\.producers',
      'automatic: control\\.socket, datadir',
      "the rest: ft-edge's defaults \\(.*config/default\\.json\\)",
      'live trading: off \\(dry_run true: paper trades only\\)',
      'REST API for FreqUI: off \\(api_server\\.enabled false\\)',
      'configuration is valid\n$',
    ].join('\n')));
  });

  it('lists problems, prints no configuration and exits 2, without tokens or stack traces', async () => {
    const r = await cli(['check-config'], {
      NODE_CONFIG: JSON.stringify({
        external_message_consumer: {
          enabled: true,
          producers: [{ name: 'p', host: `ws://10.0.0.1:8080/api/v1/message/ws?token=${SECRETS[0]}`, ws_tokn: SECRETS[1] }],
        },
        log: { level: SECRETS[2] },
      }),
    });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assertNoSecret(r.stderr);
    assertNoStack(r.stderr);
    assert.deepEqual(r.stderr.split('\n').filter((l) => l.startsWith('problem: ')), [
      'problem: external_message_consumer.producers[0].ws_tokn: unknown key, did you mean "ws_token"? (in $NODE_CONFIG)',
      'problem: external_message_consumer.producers[0].host: is a URL: give only the host name or IP address (port and secure are separate keys) (in $NODE_CONFIG)',
      'problem: log.level: expected one of "error", "warn", "info", "debug", got a long string (in $NODE_CONFIG)',
    ]);
  });

  it('resolves the strategy as run does: an unknown name is a problem here, not after start-up', async () => {
    const r = await cli(['check-config'], { NODE_CONFIG: JSON.stringify({ strategy: 'SampleStrategy' }) });
    assert.equal(r.code, 2);
    assert.deepEqual(r.stderr.split('\n').filter((l) => l.startsWith('problem: ')), [
      'problem: unknown strategy "SampleStrategy": name a built-in (UpstreamSignals, RsiBollingerConsumer) or give the absolute path of a .js/.mjs module',
    ]);
  });

  it('reads a freqtrade config file given with --config, relative to the working directory', async () => {
    const dir = join(tmp, 'ft');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      max_open_trades: 5, stake_amount: 50, telegram: { enabled: false },
      external_message_consumer: { enabled: true, producers: [{ name: 'default', host: '10.0.0.9', ws_token: SECRETS[0] }] },
    }));
    chmodSync(join(dir, 'config.json'), 0o600);
    const r = await cli(['check-config', '--config', 'config.json'], {}, dir);
    assert.equal(r.code, 0, r.stderr);
    assertNoSecret(r.stdout, r.stderr);
    const effective = JSON.parse(r.stdout) as { max_open_trades: number; stake_amount: number };
    assert.deepEqual([effective.max_open_trades, effective.stake_amount], [5, 50]);
    assert.match(r.stderr, new RegExp(`warning: ${join(dir, 'config.json')}: freqtrade settings ft-edge does not implement, ignored: telegram\n`));
    assert.match(r.stderr, new RegExp(`from ${join(dir, 'config.json')}: external_message_consumer.enabled, external_message_consumer.producers, stake_amount, max_open_trades\n`));
  });

  it('ft-edge strategies lists the built-ins with their columns and parameters', async () => {
    const r = await cli(['strategies', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { name: string; columns: string[]; parameters: Record<string, unknown> }[];
    assert.deepEqual(list.map((x) => [x.name, x.columns, x.parameters]), [
      ['UpstreamSignals', ['enter_long'], {}],
      ['RsiBollingerConsumer', ['rsi', 'tema', 'bb_middleband', 'volume'], { buy_rsi: 30, sell_rsi: 70 }],
    ]);
    assert.match((await cli(['strategies'])).stdout, /^RsiBollingerConsumer\n.*\n  reads      rsi, tema, bb_middleband, volume of producer "default"/m);
  });

  it('reads the configuration directory given with --config-dir, and node-config arguments pass through', async () => {
    const dir = join(tmp, 'confdir');
    mkdirSync(dir);
    writeFileSync(join(dir, 'local.json'), '{"store": {"capacity": 300}}');
    const r = await cli(['--config-dir', dir, 'check-config', '--NODE_CONFIG={"wire": {"max_backoff": 60}}']);
    assert.equal(r.code, 0, r.stderr);
    const effective = JSON.parse(r.stdout) as { store: { capacity: number }; wire: { max_backoff: number } };
    assert.equal(effective.store.capacity, 300);
    assert.equal(effective.wire.max_backoff, 60);
    assert.match(r.stderr, new RegExp(`source: ${join(dir, 'local.json')}\n`));
  });
});

describe('ft-edge run with a bad configuration', () => {
  it('logs each problem at error priority and exits 2 without starting', async () => {
    const r = await cli(['run'], {
      NODE_CONFIG: JSON.stringify({ external_message_consumer: { enabled: true, producers: [{ name: 'p', host: 'h', ws_token: SECRETS[0], port: 99999 }] } }),
    });
    assert.equal(r.code, 2);
    assertNoSecret(r.stdout, r.stderr);
    assertNoStack(r.stderr);
    assert.deepEqual(r.stderr.split('\n').filter(Boolean), [
      '<3>[config] external_message_consumer.producers[0].port: must be 0..65535, got 99999 (in $NODE_CONFIG)',
      '<3>[config] 1 configuration problem: not starting (ft-edge check-config shows the effective configuration)',
    ]);
  });
});
