import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StatusReport } from '../../src/appliance/control-protocol.js';
import { ControlServer } from '../../src/appliance/control-server.js';
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

const report: StatusReport = {
  version: '0.1.0',
  pid: 4242,
  uptime_s: 7384,
  rss_bytes: 50_541_363,
  producers: [
    {
      name: 'default',
      state: 'connected',
      address: 'ws://10.0.0.2:8080/api/v1/message/ws',
      last_error: null,
      pairs: 48,
      keys: 48,
      rows: 72000,
      last_message_age_s: 2,
      counters: { connects: 1, 'messages.analyzed_df': 960, 'dropped.frame': 0 },
    },
    { name: 'gpu-box', state: 'refused', address: null, last_error: 'HTTP 403: token refused', pairs: 0, keys: 0, rows: 0, last_message_age_s: null, counters: {} },
  ],
  sections: { trading: { 'open trades': 3, 'realised profit': '12.40 USDT', 'last decision': null } },
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
        '  connects 1, messages.analyzed_df 960',
        'gpu-box   refused        0     0      0  never',
        '  last error: HTTP 403: token refused',
        '',
        'trading',
        '  open trades      3',
        '  realised profit  12.40 USDT',
        '  last decision    -',
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
    assert.match(renderStatus({ ...report, producers: [], sections: {} }), /\n\nno producers configured$/);
  });
});
