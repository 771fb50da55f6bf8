// ELF reader: class, byte order, type, machine, PT_INTERP and the dynamic section's names (pure), and whether a file is ELF, from its first bytes.
import { readHead } from '../util/fsx.js';

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;

export const ET = { REL: 1, EXEC: 2, DYN: 3, CORE: 4 } as const;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT = { NULL: 0, NEEDED: 1, STRTAB: 5, STRSZ: 10, SONAME: 14, RPATH: 15, RUNPATH: 29 } as const;

export interface ElfInfo {
  /** 32 or 64. */
  bits: 32 | 64;
  littleEndian: boolean;
  /** e_type: 2 EXEC, 3 DYN (shared objects and PIE executables). */
  type: number;
  /** e_machine: 62 x86-64, 3 i386, 183 aarch64, 40 arm, ... */
  machine: number;
  /** PT_INTERP contents (the dynamic loader), absent for static binaries and most libraries. */
  interp?: string;
  needed: string[];
  /** DT_RUNPATH / DT_RPATH split on ':', tokens like $ORIGIN left unexpanded. */
  runpath?: string[];
  rpath?: string[];
  soname?: string;
  /** True when the file has a PT_DYNAMIC segment. */
  dynamic: boolean;
}

/** True when `bytes` start with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** True when the file starts with the ELF magic; reads only its first bytes (throws when it cannot be opened). */
export async function isElfFile(file: string): Promise<boolean> {
  return isElf(await readHead(file, ELF_MAGIC.length));
}

interface Segment { type: number; offset: number; vaddr: number; filesz: number }

/** Reads an ELF file's header fields in its class and byte order; throws Error on a malformed header. */
function elfReader(bytes: Uint8Array) {
  if (!isElf(bytes)) throw new Error('not an ELF file (bad magic)');
  if (bytes.length < 52) throw new Error('truncated ELF header');
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) throw new Error(`unknown ELF class ${cls}`);
  if (data !== 1 && data !== 2) throw new Error(`unknown ELF byte order ${data}`);
  const bits: 32 | 64 = cls === 2 ? 64 : 32;
  const le = data === 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (o: number): number => view.getUint32(o, le);
  return {
    bits, le, u32,
    u16: (o: number): number => view.getUint16(o, le),
    word: (o: number): number => (bits === 64 ? Number(view.getBigUint64(o, le)) : u32(o)),
    sword: (o: number): number => (bits === 64 ? Number(view.getBigInt64(o, le)) : view.getInt32(o, le)),
    check: (o: number, n: number): void => {
      if (o < 0 || o + n > bytes.length) throw new Error(`ELF structure out of bounds at ${o}`);
    },
  };
}

/** Parse an ELF file's identity and dynamic-linking facts. Throws Error on malformed input. */
export function parseElf(bytes: Uint8Array): ElfInfo {
  const { bits, le, u16, u32, word, sword, check } = elfReader(bytes);

  if (bits === 64) check(0, 64);
  const type = u16(16);
  const machine = u16(18);
  const phoff = word(bits === 64 ? 32 : 28);
  const phentsize = u16(bits === 64 ? 54 : 42);
  const phnum = u16(bits === 64 ? 56 : 44);

  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    check(o, bits === 64 ? 56 : 32);
    segments.push(bits === 64
      ? { type: u32(o), offset: word(o + 8), vaddr: word(o + 16), filesz: word(o + 32) }
      : { type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16) });
  }

  const cstr = (o: number, end = bytes.length): string => {
    check(o, 0);
    let e = o;
    while (e < end && bytes[e] !== 0) e++;
    return Buffer.from(bytes.buffer, bytes.byteOffset + o, e - o).toString('utf8');
  };

  const info: ElfInfo = { bits, littleEndian: le, type, machine, needed: [], dynamic: false };
  const interp = segments.find((s) => s.type === PT_INTERP);
  if (interp) {
    check(interp.offset, interp.filesz);
    info.interp = cstr(interp.offset, interp.offset + interp.filesz);
  }

  const dyn = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dyn) return info;
  info.dynamic = true;
  const entSize = bits === 64 ? 16 : 8;
  const tags: Array<[number, number]> = [];
  for (let o = dyn.offset; o + entSize <= dyn.offset + dyn.filesz; o += entSize) {
    check(o, entSize);
    const tag = sword(o);
    if (tag === DT.NULL) break;
    tags.push([tag, word(o + entSize / 2)]);
  }
  const strtabAddr = tags.find(([t]) => t === DT.STRTAB)?.[1];
  if (strtabAddr === undefined) return info;
  const strtab = vaddrToOffset(segments, strtabAddr);
  const strsz = tags.find(([t]) => t === DT.STRSZ)?.[1] ?? bytes.length - strtab;
  const str = (off: number): string => cstr(strtab + off, Math.min(bytes.length, strtab + strsz));
  for (const [tag, val] of tags) {
    if (tag === DT.NEEDED) info.needed.push(str(val));
    else if (tag === DT.SONAME) info.soname = str(val);
    else if (tag === DT.RUNPATH) info.runpath = splitPath(str(val));
    else if (tag === DT.RPATH) info.rpath = splitPath(str(val));
  }
  return info;
}

function vaddrToOffset(segments: Segment[], addr: number): number {
  for (const s of segments) {
    if (s.type === PT_LOAD && addr >= s.vaddr && addr < s.vaddr + s.filesz) return addr - s.vaddr + s.offset;
  }
  // Some hand-made or unusual files have no PT_LOAD covering it; treat it as a file offset.
  return addr;
}

function splitPath(value: string): string[] {
  return value.split(':').filter((p) => p !== '');
}

/** The names of the file's sections, in header order (empty without section headers). Throws Error on malformed input. */
export function sectionNames(bytes: Uint8Array): string[] {
  const { bits, u16, u32, word, check } = elfReader(bytes);
  if (bits === 64) check(0, 64);
  const shoff = word(bits === 64 ? 0x28 : 0x20);
  const shentsize = u16(bits === 64 ? 0x3a : 0x2e);
  const shnum = u16(bits === 64 ? 0x3c : 0x30);
  const shstrndx = u16(bits === 64 ? 0x3e : 0x32);
  if (shoff === 0 || shnum === 0 || shstrndx >= shnum) return [];
  check(shoff, shnum * shentsize);
  const header = (i: number) => shoff + i * shentsize;
  const strtab = word(header(shstrndx) + (bits === 64 ? 0x18 : 0x10));
  return Array.from({ length: shnum }, (_, i) => {
    const start = strtab + u32(header(i));
    check(start, 0);
    let end = start;
    while (end < bytes.length && bytes[end] !== 0) end++;
    return Buffer.from(bytes.subarray(start, end)).toString('latin1');
  });
}

/** Human name for the machines tinyx is likely to meet. */
export function machineName(machine: number): string {
  const names: Record<number, string> = { 3: 'i386', 8: 'mips', 20: 'ppc', 21: 'ppc64', 22: 's390', 40: 'arm', 62: 'x86-64', 183: 'aarch64', 243: 'riscv' };
  return names[machine] ?? `machine ${machine}`;
}
