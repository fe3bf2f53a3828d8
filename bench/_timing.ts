/** Timing two things fairly on a shared machine. */

/**
 * Median microseconds per call of `a` and of `b`, timed alternately (`inner` calls per sample) so that load from
 * other processes hits both alike.
 */
export function medians(a: () => void, b: () => void, inner: number, runs: number): [number, number] {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    let s = process.hrtime.bigint();
    for (let j = 0; j < inner; j++) a();
    ta.push(Number(process.hrtime.bigint() - s) / inner / 1e3);
    s = process.hrtime.bigint();
    for (let j = 0; j < inner; j++) b();
    tb.push(Number(process.hrtime.bigint() - s) / inner / 1e3);
  }
  const mid = (t: number[]): number => t.sort((x, y) => x - y)[t.length >> 1]!;
  return [mid(ta), mid(tb)];
}
