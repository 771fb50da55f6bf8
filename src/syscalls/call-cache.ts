// Analyses one ELF file, through a cache of results keyed by the file's content hash.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseElf } from '../deps/elf.js';
import { writeFileAtomic } from '../util/fsx.js';
import { sha256File } from '../util/hash.js';
import { disassemble, dynamicSymbols } from './disasm.js';
import { fileCalls, type FileCalls } from './file-calls.js';

/** Bumped when the analysis changes what it finds, so older cached results are not read. */
const VERSION = 1;

/**
 * Files this large are not disassembled (a 117 MB libLLVM disassembles to more text than one string
 * holds, and to tens of millions of instructions): the functions they import count as called, their
 * own syscall instructions are not seen, and they export nothing to the walk.
 */
export const LARGE_ELF_BYTES = 64 << 20;

/** What `file`'s code can call (cached under `cacheDir` when given). */
export async function callsOfFile(file: string, options: { cacheDir?: string; signal?: AbortSignal; largeBytes?: number } = {}): Promise<FileCalls> {
  const cached = options.cacheDir === undefined ? undefined : path.join(options.cacheDir, `${await sha256File(file)}.v${VERSION}.json`);
  if (cached !== undefined) {
    const text = await readFile(cached, 'utf8').catch(() => undefined);
    if (text !== undefined) return JSON.parse(text) as FileCalls;
  }
  if ((await stat(file)).size >= (options.largeBytes ?? LARGE_ELF_BYTES)) {
    const { imports } = await dynamicSymbols(file, options.signal);
    return { exports: {}, imports, code: {} };
  }
  const elf = parseElf(await readFile(file));
  const [code, symbols] = await Promise.all([
    disassemble(file, options.signal),
    elf.dynamic ? dynamicSymbols(file, options.signal) : { exports: new Map<string, number>(), imports: [] },
  ]);
  const calls = fileCalls(code, symbols);
  if (cached !== undefined) await writeFileAtomic(cached, JSON.stringify(calls));
  return calls;
}
