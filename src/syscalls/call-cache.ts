// Analyses one ELF file, through a cache of results keyed by the file's content hash.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseElf } from '../deps/elf.js';
import { writeFileAtomic } from '../util/fsx.js';
import { sha256File } from '../util/hash.js';
import { disassemble, dynamicSymbols } from './disasm.js';
import { fileCalls, type FileCalls } from './file-calls.js';

/** Bumped when the analysis changes what it finds, so older cached results are not read. */
const VERSION = 1;

/** What `file`'s code can call (cached under `cacheDir` when given). */
export async function callsOfFile(file: string, options: { cacheDir?: string; signal?: AbortSignal } = {}): Promise<FileCalls> {
  const cached = options.cacheDir === undefined ? undefined : path.join(options.cacheDir, `${await sha256File(file)}.v${VERSION}.json`);
  if (cached !== undefined) {
    const text = await readFile(cached, 'utf8').catch(() => undefined);
    if (text !== undefined) return JSON.parse(text) as FileCalls;
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
