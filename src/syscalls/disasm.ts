// Reads an x86_64 ELF file's code and dynamic symbols through binutils' objdump, into plain data.
import { execa } from 'execa';
import { TinyxError } from '../errors.js';

export interface Instruction {
  addr: number;
  /** The mnemonic without prefixes (lock, rep, notrack, bnd, data16, cs ...): 'mov', 'call', 'syscall'. */
  op: string;
  /** The AT&T operands, source first and destination last, comment dropped. */
  args: string[];
  /** A direct call's or jump's target address, and the symbol objdump names it by (`realloc@plt`, `foo+0x10`). */
  target?: number;
  targetName?: string;
}

export interface Disassembly {
  instructions: Instruction[];
  /** Address -> the symbol objdump labels it with (one per address; versions like @@GLIBC_2.3.2 dropped). */
  labels: Map<number, string>;
}

export interface DynamicSymbols {
  /** Defined functions (ifuncs included) -> address; every alias, every version. */
  exports: Map<string, number>;
  /** Undefined symbols that are not data objects, the functions the file takes from others. */
  imports: string[];
}

const PREFIXES = new Set(['lock', 'rep', 'repz', 'repe', 'repnz', 'repne', 'notrack', 'bnd', 'data16', 'addr32', 'cs', 'ds', 'es', 'ss', 'fs', 'gs', 'rex', 'rex.W', 'xacquire', 'xrelease']);
const LABEL = /^([0-9a-f]+) <(.+)>:$/;
const LINE = /^ *([0-9a-f]+):\t(.*)$/;
const TARGET = /^([0-9a-f]+) <([^>]+)>$/;

/** The symbol's name without its version (`epoll_wait@@GLIBC_2.3.2` -> `epoll_wait`; `realloc@plt` stays). */
export function bareName(name: string): string {
  return name.replace(/@@?[A-Z][A-Za-z0-9_.]*$/, '');
}

/** Splits AT&T operands on the commas outside parentheses. */
function operands(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  return out.map((o) => o.trim());
}

/** Parses `objdump -d --no-show-raw-insn -M att` output. */
export function parseDisassembly(text: string): Disassembly {
  const instructions: Instruction[] = [];
  const labels = new Map<number, string>();
  for (const line of text.split('\n')) {
    const label = LABEL.exec(line);
    if (label) {
      labels.set(parseInt(label[1]!, 16), bareName(label[2]!));
      continue;
    }
    const m = LINE.exec(line);
    if (!m) continue;
    const words = m[2]!.replace(/\s+#.*$/, '').trim().split(/\s+/);
    while (words.length > 1 && PREFIXES.has(words[0]!)) words.shift();
    const op = words.shift() ?? '';
    const rest = words.join(' ');
    const instruction: Instruction = { addr: parseInt(m[1]!, 16), op, args: rest === '' ? [] : operands(rest) };
    const target = TARGET.exec(rest);
    if (target && (op.startsWith('j') || op.startsWith('call'))) {
      instruction.target = parseInt(target[1]!, 16);
      instruction.targetName = target[2]!;
    }
    instructions.push(instruction);
  }
  return { instructions, labels };
}

/** Parses `objdump -T` output. */
export function parseDynamicSymbols(text: string): DynamicSymbols {
  const exports = new Map<string, number>();
  const imports = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+) (.{7}) (\S+)\s+[0-9a-f]+\s+(?:\(?[A-Za-z0-9_.]+\)?\s+)?(\S+)$/.exec(line);
    if (!m) continue;
    const [, addr, flags, section, name] = m as unknown as [string, string, string, string, string];
    if (section === '*UND*') {
      if (!flags.includes('O')) imports.add(name);
    } else if (flags.includes('F') || flags.includes('i')) {
      exports.set(name, parseInt(addr, 16));
    }
  }
  return { exports, imports: [...imports].sort() };
}

async function objdump(args: string[], file: string, signal?: AbortSignal): Promise<string> {
  const run = await execa('objdump', [...args, file], { reject: false, maxBuffer: 2 ** 30, cancelSignal: signal });
  if (run.isCanceled) throw signal?.reason ?? new Error('aborted');
  if (run.failed) {
    throw new TinyxError('TINYX_DISASSEMBLY_FAILED', `objdump ${args.join(' ')} ${file} failed: ${run.stderr || run.shortMessage}`, {
      advice: 'Install binutils (apt-get install binutils), and check that the file is a readable x86_64 ELF file.',
    });
  }
  return run.stdout;
}

/** The file's code, disassembled. */
export async function disassemble(file: string, signal?: AbortSignal): Promise<Disassembly> {
  return parseDisassembly(await objdump(['-d', '--no-show-raw-insn', '-M', 'att'], file, signal));
}

/** The file's dynamic symbols (none for a static file). */
export async function dynamicSymbols(file: string, signal?: AbortSignal): Promise<DynamicSymbols> {
  return parseDynamicSymbols(await objdump(['-T'], file, signal));
}
