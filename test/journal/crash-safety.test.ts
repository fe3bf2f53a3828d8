/**
 * kill -9 at random moments while a child process journals decisions as fast as it can: the database must
 * pass integrity_check afterwards and hold every trade the child acknowledged (printed after the commit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Journal, journalPath } from '../../src/journal/index.js';

const ROUNDS = 20;
const journalModule = pathToFileURL(join(import.meta.dirname, '../../src/journal/journal.js')).href;

/** The child: open, then entries and exits in a loop, each acknowledged on stdout once committed. */
const CHILD = `
import { writeSync } from 'node:fs';
const { Journal } = await import(process.env.JOURNAL_MODULE);
const j = new Journal(process.env.JOURNAL_PATH);
await j.start();
const round = process.env.ROUND;
const open = [];
for (let i = 0; ; i++) {
  const t = await j.recordEntry({
    strategy: 'Crash', producer: 'default', pair: 'R' + round + '-P' + i + '/USDT', timeframe: '5m', candleType: 'spot',
    isShort: false, stakeCurrency: 'USDT', stakeAmount: 10, amount: 1, openRate: 10, openDate: i, openCandle: i,
    feeOpen: 0.001, feeClose: 0.001, stopLoss: 9, enterTag: 'x'.repeat(i % 50), openedAt: i,
  }, { at: i, producer: 'default', pair: 'R' + round + '-P' + i + '/USDT', timeframe: '5m', candleType: 'spot',
       candle: i, signal: 'enter_long', tag: null, outcome: 'entered', detail: null });
  writeSync(1, 'open ' + t.id + '\\n');
  open.push(t);
  if (i % 3 === 2) {
    const c = await j.recordExit(open.shift(), { closeRate: 11, closeDate: i, closeCandle: i, profitAbs: 0.98, profitRatio: 0.098, exitReason: 'roi', closedAt: i }, null);
    writeSync(1, 'close ' + c.id + '\\n');
  }
}
`;

interface Round {
  opened: number[];
  closed: number[];
}

function runAndKill(path: string, round: number, killAfterMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: { ...process.env, JOURNAL_MODULE: journalModule, JOURNAL_PATH: path, ROUND: String(round) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      // Start the countdown once the child is writing, so every round kills it mid-loop.
      timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child ended without being killed: ${err}`));
      const r: Round = { opened: [], closed: [] };
      for (const line of out.split('\n')) {
        const m = /^(open|close) (\d+)$/.exec(line);
        if (m !== null) (m[1] === 'open' ? r.opened : r.closed).push(Number(m[2]));
      }
      resolve(r);
    });
  });
}

test(`kill -9 mid-write, ${ROUNDS} rounds: integrity holds and no acknowledged trade is lost`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = journalPath(dir);
  let acknowledged = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const { opened, closed } = await runAndKill(path, round, 5 + Math.floor(Math.random() * 60));
    assert.ok(opened.length > 0, `round ${round}: the child committed something`);
    acknowledged += opened.length;
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `round ${round}`);
      const isOpen = db.prepare('SELECT is_open FROM trades WHERE id = ?').pluck();
      for (const id of opened) assert.notEqual(isOpen.get(id), undefined, `round ${round}: acknowledged trade ${id} is missing`);
      for (const id of closed) assert.equal(isOpen.get(id), 0, `round ${round}: acknowledged exit of ${id} is missing`);
      // Every committed entry came with its order: the transactions were atomic.
      const orphans = db.prepare('SELECT COUNT(*) FROM trades t WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.trade_id = t.id)').pluck().get();
      assert.equal(orphans, 0);
    } finally {
      db.close();
    }
  }
  // The daemon's own open after all that: migrations are a no-op and the open trades are there.
  const j = new Journal(path);
  await j.start();
  assert.ok(j.openTrades().length > 0);
  await j.stop();
  assert.ok(acknowledged >= ROUNDS);
  t.diagnostic(`${acknowledged} acknowledged entries over ${ROUNDS} kills`);
});
