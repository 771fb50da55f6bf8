// The SYSCALL_DEFINEn sites and `#include "x.c"` lines of one C file (comments blanked, continued lines
// joined), each with the options its #if blocks require.
import { definedCondition, negate, parseCondition, requiredOptions, type Condition } from './cpp-condition.js';

/** One logical line: its text and the 1-based number of its first physical line. */
export interface CLine {
  text: string;
  line: number;
}

/** A comment (block, or line with `\`-continued lines), or a string or char literal, which may hold `/*`. */
const TOKEN = /\/\*[\s\S]*?(?:\*\/|$)|\/\/(?:[^\n\\]|\\[\s\S])*|"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?/g;

/** The text with every comment replaced by spaces, newlines kept, so line numbers still hold. */
export function stripComments(text: string): string {
  return text.replace(TOKEN, (token) => (token.startsWith('/') ? token.replace(/[^\n]/g, ' ') : token));
}

/** The logical lines of C text: comments blanked, a line ending in `\` joined with the next. */
export function logicalLines(text: string): CLine[] {
  const physical = stripComments(text).split('\n');
  const out: CLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    const first = i;
    let line = physical[i]!;
    while (/\\\s*$/.test(line) && i + 1 < physical.length) line = `${line.replace(/\\\s*$/, ' ')}${physical[++i]!}`;
    out.push({ text: line, line: first + 1 });
  }
  return out;
}

/** A line of interest and the options (without `CONFIG_`) the #if blocks around it require. */
export interface CSite {
  /** The syscall's name (`epoll_create1`), or the included file (`syscalls.c`). */
  name: string;
  line: number;
  options: string[];
}

/** A SYSCALL_DEFINEn site; `stub` when its body only returns -ENOSYS (the `#else` of the real one). */
export interface CSyscall extends CSite {
  stub: boolean;
}

export interface CFileSites {
  syscalls: CSyscall[];
  /** `#include "x.c"`: a C file built as part of this one (kernel/sched/build_policy.c takes syscalls.c). */
  includes: CSite[];
}

/** One open #if chain: the conditions of its earlier branches, and of the current one (none after #else). */
interface Frame {
  previous: Condition[];
  current?: Condition;
}

const DIRECTIVE = /^\s*#\s*(ifdef|ifndef|if|elif|else|endif|include)\b\s*(.*?)\s*$/;
// COMPAT_SYSCALL_DEFINEn and `#define SYSCALL_DEFINE0(...)` do not start the line with SYSCALL_DEFINE.
const SYSCALL = /^\s*SYSCALL_DEFINE[0-6]\s*\(\s*(\w+)/;

/** Options the branch each open frame is in requires: the current test, and the negation of each earlier one. */
function required(stack: readonly Frame[]): string[] {
  const options = stack.flatMap((f) => [
    ...f.previous.flatMap((c) => requiredOptions(negate(c))),
    ...(f.current ? requiredOptions(f.current) : []),
  ]);
  return [...new Set(options)];
}

/** Whether the function starting at `lines[at]` is `{ return -ENOSYS; }`. */
function isStub(lines: readonly CLine[], at: number): boolean {
  const text = lines.slice(at, at + 40).map((l) => l.text).join('\n');
  const open = text.indexOf('{');
  const body = open < 0 ? '' : text.slice(open + 1, text.indexOf('}', open));
  return /^\s*return\s+-ENOSYS\s*;\s*$/.test(body);
}

/** Every SYSCALL_DEFINEn site and C-file include of `text`, with what its #if blocks require. */
export function scanC(text: string): CFileSites {
  const out: CFileSites = { syscalls: [], includes: [] };
  const stack: Frame[] = [];
  const lines = logicalLines(text);
  for (const [at, { text: line, line: number }] of lines.entries()) {
    const d = DIRECTIVE.exec(line);
    if (!d) {
      const m = SYSCALL.exec(line);
      if (m) out.syscalls.push({ name: m[1]!, line: number, options: required(stack), stub: isStub(lines, at) });
      continue;
    }
    const [, keyword, rest] = d as unknown as [string, string, string];
    const top = stack[stack.length - 1];
    if (keyword === 'ifdef' || keyword === 'ifndef') stack.push({ previous: [], current: definedCondition(rest, keyword === 'ifdef') });
    else if (keyword === 'if') stack.push({ previous: [], current: parseCondition(rest) });
    else if (keyword === 'elif' && top) stack[stack.length - 1] = { previous: [...top.previous, ...(top.current ? [top.current] : [])], current: parseCondition(rest) };
    else if (keyword === 'else' && top) stack[stack.length - 1] = { previous: [...top.previous, ...(top.current ? [top.current] : [])] };
    else if (keyword === 'endif') stack.pop();
    else if (keyword === 'include') {
      const m = /^"([^"]+\.c)"$/.exec(rest);
      if (m) out.includes.push({ name: m[1]!, line: number, options: required(stack) });
    }
  }
  return out;
}
