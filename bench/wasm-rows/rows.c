/*
 * The "data" list of a split-orient frame, still escaped inside the outer message, scanned in WebAssembly: the
 * measured alternative to FrameDecoder's JS loop (issue 14). Only the common cells are taken: plain numbers
 * (Clinger's fast path, the same IEEE operations as json-number.ts, so the same doubles), 0/1 in signal
 * columns, null. Anything else (strings, NaN, whitespace, long mantissas, ragged rows) answers BAIL, and the JS
 * decoder decodes the message instead: the scanner can only be faster, never different.
 *
 * Memory: column k of the wire writes cap doubles (or int8 in the first cap bytes) at out + k * cap * 8 and its
 * valid bytes at valid + k * cap; dates are kind DATE. A tag column (TAG: null or text) leaves its strings to
 * JS, and so do float columns their numbers beyond the fast path: each is listed as (row, k, start, end) in strs,
 * up to max_strs of them.
 */
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

enum { DATE = 0, F64 = 1, INT8 = 2, TAG = 3 };
#define BAIL (-1)

static const double POW10[23] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};
static const u64 TWO_53 = 1ull << 53;

/*
 * Scans the JSON number at p: the position after it, or BAIL where the JS scanner must decide. *exact says
 * whether Clinger's fast path gave *out; otherwise (long mantissas, large exponents) JS rounds the text.
 */
static int number(const u8 *b, int p, int end, double *out, int *exact) {
  int neg = 0;
  if (p < end && b[p] == '-') { neg = 1; p++; }
  int first = p;
  u64 m = 0;
  while (p < end && (u32)(b[p] - '0') <= 9) m = m * 10 + (b[p++] - '0');
  int digits = p - first;
  if (digits == 0 || (digits > 1 && b[first] == '0')) return BAIL;
  int scale = 0;
  if (p < end && b[p] == '.') {
    int f = ++p;
    while (p < end && (u32)(b[p] - '0') <= 9) m = m * 10 + (b[p++] - '0');
    scale = p - f;
    if (scale == 0) return BAIL;
  }
  int exp = 0;
  if (p < end && (b[p] | 0x20) == 'e') {
    p++;
    int sign = 1;
    if (p < end && (b[p] == '+' || b[p] == '-')) sign = b[p++] == '-' ? -1 : 1;
    int f = p;
    while (p < end && (u32)(b[p] - '0') <= 9 && p - f < 4) exp = exp * 10 + (b[p++] - '0');
    if (p == f || (p < end && (u32)(b[p] - '0') <= 9)) return BAIL;
    exp *= sign;
  }
  /* 19 digits fit a u64 exactly; below 2^53 the double is exact too */
  int pw = exp - scale;
  *exact = digits + scale <= 19 && m < TWO_53 && pw >= -22 && pw <= 22;
  if (!*exact) return p;
  double v = pw >= 0 ? (double)m * POW10[pw] : (double)m / POW10[-pw];
  *out = neg ? -v : v;
  return p;
}

/*
 * Flags on the column number of a listed cell: a string with escapes or non-ASCII bytes (JS decodes and
 * checks it), a number beyond the fast path (JS rounds it).
 */
#define NOT_PLAIN (1 << 30)
#define LONG_NUMBER (1 << 29)

/*
 * The end (position of the closing \") of the inner string whose content starts at p, or BAIL; *plain says
 * whether it is printable ASCII without escapes. An inner escape (an outer \\) skips the inner character after
 * it; outer escapes other than \" and \\ would be control characters or \u units inside: JS reads those.
 */
static int string_end(const u8 *b, int p, int end, int *plain) {
  *plain = 1;
  while (p < end) {
    u8 c = b[p];
    if (c == '\\') {
      if (p + 1 >= end) return BAIL;
      if (b[p + 1] == '"') return p;
      if (b[p + 1] != '\\') return BAIL;
      *plain = 0;
      p += 2; /* an inner backslash: the inner character after it is escaped */
      if (p < end && b[p] == '\\') {
        if (p + 1 >= end || (b[p + 1] != '"' && b[p + 1] != '\\')) return BAIL;
        p += 2;
      } else p++;
      continue;
    }
    if (c < 0x20) return BAIL;
    if (c >= 0x80) *plain = 0;
    p++;
  }
  return BAIL;
}

static int is_null(const u8 *b, int p, int end) {
  return p + 4 <= end && b[p] == 'n' && b[p + 1] == 'u' && b[p + 2] == 'l' && b[p + 3] == 'l';
}

/*
 * Rows of the list at p (b[p] == '['), with ncols cells each of the given kinds, at most cap of them. Returns the
 * row count (the cells listed in *nstrs, the position after the list in *after), or BAIL.
 */
int scan_rows(const u8 *b, int p, int end, const u8 *kinds, int ncols, int cap,
              double *dates, u8 *out, u8 *valid, int *strs, int max_strs, int *nstrs, int *after) {
  int n = 0;
  if (p >= end || b[p] != '[') return BAIL;
  p++;
  if (ncols == 0 || p >= end || b[p] != '[') return BAIL;
  int row = 0;
  for (;;) {
    if (row == cap || b[p] != '[') return BAIL;
    p++;
    for (int k = 0; k < ncols; k++) {
      if (k > 0) {
        if (p >= end || b[p] != ',') return BAIL;
        p++;
      }
      u8 kind = kinds[k];
      double *f = (double *)(out + (u64)k * cap * 8);
      u8 *v = valid + (u64)k * cap;
      if (is_null(b, p, end)) {
        if (kind == DATE) return BAIL;
        if (kind == F64) f[row] = __builtin_nan("");
        else if (kind == INT8) ((signed char *)f)[row] = 0;
        v[row] = 0;
        p += 4;
        continue;
      }
      if (kind == INT8) {
        if (p + 1 < end && (b[p] == '0' || b[p] == '1') && (b[p + 1] == ',' || b[p + 1] == ']')) {
          ((signed char *)f)[row] = (signed char)(b[p] - '0');
          v[row] = 1;
          p++;
          continue;
        }
        return BAIL;
      }
      if (kind == TAG) {
        if (n == max_strs || p + 1 >= end || b[p] != '\\' || b[p + 1] != '"') return BAIL;
        int plain;
        int e = string_end(b, p + 2, end, &plain);
        if (e < 0) return BAIL;
        int *s = strs + 4 * n++;
        s[0] = row; s[1] = plain ? k : k | NOT_PLAIN; s[2] = p + 2; s[3] = e;
        v[row] = 1;
        p = e + 2;
        continue;
      }
      double x;
      int exact;
      int q = number(b, p, end, &x, &exact);
      if (q < 0) return BAIL;
      if (!exact) {
        if (kind == DATE || n == max_strs) return BAIL;
        int *s = strs + 4 * n++;
        s[0] = row; s[1] = k | LONG_NUMBER; s[2] = p; s[3] = q;
        p = q;
        continue;
      }
      if (kind == DATE) {
        if (x > 8.64e15 || x < -8.64e15 || x != (double)(long long)x) return BAIL; /* range first: the cast needs it */
        dates[row] = x;
      } else {
        f[row] = x;
        v[row] = 1;
      }
      p = q;
    }
    if (p >= end || b[p] != ']') return BAIL;
    row++;
    p++;
    if (p < end && b[p] == ']') {
      *nstrs = n;
      *after = p + 1;
      return row;
    }
    if (p >= end || b[p] != ',') return BAIL;
    p++;
    if (p >= end) return BAIL;
  }
}

/* A bump allocator over linear memory for the JS side: the heap starts after the data the linker placed. */
extern unsigned char __heap_base;
unsigned char *heap_base(void) { return &__heap_base; }
