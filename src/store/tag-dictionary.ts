/**
 * The strings of one 'dict' column of a ring (enter_tag, exit_tag, FreqAI labels). Rows hold Int32 codes
 * into `values`; a code stays valid while rows reference it, so appends never rewrite older rows.
 */
export class TagDictionary {
  readonly values: string[] = [];
  /** Changes whenever `values` does, so a reader may keep what it derived from them until then. */
  version = 0;
  private readonly codes = new Map<string, number>();

  /** The code of `s`, added when new. */
  code(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(s);
      this.codes.set(s, c);
      this.version++;
    }
    return c;
  }

  /**
   * Drops the strings whose `used` flag is 0, keeping the others in their order, and returns the
   * old -> new code mapping the caller applies to its rows.
   */
  compact(used: Uint8Array): Int32Array {
    const remap = new Int32Array(this.values.length);
    let next = 0;
    for (let c = 0; c < this.values.length; c++) {
      if (used[c] === 0) {
        this.codes.delete(this.values[c]!);
        continue;
      }
      const s = this.values[c]!;
      this.values[next] = s;
      this.codes.set(s, next);
      remap[c] = next++;
    }
    this.values.length = next;
    this.version++;
    return remap;
  }
}
