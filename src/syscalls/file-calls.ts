// One ELF file's syscalls: per exported function, the syscall numbers and imports it reaches through direct calls.
import type { Disassembly, DynamicSymbols } from './disasm.js';
import { regionsOf, type Region, type Site } from './regions.js';
import { valuesAt, type Source } from './regflow.js';
import { closeOver } from './closure.js';

export interface Reach {
  syscalls: number[];
  /** Functions of other files it calls (through the PLT). */
  imports: string[];
}

/** What a file's code can call; JSON, cached per file content. */
export interface FileCalls {
  /** Exported function -> what it reaches. */
  exports: Record<string, Reach>;
  /** The functions the file takes from others. */
  imports: string[];
  /** Every syscall number its code makes anywhere -> the address of one place (`0x4012a0`). */
  code: Record<number, string>;
  /** Why the file's own code starts threads, if it does. */
  threads?: string;
}

/** x86_64 syscall numbers are below this; larger constants are something else (x32's bit, -ENOSYS). */
const MAX_SYSCALL = 512;
const CLONE = 56;
const CLONE_THREAD = 0x10000;
/** Functions that take the syscall number as an argument, by name (the others are found from their code). */
const WRAPPERS: Array<[RegExp, string]> = [
  [/^syscall$/, 'rdi'],
  [/^(syscall\.(Raw)?Syscall6?|syscall\.rawSyscallNoError|syscall\.rawVforkSyscall|(internal\/runtime|runtime\/internal)\/syscall\.Syscall6|golang\.org\/x\/sys\/unix\.(Raw)?Syscall(6|NoError)?)(\.abi0)?$/, 'rax'],
];
/**
 * No-return error paths: a walk does not enter them and an import of one is not followed, so a function that
 * can fail a check does not reach every syscall of the crash report.
 */
export const FATAL = new Set(['abort', '__libc_fatal', '__stack_chk_fail', '__assert_fail', '__assert_perror_fail', '__fortify_fail', '__chk_fail', 'malloc_printerr', '__libc_message', 'runtime.throw', 'runtime.fatalthrow', 'runtime.fatalpanic']);
const THREAD_STARTERS = ['pthread_create', 'thrd_create', 'runtime.newosproc'];

const seedWrapper = (name: string | undefined): string | undefined => (name === undefined ? undefined : WRAPPERS.find(([re]) => re.test(name))?.[1]);

/** Syscall numbers each region makes itself, finding the wrappers (functions taking the number in a register) as it goes. */
function directSyscalls(regions: Region[]): Array<Map<number, number>> {
  const direct = regions.map(() => new Map<number, number>());
  const wrapper = new Map<number, string>();
  regions.forEach((r, i) => {
    const seed = seedWrapper(r.name);
    if (seed) wrapper.set(i, seed);
  });
  const take = (r: number, at: number, sources: Set<Source>): void => {
    for (const s of sources) {
      if (typeof s === 'number' && s >= 0 && s < MAX_SYSCALL && !direct[r]!.has(s)) direct[r]!.set(s, regions[r]!.instructions[at]!.addr);
      else if (typeof s === 'string' && s.startsWith('entry:') && !wrapper.has(r)) wrapper.set(r, s.slice(6));
    }
  };
  regions.forEach((r, i) => r.syscalls.forEach((at) => take(i, at, valuesAt(r, at, 'rax'))));
  const done = new Set<string>();
  for (let grew = true; grew;) {
    grew = false;
    regions.forEach((r, i) => {
      for (const site of r.sites) {
        const reg = site.region !== undefined ? wrapper.get(site.region) : seedWrapper(site.name);
        const key = `${i} ${site.at}`;
        if (reg === undefined || done.has(key)) continue;
        done.add(key);
        const before = wrapper.size;
        take(i, site.at, valuesAt(r, site.at, reg));
        grew ||= wrapper.size > before;
      }
    });
  }
  return direct;
}

/** Analyses a file from its disassembly and dynamic symbols. */
export function fileCalls(code: Disassembly, symbols: DynamicSymbols): FileCalls {
  const { regions, at } = regionsOf(code, symbols.exports.values());
  const direct = directSyscalls(regions);
  const fatal = fatalRegions(regions, [...symbols.exports].filter(([name]) => FATAL.has(name)).map(([, addr]) => at.get(addr)));

  // What each region reaches, closed over its calls (its calls to its own exports through the PLT included), as bit
  // sets: syscall numbers first, then the indexes of the imported names.
  const names = [...new Set(regions.flatMap((r) => [...r.imports]))].filter((name) => !FATAL.has(name) && !symbols.exports.has(name));
  const nameBit = new Map(names.map((name, i) => [name, MAX_SYSCALL + i]));
  const words = Math.ceil((MAX_SYSCALL + names.length) / 32);
  const own = regions.map((r, i) => {
    const bits = new Uint32Array(words);
    const set = (bit: number): void => { bits[bit >> 5]! |= 1 << (bit & 31); };
    direct[i]!.forEach((_, n) => set(n));
    r.imports.forEach((name) => { const bit = nameBit.get(name); if (bit !== undefined) set(bit); });
    return bits;
  });
  const edges = regions.map((r) => [...r.calls, ...[...r.imports].map((name) => at.get(symbols.exports.get(name) ?? -1))]
    .filter((to): to is number => to !== undefined && !fatal.has(to)));
  const reach = closeOver(edges, own);
  const has = (bits: Uint32Array, bit: number): boolean => (bits[bit >> 5]! & (1 << (bit & 31))) !== 0;

  const exports: Record<string, Reach> = {};
  for (const [name, addr] of symbols.exports) {
    const bits = reach[at.get(addr) ?? -1];
    if (bits === undefined) continue;
    exports[name] = {
      syscalls: Array.from({ length: MAX_SYSCALL }, (_, n) => n).filter((n) => has(bits, n)),
      imports: names.filter((_, i) => has(bits, MAX_SYSCALL + i)).sort(),
    };
  }
  const whole: Record<number, string> = {};
  for (const d of direct) for (const [n, addr] of d) whole[n] ??= `0x${addr.toString(16)}`;
  return { exports, imports: symbols.imports, code: whole, threads: threadsOf(code, regions, direct) };
}

/**
 * The error paths: the FATAL functions, and the functions that never return (no `ret`, no indirect jump) and end by
 * calling or jumping to one, every other way out of them leading to one too (glibc's unnamed malloc_printerr, __libc_message).
 */
function fatalRegions(regions: Region[], named: Array<number | undefined>): Set<number> {
  const fatal = new Set<number | undefined>(named);
  regions.forEach((r, i) => { if (r.name !== undefined && FATAL.has(r.name)) fatal.add(i); });
  const isFatal = (site: Site | undefined): boolean => site !== undefined && (fatal.has(site.region) || (site.name !== undefined && FATAL.has(site.name)));
  for (let grew = true; grew;) {
    grew = false;
    regions.forEach((r, i) => {
      if (fatal.has(i) || r.returns || !isFatal(r.last) || !r.exits.every((e) => fatal.has(e))) return;
      fatal.add(i);
      grew = true;
    });
  }
  fatal.delete(undefined);
  return fatal as Set<number>;
}

/** Why the file's code starts threads: it defines a thread starter, or makes clone with CLONE_THREAD. */
function threadsOf(code: Disassembly, regions: Region[], direct: Array<Map<number, number>>): string | undefined {
  const starter = THREAD_STARTERS.find((name) => [...code.labels.values()].includes(name));
  if (starter) return `defines ${starter}`;
  for (const [i, r] of regions.entries()) {
    if (!direct[i]!.has(CLONE)) continue;
    for (const at of r.syscalls) {
      const flags = [...valuesAt(r, at, 'rdi')].filter((v): v is number => typeof v === 'number');
      if (flags.some((f) => (f & CLONE_THREAD) !== 0)) return `clone with CLONE_THREAD at 0x${r.instructions[at]!.addr.toString(16)}`;
    }
  }
  return undefined;
}
