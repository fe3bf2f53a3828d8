import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integerBeyond64Bits, scanNumber } from '../../src/wire/json-number.js';

function scan(text: string): number | undefined {
  const b = Buffer.from(`${text},`);
  const out = { value: NaN };
  const end = scanNumber(b, 0, b.length, out);
  if (end < 0) return undefined;
  assert.equal(end, text.length, text);
  return out.value;
}

test('correctly rounded like JSON.parse, on the fast path and off it', () => {
  for (const text of [
    '0', '-0', '0.0', '-0.0', '1', '-1', '0.1', '0.3', '1729761300000', '30090.25', '-255.4639010607', '0.0000000001',
    '9007199254740991', '9007199254740992', '9007199254740993', '18446744073709551615', '123456789012345678901234567890',
    '1e22', '1e23', '1.5e+16', '1e-16', '-1.797693135e+308', '1.7976931348623157e308', '4.9406564584124654e-324',
    '2.2250738585072011e-308', '8.98846567431158e307', '1e-400', '1e400', '-1e400', '0e999999', '29883.6770513373',
    '0.12345678901234567890123', '1E5', '1e+5', '1.0e-5', '123456789012345.6', '1234567890123456.7',
  ]) {
    assert.ok(Object.is(scan(text), JSON.parse(text)), `${text}: ${scan(text)} vs ${JSON.parse(text)}`);
  }
});

test('random mantissas and exponents agree with Number()', () => {
  let seed = 1;
  const rand = (n: number): number => {
    seed = (seed * 16807) % 2147483647;
    return seed % n;
  };
  for (let i = 0; i < 20000; i++) {
    const digits = Array.from({ length: rand(25) + 1 }, () => rand(10)).join('').replace(/^0+(?=\d)/, '');
    const frac = rand(2) === 0 ? '' : `.${Array.from({ length: rand(20) + 1 }, () => rand(10)).join('')}`;
    const exp = rand(3) === 0 ? `e${rand(2) === 0 ? '-' : '+'}${rand(340)}` : '';
    const text = `${rand(2) === 0 ? '-' : ''}${digits}${frac}${exp}`;
    assert.ok(Object.is(scan(text), Number(text)), text);
  }
});

test('text that is not a JSON number is refused', () => {
  for (const text of ['', '-', '+1', '.5', '1.', '1e', '1e+', '-.5', 'a', '-a']) assert.equal(scan(text), undefined, text);
  // JSON has no leading zeros: "01" scans as 0 followed by something else, which the caller then refuses
  const b = Buffer.from('01');
  assert.equal(scanNumber(b, 0, 2, { value: 0 }), 1);
  // the scan stops at `end`, whatever follows
  assert.equal(scanNumber(Buffer.from('12345'), 0, 3, { value: 0 }), 3);
});

test('integers beyond 64 bits are recognised exactly', () => {
  const beyond = (t: string): boolean => integerBeyond64Bits(Buffer.from(t), 0, t.length);
  assert.equal(beyond('18446744073709551615'), false);
  assert.equal(beyond('18446744073709551616'), true);
  assert.equal(beyond('-9223372036854775808'), false);
  assert.equal(beyond('-9223372036854775809'), true);
  assert.equal(beyond('100000000000000000000'), true);
  assert.equal(beyond('1e400'), false);
  assert.equal(beyond('18446744073709551616.0'), false);
});
