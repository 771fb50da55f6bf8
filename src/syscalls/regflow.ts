// Which constants a register (or a stack slot) can hold at an instruction, by walking the code backwards.
import type { Instruction } from './disasm.js';

/** A constant; `entry:<reg>` when the value is what the register held on entry to the function; 'unknown'. */
export type Source = number | `entry:${string}` | 'unknown';

/** The code of one function: instructions[start..end) and, by address, the jumps inside it that land there. */
export interface FunctionCode {
  instructions: readonly Instruction[];
  start: number;
  end: number;
  jumpsInto: ReadonlyMap<number, readonly number[]>;
}

const FAMILIES = ['ax', 'bx', 'cx', 'dx', 'si', 'di', 'bp', 'sp'];
const HIGH = Array.from({ length: 8 }, (_, i) => `r${i + 8}`);
/** Every 32- and 64-bit register name -> its 64-bit name. */
const FULL = new Map<string, string>([
  ...FAMILIES.flatMap((f) => [[`%r${f}`, `r${f}`], [`%e${f}`, `r${f}`]] as Array<[string, string]>),
  ...HIGH.flatMap((r) => [[`%${r}`, r], [`%${r}d`, r]] as Array<[string, string]>),
]);
/** The 8- and 16-bit names, whose writes leave the rest of the register as it was: unknown. */
const PARTIAL = new Map<string, string>([
  ...FAMILIES.flatMap((f) => [`%${f}`, `%${f[0]}l`, `%${f[0]}h`, `%${f}l`].map((n) => [n, `r${f}`])) as Array<[string, string]>,
  ...HIGH.flatMap((r) => [[`%${r}w`, r], [`%${r}b`, r]] as Array<[string, string]>),
]);
const CALLEE_SAVED = new Set(['rbx', 'rbp', 'rsp', 'r12', 'r13', 'r14', 'r15']);
const STACK_SLOT = /^(-?0x[0-9a-f]+)?\(%r[sb]p\)$/;
const NO_WRITE = /^(cmp|test|bt|push|ucomis|comis|nop|prefetch)/;
const MOVES = new Set(['mov', 'movl', 'movq', 'movabs', 'movslq']);
/** Instructions that write rax/rdx (or rcx, rdi, rsi) without naming them last. */
const IMPLICIT: Record<string, readonly string[]> = {
  rax: ['cpuid', 'rdtsc', 'rdtscp', 'xgetbv', 'mul', 'div', 'idiv', 'cmpxchg', 'lods', 'in'],
  rdx: ['cpuid', 'rdtsc', 'rdtscp', 'xgetbv', 'mul', 'div', 'idiv', 'cqto', 'cltd'],
  rcx: ['cpuid', 'rdtscp', 'stos', 'movs', 'scas', 'cmps'],
  rdi: ['stos', 'movs', 'scas', 'cmps'],
  rsi: ['movs', 'lods', 'cmps'],
};
const TERMINAL = /^(jmp|ret|ud2|hlt|int3)/;
const BUDGET = 4000;

/** A register operand's 64-bit name, a stack slot as written, or undefined (other memory, partial registers). */
export function location(operand: string): string | undefined {
  return FULL.get(operand) ?? (STACK_SLOT.test(operand) ? operand : undefined);
}

function immediate(text: string): number {
  return text.startsWith('-') ? -Number(BigInt(text.slice(1))) : Number(BigInt(text));
}

type Effect = { keep: true } | { from: string } | { value: Source };

/** What instruction `i` does to `loc`. */
function effect(i: Instruction, loc: string): Effect {
  const slot = !FULL.has(`%${loc}`);
  if (i.op.startsWith('call')) return slot || CALLEE_SAVED.has(loc) ? { keep: true } : { value: 'unknown' };
  if (i.op === 'syscall') return ['rax', 'rcx', 'r11'].includes(loc) ? { value: 'unknown' } : { keep: true };
  if (slot && (/^(push|pop|leave|enter)/.test(i.op) || i.args.at(-1) === '%rsp' || i.args.at(-1) === '%rbp')) return { value: 'unknown' };
  const base = i.op.replace(/[bwlq]$/, '');
  if (IMPLICIT[loc]?.some((op) => op === i.op || op === base)) return { value: 'unknown' };
  const dest = i.args.at(-1);
  if (dest === undefined || NO_WRITE.test(i.op) || i.op.startsWith('j')) return { keep: true };
  if (i.op.startsWith('xchg')) return i.args[0] === i.args[1] || !i.args.some((a) => location(a) === loc) ? { keep: true } : { value: 'unknown' };
  const destLoc = location(dest);
  if (destLoc !== loc) return PARTIAL.get(dest) === loc ? { value: 'unknown' } : { keep: true };
  const src = i.args[0] ?? '';
  if (MOVES.has(i.op) && i.args.length === 2) {
    if (src.startsWith('$')) return { value: immediate(src.slice(1)) };
    const from = location(src);
    return from === undefined ? { value: 'unknown' } : { from };
  }
  if (i.op.startsWith('xor') && i.args[0] === i.args[1]) return { value: 0 };
  return { value: 'unknown' };
}

/** The sources of `loc`'s value just before instruction `at` of `code`. */
export function valuesAt(code: FunctionCode, at: number, loc: string): Set<Source> {
  const out = new Set<Source>();
  const seen = new Set<string>();
  const work: Array<[number, string]> = [[at, loc]];
  let steps = 0;
  while (work.length > 0) {
    const [index, tracked] = work.pop()!;
    const key = `${index} ${tracked}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (++steps > BUDGET) {
      out.add('unknown');
      break;
    }
    const preds = [...(code.jumpsInto.get(code.instructions[index]!.addr) ?? [])];
    if (index === code.start) out.add(FULL.has(`%${tracked}`) ? `entry:${tracked}` : 'unknown');
    else if (!TERMINAL.test(code.instructions[index - 1]!.op)) preds.push(index - 1);
    for (const p of preds) {
      const e = effect(code.instructions[p]!, tracked);
      if ('keep' in e) work.push([p, tracked]);
      else if ('from' in e) work.push([p, e.from]);
      else out.add(e.value);
    }
  }
  return out;
}
