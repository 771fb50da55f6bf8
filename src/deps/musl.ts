// musl's dynamic loader is also its C library: the names it reserves are answered by the loader itself, never loaded from a file.

/** The libraries musl's libc.so holds whole (ldso/dynlink.c: "c.pthread.rt.m.dl.util.xnet."). */
const RESERVED = ['c', 'pthread', 'rt', 'm', 'dl', 'util', 'xnet'];

/** Pure: whether PT_INTERP names musl's loader (/lib/ld-musl-x86_64.so.1 and the like). */
export function isMuslLoader(interp: string): boolean {
  return /(^|\/)ld-musl-[^/]+\.so\.1$/.test(interp);
}

/** Pure: whether musl's loader takes DT_NEEDED `name` as itself (libc.so, libpthread.so.0, libm.so.6, ...). */
export function isMuslReserved(name: string): boolean {
  return name.startsWith('lib') && RESERVED.some((r) => name.slice(3).startsWith(`${r}.`));
}
