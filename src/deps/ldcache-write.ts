// Pure writer for a glibc "glibc-ld.so.cache1.1" file, sorted the way the loader's binary search expects.

export interface LdCacheRecord {
  /** The soname the loader looks up. */
  name: string;
  /** Absolute path the loader opens. */
  path: string;
  /** ldconfig flags, e.g. 0x0303 for x86-64 libc6 (the loader rejects entries of other flags). */
  flags: number;
}

const HEADER = 48;
const ENTRY = 24;
const ENDIAN_LITTLE = 2;

/**
 * glibc's _dl_cache_libcmp: plain byte order, except that runs of digits compare as numbers
 * (so libfoo.so.10 sorts after libfoo.so.9) and a digit sorts after any non-digit.
 */
export function compareLibNames(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const digit = (s: string, k: number): boolean => k < s.length && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57;
  while (i < a.length) {
    if (digit(a, i)) {
      if (!digit(b, j)) return 1;
      let va = 0;
      let vb = 0;
      while (digit(a, i)) va = va * 10 + (a.charCodeAt(i++) - 48);
      while (digit(b, j)) vb = vb * 10 + (b.charCodeAt(j++) - 48);
      if (va !== vb) return va - vb;
    } else if (digit(b, j)) {
      return -1;
    } else if (j >= b.length || a.charCodeAt(i) !== b.charCodeAt(j)) {
      return a.charCodeAt(i) - (j < b.length ? b.charCodeAt(j) : 0);
    } else {
      i++;
      j++;
    }
  }
  return j < b.length ? -b.charCodeAt(j) : 0;
}

/** Encode a little-endian cache. Entries are sorted in descending name order, as ldconfig writes them. */
export function encodeLdCache(records: LdCacheRecord[]): Buffer {
  const sorted = [...records].sort((x, y) => compareLibNames(y.name, x.name) || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const stringsStart = HEADER + sorted.length * ENTRY;
  const strings: Buffer[] = [];
  const offsets = new Map<string, number>();
  let size = 0;
  const intern = (s: string): number => {
    const known = offsets.get(s);
    if (known !== undefined) return known;
    const offset = stringsStart + size;
    const bytes = Buffer.from(`${s}\0`);
    strings.push(bytes);
    size += bytes.length;
    offsets.set(s, offset);
    return offset;
  };
  const table = Buffer.alloc(HEADER + sorted.length * ENTRY);
  table.write('glibc-ld.so.cache1.1', 0, 'latin1');
  table.writeUInt32LE(sorted.length, 20);
  sorted.forEach((r, i) => {
    const o = HEADER + i * ENTRY;
    table.writeInt32LE(r.flags, o);
    table.writeUInt32LE(intern(r.name), o + 4);
    table.writeUInt32LE(intern(r.path), o + 8);
    // osversion (o + 12) and hwcap (o + 16) stay 0
  });
  table.writeUInt32LE(size, 24);
  table.writeUInt8(ENDIAN_LITTLE, 28);
  return Buffer.concat([table, ...strings]);
}
