// Pure reader for glibc's /etc/ld.so.cache ("glibc-ld.so.cache1.1", optionally after an old-format part).

const MAGIC_OLD = 'ld.so-1.7.0';
const MAGIC_NEW = 'glibc-ld.so.cache';
const VERSION_NEW = '1.1';
const HEADER_NEW = 48;
const ENTRY_NEW = 24;

export interface LdCacheEntry {
  /** The soname, e.g. "libc.so.6". */
  name: string;
  /** Absolute path of the library, e.g. "/lib/x86_64-linux-gnu/libc.so.6". */
  path: string;
  /** ldconfig's flags: low byte is the ABI type (3 = ELF libc6), high byte the arch (0x03 = x86-64). */
  flags: number;
  /** Non-zero for glibc-hwcaps subdirectory entries. */
  hwcap: bigint;
}

export interface LdCache {
  entries: LdCacheEntry[];
  /** Entries by soname, in cache order. */
  byName: Map<string, LdCacheEntry[]>;
}

/** Parse ld.so.cache bytes. Throws Error when the format is not recognised. */
export function parseLdCache(bytes: Uint8Array): LdCache {
  const ascii = (o: number, n: number): string => Buffer.from(bytes.buffer, bytes.byteOffset + o, Math.max(0, Math.min(n, bytes.length - o))).toString('latin1');
  let base = 0;
  if (ascii(0, MAGIC_OLD.length) === MAGIC_OLD) {
    // Old-format part first: magic[11], pad, nlibs, 12-byte entries; the new part starts 8-aligned.
    const nOld = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
    base = align8(16 + nOld * 12);
  }
  if (ascii(base, MAGIC_NEW.length) !== MAGIC_NEW || ascii(base + 17, 3) !== VERSION_NEW) {
    throw new Error('not a glibc-ld.so.cache1.1 file');
  }
  if (bytes.length < base + HEADER_NEW) throw new Error('truncated ld.so.cache header');
  const view = new DataView(bytes.buffer, bytes.byteOffset + base, bytes.byteLength - base);
  const endianFlag = view.getUint8(28) & 3;
  const le = endianFlag !== 3;
  const nlibs = view.getUint32(20, le);
  if (HEADER_NEW + nlibs * ENTRY_NEW > view.byteLength) throw new Error('truncated ld.so.cache entries');

  const str = (off: number): string => {
    const start = base + off;
    if (start >= bytes.length) throw new Error(`ld.so.cache string offset ${off} out of bounds`);
    let end = start;
    while (end < bytes.length && bytes[end] !== 0) end++;
    return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
  };

  const entries: LdCacheEntry[] = [];
  const byName = new Map<string, LdCacheEntry[]>();
  for (let i = 0; i < nlibs; i++) {
    const o = HEADER_NEW + i * ENTRY_NEW;
    const entry: LdCacheEntry = {
      flags: view.getInt32(o, le),
      name: str(view.getUint32(o + 4, le)),
      path: str(view.getUint32(o + 8, le)),
      hwcap: view.getBigUint64(o + 16, le),
    };
    entries.push(entry);
    const list = byName.get(entry.name);
    if (list) list.push(entry);
    else byName.set(entry.name, [entry]);
  }
  return { entries, byName };
}

/** Paths the cache offers for `name`, plain entries before glibc-hwcaps ones. */
export function lookupLdCache(cache: LdCache, name: string): string[] {
  const list = cache.byName.get(name) ?? [];
  return [...list.filter((e) => e.hwcap === 0n), ...list.filter((e) => e.hwcap !== 0n)].map((e) => e.path);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
