/**
 * Arrow bitmaps (validity and boolean values): bit i lives in byte i >> 3, least significant bit first.
 * The ring keeps its bitmaps in this layout so Arrow reads them in place, at any bit offset.
 */

/** Bytes for a bitmap of `bits` bits, padded to 8 bytes like Arrow's buffers. */
export function bitmapBytes(bits: number): number {
  return ((bits + 63) >>> 6) << 3;
}

export function getBit(bitmap: Uint8Array, i: number): boolean {
  return (bitmap[i >>> 3]! & (1 << (i & 7))) !== 0;
}

export function setBit(bitmap: Uint8Array, i: number, on: boolean): void {
  const b = i >>> 3;
  bitmap[b] = on ? bitmap[b]! | (1 << (i & 7)) : bitmap[b]! & ~(1 << (i & 7));
}

/**
 * Writes `n` flags, one byte each (non-zero = set) from `src[from..]`, as bits starting at bit `at`.
 * Whole destination bytes are assembled from eight flags at once; only the unaligned edges go bit by bit.
 */
export function packBits(bitmap: Uint8Array, at: number, src: Uint8Array | Int8Array, from: number, n: number): void {
  let i = 0;
  for (; i < n && ((at + i) & 7) !== 0; i++) setBit(bitmap, at + i, src[from + i] !== 0);
  for (; i + 8 <= n; i += 8) {
    const s = from + i;
    bitmap[(at + i) >>> 3] =
      (src[s] !== 0 ? 1 : 0) |
      (src[s + 1] !== 0 ? 2 : 0) |
      (src[s + 2] !== 0 ? 4 : 0) |
      (src[s + 3] !== 0 ? 8 : 0) |
      (src[s + 4] !== 0 ? 16 : 0) |
      (src[s + 5] !== 0 ? 32 : 0) |
      (src[s + 6] !== 0 ? 64 : 0) |
      (src[s + 7] !== 0 ? 128 : 0);
  }
  for (; i < n; i++) setBit(bitmap, at + i, src[from + i] !== 0);
}
