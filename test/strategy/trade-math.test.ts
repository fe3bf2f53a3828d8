import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeTradeValue, openTradeValue, parseRoi, profitAbs, profitRatio, roiAt, round8, stopFillRate, stopPrice,
  stopReached, tradeMinutes, type Position,
} from '../../src/strategy/trade-math.js';

test("profit of a long, fees on both sides (freqtrade's test_calc_profit case: 30 @ 2.0 -> 2.1, fee 0.25 %)", () => {
  const p: Position = { isShort: false, openRate: 2.0, amount: 30, feeOpen: 0.0025, feeClose: 0.0025 };
  assert.equal(openTradeValue(p), 60.15); // 60 + 0.15 entry fee
  assert.equal(closeTradeValue(p, 2.1), 62.8425); // 63 - 0.1575 exit fee
  assert.equal(profitAbs(p, 2.1), 2.6925);
  assert.equal(profitRatio(p, 2.1), 0.04476309); // 62.8425 / 60.15 - 1, 8 decimals
});

test('profit of a short: proceeds minus fee at entry, cost plus fee at exit', () => {
  const p: Position = { isShort: true, openRate: 50, amount: 2, feeOpen: 0.001, feeClose: 0.001 };
  assert.equal(openTradeValue(p), 99.9);
  assert.equal(closeTradeValue(p, 45), 90.09);
  assert.equal(profitAbs(p, 45), 9.81);
  assert.equal(profitRatio(p, 45), 0.0981982); // 1 - 90.09 / 99.9
  assert.ok(profitAbs(p, 55) < 0);
});

test('a flat trade loses both fees', () => {
  const p: Position = { isShort: false, openRate: 100, amount: 1, feeOpen: 0.001, feeClose: 0.001 };
  assert.equal(profitAbs(p, 100), -0.2);
  assert.equal(profitRatio(p, 100), round8(99.9 / 100.1 - 1));
});

test('stop price, the candle reaching it, and the fill on a gap', () => {
  assert.equal(stopPrice(100, -0.1, false), 90);
  assert.equal(stopPrice(100, -0.1, true), 110.00000000000001);
  assert.equal(stopReached(90, 90, 101, false), true);
  assert.equal(stopReached(90, 90.01, 101, false), false);
  assert.equal(stopReached(110, 95, 110, true), true);
  assert.equal(stopFillRate(90, 95, false), 90, 'opened above the stop: fills at the stop');
  assert.equal(stopFillRate(90, 85, false), 85, 'gapped below the stop: fills at the open');
  assert.equal(stopFillRate(110, 115, true), 115);
  assert.equal(stopFillRate(110, 100, true), 110);
});

test('ROI: the entry with the largest key <= the trade duration applies', () => {
  const roi = parseRoi({ '60': 0.01, '30': 0.02, '0': 0.04 });
  assert.ok(typeof roi !== 'string');
  assert.deepEqual(roi.map((s) => s.minutes), [0, 30, 60]);
  assert.equal(roiAt(roi, 0), 0.04);
  assert.equal(roiAt(roi, 29), 0.04);
  assert.equal(roiAt(roi, 30), 0.02);
  assert.equal(roiAt(roi, 59), 0.02);
  assert.equal(roiAt(roi, 600), 0.01);
  const late = parseRoi({ '10': 0.05 });
  assert.ok(typeof late !== 'string');
  assert.equal(roiAt(late, 9), undefined, 'no ROI before the first key');
  assert.equal(roiAt([], 100), undefined);
});

test('ROI tables with bad keys or values are one-line problems', () => {
  assert.equal(parseRoi({ ten: 0.1 }), 'minimal_roi key "ten" is not a whole number of minutes');
  assert.equal(parseRoi({ '-5': 0.1 }), 'minimal_roi key "-5" is not a whole number of minutes');
  assert.equal(parseRoi({ '0': '0.1' }), 'minimal_roi["0"] must be a number, got "0.1"');
});

test('trade duration is in whole minutes', () => {
  assert.equal(tradeMinutes(0, 29 * 60_000 + 59_999), 29);
  assert.equal(tradeMinutes(0, 30 * 60_000), 30);
});
