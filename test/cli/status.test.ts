import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StatusReport } from '../../src/appliance/index.js';
import { ControlServer } from '../../src/control/index.js';
import { formatBytes, formatDuration, renderStatus } from '../../src/cli/status-view.js';
import { createLogger } from '../../src/log.js';
import { cli } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'ft-edge-status-'));
const socket = join(tmp, 'control.sock');
const server = new ControlServer(socket, createLogger('error', () => {}));
let exports = 0;
let exportFails = false;
const daemonExport = join(tmp, 'daemon-state', 'export');
let statusAnswer: unknown;

const counted = {
  dropped: { invalid: 0, undecodable: 0, frame: 0, oversize: 0, protocol: 0, internal: 0 }, re_requests: 0,
  decode_ms: { frames: 0, first: null, tenth: null, last: null, total: 0 },
};
/** 3 days, 5 hours and a half ago: rendered "3d 5h ago" however long the test takes. */
const decidedAt = Date.now() - (3 * 86_400 + 5.5 * 3600) * 1000;

const report: StatusReport = {
  version: '0.1.0',
  pid: 4242,
  uptime_s: 7384,
  rss_bytes: 50_541_363,
  producers: [
    {
      name: 'default', state: 'connected', address: 'ws://10.0.0.2:8080/api/v1/message/ws', last_error: null,
      connects: 1, failed_attempts: 0, bytes: 0, last_message_at: 1, last_frame_at: 1,
      messages: { analyzed_df: 960 }, ...counted,
      pairs: 48, keys: 48, rows: 72000, last_message_age_s: 2,
    },
    {
      name: 'gpu-box', state: 'refused', address: 'ws://10.0.0.3:8080/api/v1/message/ws',
      last_error: { code: 'refused', message: 'refused: token rejected by producer gpu-box' },
      connects: 0, failed_attempts: 3, bytes: 0, last_message_at: null, last_frame_at: null, messages: {}, ...counted,
      pairs: 0, keys: 0, rows: 0, last_message_age_s: null,
    },
  ],
  trading: {
    running: true, strategy: 'RsiBollingerConsumer', origin: 'built-in', disabled: null, mode: 'dry_run',
    open_trades: 3, max_open_trades: 5, stake_currency: 'USDT', realised_profit: 12.4, available_stake: 660,
    last_decision: { at: decidedAt, pair: 'BTC/USDT', action: 'entered', detail: '#1 long at 29999, stake 330 USDT' },
    disabled_keys: [],
    waiting: [
      { producer: 'default', pair: 'ETH/USDT', timeframe: '5m', candle_type: 'spot', reason: 'no frame yet' },
    ],
    entries_blocked: null,
    entries_stopped: false,
    timeframe: '5m',
    open_positions: [
      { trade_id: 1, pair: 'BTC/USDT', current_rate: 30500, profit_abs: 4.84, profit_ratio: 0.0147 },
      { trade_id: 2, pair: 'ETH/USDT', current_rate: null, profit_abs: null, profit_ratio: null },
    ],
  },
  problems: [{ code: 'token-refused', text: 'token refused by producer gpu-box' }],
};

before(async () => {
  server.handle('status', async () => statusAnswer);
  // Stands in for the daemon: writes an export into its own directory, as the daemon does into datadir/export.
  server.handle('export', async () => {
    if (exportFails) throw new Error('ENOSPC: no space left on device');
    exports += 1;
    const manifest = {
      frames: [
        { key: ['BTC/USDT', '5m', 'spot'], producer: 'default', rows: 1500, file: 'a.arrow' },
        { key: ['ETH/USDT', '5m', 'spot'], producer: 'default', rows: 20, file: 'b.arrow' },
      ],
      whitelist: { default: ['BTC/USDT', 'ETH/USDT'] },
    };
    mkdirSync(daemonExport, { recursive: true });
    writeFileSync(join(daemonExport, 'a.arrow'), 'frame a');
    writeFileSync(join(daemonExport, 'b.arrow'), 'frame b');
    writeFileSync(join(daemonExport, 'manifest.json'), JSON.stringify(manifest));
    return { dir: daemonExport, manifest };
  });
  await server.start();
});
after(async () => {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('ft-edge status', () => {
  it('renders the daemon status as a table', async () => {
    statusAnswer = report;
    const r = await cli(['status', '--socket', socket]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        'ft-edge 0.1.0  pid 4242  up 2h 03m  memory 48.2 MiB RSS',
        '',
        'PRODUCER  STATE      PAIRS  KEYS   ROWS  LAST MESSAGE',
        'default   connected     48    48  72000  2s ago',
        '  ws://10.0.0.2:8080/api/v1/message/ws',
        '  connects 1, analyzed_df messages 960',
        'gpu-box   refused        0     0      0  never',
        '  ws://10.0.0.3:8080/api/v1/message/ws',
        '  last error: refused: token rejected by producer gpu-box',
        '  failed attempts 3',
        '',
        'strategy',
        '  name          RsiBollingerConsumer',
        '  from          built-in',
        '  state         running',
        '  disabled for  none',
        '',
        'trading',
        '  mode               dry-run (paper trades)',
        '  open trades        3 of 5',
        '  realised profit    12.4 USDT',
        '  unrealised profit  4.84 USDT (1 of 2 open trades priced)',
        '  available stake    660 USDT',
        '  last decision      BTC/USDT entered #1 long at 29999, stake 330 USDT (3d 5h ago)',
        '  entries wait       ETH/USDT 5m spot: no frame yet',
        '',
        'problems',
        '  token refused by producer gpu-box',
        '',
      ].join('\n'),
    );
  });

  it('prints the answer as JSON with --json, and finds the socket through the configuration', async () => {
    statusAnswer = report;
    const r = await cli(['status', '--json'], { NODE_CONFIG: JSON.stringify({ control: { socket } }) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), report);
  });

  it('shows an answer of an unknown shape as JSON', async () => {
    statusAnswer = { producers: 'other version' };
    const r = await cli(['status', '--socket', socket]);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), statusAnswer);
  });
});

describe('ft-edge export', () => {
  it("copies the daemon's export to the directory asked for and summarises the manifest", async () => {
    const r = await cli(['export', '--out', 'snap/today', '--socket', socket], {}, tmp);
    assert.equal(r.code, 0, r.stderr);
    const out = join(tmp, 'snap', 'today');
    assert.equal(exports, 1);
    assert.equal(readFileSync(join(out, 'a.arrow'), 'utf8'), 'frame a');
    assert.equal(readFileSync(join(out, 'b.arrow'), 'utf8'), 'frame b');
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).whitelist, { default: ['BTC/USDT', 'ETH/USDT'] });
    assert.equal(r.stdout, `exported 2 frames (1520 rows) of 1 producer to ${out} (manifest: ${out}/manifest.json)\n`);
    const json = await cli(['export', '--out', out, '--json', '--socket', socket]);
    assert.equal((JSON.parse(json.stdout) as { frames: unknown[] }).frames.length, 2);
  });

  it("reports the daemon's error in one line and exits 1", async () => {
    exportFails = true;
    const r = await cli(['export', '--out', join(tmp, 'full-disk'), '--socket', socket]);
    exportFails = false;
    assert.deepEqual(r, { code: 1, stdout: '', stderr: 'ft-edge: export failed: ENOSPC: no space left on device\n' });
  });
});

describe('status view', () => {
  it('formats durations and sizes', () => {
    assert.deepEqual([0, 59, 60, 3599, 3600, 86_399, 86_400 * 3 + 3600 * 5].map(formatDuration), ['0s', '59s', '1m 00s', '59m 59s', '1h 00m', '23h 59m', '3d 5h']);
    assert.equal(formatBytes(512 * 1024), '512 KiB');
    assert.equal(formatBytes(1.5 * 1024 * 1024), '1.5 MiB');
  });

  it('says when no producers are configured', () => {
    assert.match(renderStatus({ ...report, producers: [], trading: { running: false, strategy: 'X', problems: ['stopped'] }, problems: [] }),
      /\n\nno producers configured\n\nstrategy\n  name   X\n  state  off: stopped$/);
  });
});
