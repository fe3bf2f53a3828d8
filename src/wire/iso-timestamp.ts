/**
 * ISO 8601 timestamps as freqtrade's `la` carries them ("2024-10-24T09:29:03.123456+00:00"). Accepted:
 * date, `T` (or `t` or a space), hh:mm[:ss[.fraction]], optional `Z` or ±hh[:mm] offset (none = UTC), as
 * pydantic's datetime parsing does; every field range-checked (no 24:00, no Feb 30).
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)?$/;

const DAY_MS = 86_400_000;

/** Epoch milliseconds of `s` (fraction below a millisecond dropped), or undefined when it is not such a timestamp. */
export function parseIsoTimestamp(s: string): number | undefined {
  const m = ISO.exec(s);
  if (m === null) return undefined;
  const year = Number(m[1]), month = Number(m[2]), day = Number(m[3]);
  const hour = Number(m[4]), minute = Number(m[5]), second = Number(m[6] ?? 0);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const offHour = Number(m[9] ?? 0), offMinute = Number(m[10] ?? 0);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offHour > 23 || offMinute > 59) return undefined;
  const offset = (m[8] === '-' ? -1 : 1) * (offHour * 60 + offMinute) * 60_000;
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offset;
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
