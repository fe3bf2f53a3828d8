/**
 * ISO 8601 timestamps as freqtrade's `la` carries them ("2024-10-24T09:29:03.123456+00:00"). Accepted:
 * YYYY-MM-DD, `T` (or `t` or a space), hh:mm[:ss[.fraction]], then `Z`, ±hh[:mm] or nothing (= UTC), as
 * pydantic's datetime parsing does; every field range-checked (no 24:00, no Feb 30). Read char by char: this
 * runs for every analyzed_df message.
 */
const DAY_MS = 86_400_000;

/** Epoch milliseconds of `s` (fraction below a millisecond dropped), or undefined when it is not such a timestamp. */
export function parseIsoTimestamp(s: string): number | undefined {
  const n = s.length;
  if (n < 16) return undefined;
  const year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  const hour = digits(s, 11, 2), minute = digits(s, 14, 2);
  const t = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || (t !== 0x54 && t !== 0x74 && t !== 0x20) || s.charCodeAt(13) !== 0x3a) {
    return undefined;
  }
  let p = 16;
  let second = 0;
  let ms = 0;
  if (s.charCodeAt(p) === 0x3a) {
    second = digits(s, p + 1, 2);
    p += 3;
    const c = s.charCodeAt(p);
    if (c === 0x2e || c === 0x2c) {
      const f = ++p;
      while (p < n && p - f < 9 && isDigit(s.charCodeAt(p))) p++;
      if (p === f) return undefined;
      for (let i = f; i < f + 3; i++) ms = ms * 10 + (i < p ? s.charCodeAt(i) - 0x30 : 0);
    }
  }
  let offset = 0;
  const c = s.charCodeAt(p);
  if (c === 0x5a || c === 0x7a) {
    p++;
  } else if (c === 0x2b || c === 0x2d) {
    const oh = digits(s, p + 1, 2);
    p += 3;
    let om = 0;
    const colon = s.charCodeAt(p) === 0x3a;
    if (colon) p++;
    if (p < n || colon) {
      om = digits(s, p, 2);
      p += 2;
    }
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offset = (c === 0x2d ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  if (p !== n || year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offset;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The decimal number in s[at, at + len), or -1 when those are not all digits. */
function digits(s: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
