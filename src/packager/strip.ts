// ELF files that carry what only debuggers read (symbol tables, DWARF), and stripped copies of them made with binutils' strip.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { TinyxError } from '../errors.js';
import { isElf, parseElf, sectionNames } from '../deps/elf.js';

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

/** binutils' strip, checked before anything is packed or built. */
export async function checkStrip(): Promise<void> {
  const found = await execa('sh', ['-c', 'command -v strip'], { reject: false });
  if (found.exitCode !== 0) {
    throw new TinyxError('TINYX_STRIP_NOT_FOUND', 'strip (binutils) was not found on PATH: the rootfs stage strips ELF files the tests pass without symbols.', {
      advice: 'Install it: apt-get install binutils (as root), or pass --no-strip.',
    });
  }
}

/**
 * The file's contents stripped: `strip --strip-all` for an executable, `--strip-unneeded` for a
 * shared library (it keeps the dynamic symbols other objects link against; a library that is also
 * a program, like the loader, counts as a library).
 */
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
