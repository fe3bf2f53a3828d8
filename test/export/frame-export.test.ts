import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, type Table } from '../../src/store/arrow.js';
import { exportStore, frameFileName, type Manifest } from '../../src/export/index.js';
import { FrameStore } from '../../src/store/index.js';
import { candles, decodedFrame, key, type Columns } from '../store/decoded-frame-fixture.js';

const H1 = 3_600_000;
const T0 = Date.UTC(2024, 9, 24, 0, 0);

function frame(from: number, n: number) {
  const idx = candles(from, n, 1);
  const cols: Columns = {
    open: idx.map((i) => i + 0.5),
    close: idx.map((i) => (i % 9 === 0 ? null : i * 1.25)),
    enter_long: idx.map((i) => (i % 4 === 0 ? 1 : 0)),
    enter_tag: idx.map((i) => (i % 4 === 0 ? `buy/${i % 3} é 🚀` : null)),
    'name with space': idx.map((i) => i % 2 === 0),
  };
  return decodedFrame(idx.map((i) => T0 + i * H1), cols);
}

/** Two producers, a futures pair with ':' and '/', one ring wrapped. */
function filledStore(): FrameStore {
  const store = new FrameStore({ capacity: 150 });
  store.ingest('default', key('BTC/USDT:USDT', '1h', 'futures'), '2024-10-24T09:29:03.123456+00:00', frame(0, 150));
  for (let i = 150; i < 160; i++) store.ingest('default', key('BTC/USDT:USDT', '1h', 'futures'), '2024-10-24T10:00:00+00:00', frame(i, 1));
  store.ingest('default', key('ETH/USDT', '1h'), '2024-10-24T09:30:00+00:00', frame(0, 100));
  store.ingest('other box', key('ETH/USDT', '1h'), '2024-10-24T09:31:00+00:00', frame(20, 120));
  store.setWhitelist('default', ['BTC/USDT:USDT', 'ETH/USDT']);
  store.setWhitelist('other box', ['ETH/USDT']);
  return store;
}

function cells(table: Table): Record<string, unknown[]> {
  return Object.fromEntries(table.schema.fields.map((f) => [f.name, [...table.getChild(f.name)!]]));
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ft-edge-export-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('export writes one Arrow IPC file per key and the manifest, readable back cell by cell', async (t) => {
  const store = filledStore();
  const dir = join(await tempDir(t), 'out'); // created by the export
  const manifest = await exportStore(store, dir);
  const onDisk = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  assert.deepEqual(onDisk, manifest);
  assert.deepEqual(manifest, {
    frames: [
      {
        key: ['BTC/USDT:USDT', '1h', 'futures'],
        producer: 'default',
        rows: 150,
        first_date: '2024-10-24T10:00:00.000Z',
        last_date: '2024-10-30T15:00:00.000Z',
        la: '2024-10-24T10:00:00+00:00',
        file: 'default.BTC_2FUSDT_3AUSDT.1h.futures.arrow',
      },
      {
        key: ['ETH/USDT', '1h', 'spot'],
        producer: 'default',
        rows: 100,
        first_date: '2024-10-24T00:00:00.000Z',
        last_date: '2024-10-28T03:00:00.000Z',
        la: '2024-10-24T09:30:00+00:00',
        file: 'default.ETH_2FUSDT.1h.spot.arrow',
      },
      {
        key: ['ETH/USDT', '1h', 'spot'],
        producer: 'other box',
        rows: 120,
        first_date: '2024-10-24T20:00:00.000Z',
        last_date: '2024-10-29T19:00:00.000Z',
        la: '2024-10-24T09:31:00+00:00',
        file: 'other_20box.ETH_2FUSDT.1h.spot.arrow',
      },
    ],
    whitelist: { default: ['BTC/USDT:USDT', 'ETH/USDT'], 'other box': ['ETH/USDT'] },
  });
  assert.deepEqual((await readdir(dir)).sort(), ['manifest.json', ...manifest.frames.map((f) => f.file)].sort(), 'no temporary files left');
  for (const f of manifest.frames) {
    const back = tableFromIPC(await readFile(join(dir, f.file)));
    const [pair, timeframe, candleType] = f.key;
    const live = store.producerDf(pair, timeframe, candleType, f.producer)!.table;
    assert.deepEqual(back.schema.fields.map((x) => `${x.name}:${x.type}`), live.schema.fields.map((x) => `${x.name}:${x.type}`));
    assert.equal(String(back.schema.fields[0]!.type), 'Timestamp<MILLISECOND, UTC>');
    assert.equal(back.numRows, f.rows);
    assert.deepEqual(cells(back), cells(live), f.file);
  }
});

test('a new export removes the frame files an earlier manifest listed, and nothing else', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'old.BTC_2FUSDT.5m.spot.arrow'), 'stale');
  await writeFile(join(dir, 'notes.txt'), 'mine');
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ frames: [{ file: 'old.BTC_2FUSDT.5m.spot.arrow' }, { file: '../escape.arrow' }, { file: 'notes.txt' }] }));
  const manifest = await exportStore(filledStore(), dir);
  assert.deepEqual((await readdir(dir)).sort(), ['manifest.json', 'notes.txt', ...manifest.frames.map((f) => f.file)].sort());
});

test('a new export removes the temporary files of an export that died mid-write, not those of a live one', async (t) => {
  const dir = await tempDir(t);
  const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited by now
  const orphans = [`default.ETH_2FUSDT.1h.spot.arrow.${dead}-3.tmp`, `manifest.json.${dead}-9.tmp`];
  const live = [`default.ETH_2FUSDT.1h.spot.arrow.${process.pid}-999999.tmp`, `default.ETH_2FUSDT.1h.spot.arrow.1-1.tmp`]; // this process, init
  const notOurs = [`notes.txt.${dead}-1.tmp`];
  for (const f of [...orphans, ...live, ...notOurs]) await writeFile(join(dir, f), 'partial');
  const manifest = await exportStore(filledStore(), dir);
  assert.deepEqual((await readdir(dir)).sort(), ['manifest.json', ...live, ...notOurs, ...manifest.frames.map((f) => f.file)].sort());
});

test('an export that cannot be written fails with one clear message and leaves no manifest', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a-file'), 'x');
  await assert.rejects(exportStore(filledStore(), join(dir, 'a-file', 'sub')), /^Error: export to .*a-file\/sub failed: a file is in the way where a directory must be \(.*a-file\/sub\): choose another directory or remove the file \[(ENOTDIR|EEXIST)\]$/);
  // --out naming an existing file (what `ft-edge export --out FILE` used to answer with "EEXIST ... mkdir").
  await assert.rejects(exportStore(filledStore(), join(dir, 'a-file')), /failed: a file is in the way where a directory must be \(.*a-file\): .*\[EEXIST\]$/);
});

test('an empty store exports an empty manifest', async (t) => {
  const dir = await tempDir(t);
  assert.deepEqual(await exportStore(new FrameStore({ capacity: 10 }), dir), { frames: [], whitelist: {} });
});

test('file names are unique per producer and key, and safe for any string', () => {
  const names = [
    frameFileName('default', key('BTC/USDT')),
    frameFileName('default', key('BTC_USDT')),
    frameFileName('default', key('BTC_2FUSDT')),
    frameFileName('default', key('BTC.USDT')),
    frameFileName('default.BTC', key('USDT')),
    frameFileName('default', key('BTC/USDT', '1h')),
    frameFileName('default', key('BTC/USDT', '5m', 'futures')),
    frameFileName('x', key('BTC/USDT')),
    frameFileName('x', key('../../etc/passwd')),
    frameFileName('x', key('é')),
  ];
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.match(n, /^[A-Za-z0-9][A-Za-z0-9._-]*\.arrow$/);
  const long = [frameFileName('p', key('A'.repeat(5000))), frameFileName('p', key('A'.repeat(4999)))];
  assert.notEqual(long[0], long[1]);
  for (const n of long) assert.ok(n.length <= 255, `${n.length} chars`);
});

const hasPyarrow = spawnSync('python3', ['-c', 'import pyarrow'], { stdio: 'ignore' }).status === 0;

test('pyarrow reads the export: timestamp dates, names and values', { skip: hasPyarrow ? false : 'python3 with pyarrow not available' }, async (t) => {
  const dir = await tempDir(t);
  const store = filledStore();
  const manifest = await exportStore(store, dir);
  const script = `
import json, sys, pyarrow as pa, pyarrow.ipc as ipc
out = []
for f in json.load(open(sys.argv[1] + '/manifest.json'))['frames']:
    t = ipc.open_file(sys.argv[1] + '/' + f['file']).read_all()
    t.validate(full=True)
    out.append({'file': f['file'], 'date': str(t.schema.field('date').type), 'names': t.column_names,
                'cols': {n: [None if v is None else (v.timestamp() * 1000 if n == 'date' else v) for v in t.column(n).to_pylist()] for n in t.column_names}})
print(json.dumps(out))
`;
  const r = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as { file: string; date: string; names: string[]; cols: Record<string, unknown[]> }[];
  assert.equal(seen.length, manifest.frames.length);
  for (const [i, f] of manifest.frames.entries()) {
    const live = store.producerDf(f.key[0], f.key[1], f.key[2], f.producer)!.table;
    assert.equal(seen[i]!.date, 'timestamp[ms, tz=UTC]');
    assert.deepEqual(seen[i]!.names, live.schema.fields.map((x) => x.name));
    assert.deepEqual(seen[i]!.cols, cells(live));
  }
});
