/**
 * A journal on a read-only file system, as an SD card the kernel remounted read-only after I/O errors: the CLI
 * still reads every trade, and the daemon says "read-only" instead of "unable to open database file". A real
 * read-only mount (a tmpfs) needs root, which CI has.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Journal, journalPath, readTrades } from '../../src/journal/index.js';
import type { NewTrade } from '../../src/journal/index.js';

const root = process.getuid?.() === 0;

const trade = (pair: string): NewTrade => ({
  strategy: 'Test', producer: 'default', pair, timeframe: '5m', candleType: 'spot', isShort: false, stakeCurrency: 'USDT',
  stakeAmount: 100, amount: 1, openRate: 100, openDate: 1, openCandle: 0, feeOpen: 0.001, feeClose: 0.001, stopLoss: 90,
  enterTag: null, openedAt: 1,
});

test('a journal on a read-only file system: trades still read, the daemon names the cause', { skip: root ? false : 'needs root to mount a read-only file system' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-edge-ro-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir]);
  t.after(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const path = journalPath(dir);
  const j = new Journal(path);
  await j.start();
  for (let i = 0; i < 32; i++) await j.recordEntry(trade(`P${i}/USDT`), null);
  await j.stop();
  execFileSync('mount', ['-o', 'remount,ro', dir]);
  // Plain read-only SQLite cannot open a WAL journal here (no -shm file can be made): "unable to open database file".
  assert.equal(readTrades(path, 'all').length, 32);
  await assert.rejects(new Journal(path).start(), { message: `journal ${path}: the state directory is on a read-only file system (an SD card remounted read-only after I/O errors?)` });
});
