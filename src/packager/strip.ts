// ELF files that carry what only debuggers read (symbol tables, DWARF), and stripped copies of them made with binutils' strip.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { TinyxError } from '../errors.js';
import { isElf, parseElf } from '../deps/elf.js';

/**
 * The names of the sections strip removes that no loader reads: `.symtab`, `.strtab` (its names)
 * and DWARF (`.debug_*`, `.zdebug_*`). Empty for an ELF file without them, or one whose section
 * headers cannot be read; undefined for a file that is not ELF.
 */
export function strippableSections(bytes: Uint8Array): string[] | undefined {
  if (!isElf(bytes)) return undefined;
  try {
    return sectionNames(bytes).filter((n) => n === '.symtab' || n === '.strtab' || n.startsWith('.debug') || n.startsWith('.zdebug'));
  } catch {
    return [];
  }
}

function sectionNames(bytes: Uint8Array): string[] {
  const bits = bytes[4] === 2 ? 64 : 32;
  const le = bytes[5] === 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => view.getUint16(o, le);
  const u32 = (o: number) => view.getUint32(o, le);
  const word = (o: number) => (bits === 64 ? Number(view.getBigUint64(o, le)) : u32(o));
  const shoff = word(bits === 64 ? 0x28 : 0x20);
  const shentsize = u16(bits === 64 ? 0x3a : 0x2e);
  const shnum = u16(bits === 64 ? 0x3c : 0x30);
  const shstrndx = u16(bits === 64 ? 0x3e : 0x32);
  if (shoff === 0 || shnum === 0 || shstrndx >= shnum || shoff + shnum * shentsize > bytes.length) return [];
  const header = (i: number) => shoff + i * shentsize;
  const offsetOf = (i: number) => word(header(i) + (bits === 64 ? 0x18 : 0x10));
  const strtab = offsetOf(shstrndx);
  const names: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const start = strtab + u32(header(i));
    let end = start;
    while (end < bytes.length && bytes[end] !== 0) end++;
    names.push(Buffer.from(bytes.subarray(start, end)).toString('latin1'));
  }
  return names;
}

/**
 * The file's contents stripped: `strip --strip-all` for an executable, `--strip-unneeded` for a
 * shared library (it keeps the dynamic symbols other objects link against; a library that is also
 * a program, like the loader, counts as a library).
 */
/** binutils' strip, checked before anything is packed or built. */
export async function checkStrip(): Promise<void> {
  const found = await execa('sh', ['-c', 'command -v strip'], { reject: false });
  if (found.exitCode !== 0) {
    throw new TinyxError('TINYX_STRIP_NOT_FOUND', 'strip (binutils) was not found on PATH: the rootfs stage strips ELF files the tests pass without symbols.', {
      advice: 'Install it: apt-get install binutils (as root), or pass --no-strip.',
    });
  }
}

export async function strippedCopy(bytes: Uint8Array): Promise<Uint8Array> {
  const info = parseElf(bytes);
  const library = info.type === 3 && (info.soname !== undefined || info.interp === undefined) && info.dynamic;
  const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-strip-'));
  try {
    const input = path.join(dir, 'in');
    const output = path.join(dir, 'out');
    await writeFile(input, bytes);
    const run = await execa('strip', [library ? '--strip-unneeded' : '--strip-all', '-o', output, input], { reject: false, all: true });
    if (run.exitCode !== 0) throw new Error(`strip failed: ${run.all?.trim() ?? run.message}`);
    return await readFile(output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
