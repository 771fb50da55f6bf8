// A preprocessor condition (`#if defined(CONFIG_A) && !IS_ENABLED(CONFIG_B)`) as the options it requires.

/** One operand: an option tested on (`defined(CONFIG_X)`) or off (`!defined(CONFIG_X)`), or anything else. */
export interface Term {
  /** The option without `CONFIG_`; undefined when the operand tests no option (`__ARCH_WANT_X`, `BITS_PER_LONG == 32`). */
  option?: string;
  on: boolean;
}

/** Operands joined by `&&` or by `||` (a single operand is either). */
export interface Condition {
  op: 'and' | 'or';
  terms: Term[];
}

const TERM = /^(?:defined\s*\(\s*CONFIG_(\w+)\s*\)|defined\s+CONFIG_(\w+)|IS_(?:ENABLED|BUILTIN|REACHABLE)\s*\(\s*CONFIG_(\w+)\s*\)|CONFIG_(\w+))$/;

/** Splits `text` at `sep` where no parenthesis is open. */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (depth === 0 && text.startsWith(sep, i)) {
      parts.push(text.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  return [...parts, text.slice(start)].map((p) => p.trim());
}

/** `text` without parentheses that enclose all of it. */
function unwrap(text: string): string {
  let t = text.trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  return t;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const c of text) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    if (depth < 0) return false;
  }
  return depth === 0;
}

function parseTerm(text: string): Term {
  const t = unwrap(text);
  if (t.startsWith('!')) {
    const inner = parseTerm(t.slice(1));
    return inner.option === undefined ? { on: true } : { option: inner.option, on: !inner.on };
  }
  const m = TERM.exec(t);
  const option = m ? (m[1] ?? m[2] ?? m[3] ?? m[4]) : undefined;
  return option === undefined ? { on: true } : { option, on: true };
}

/** The condition of `#if EXPR`: operands an `&&` chain flattens; a nested `||` inside it tests no option. */
export function parseCondition(expr: string): Condition {
  const text = unwrap(expr);
  const alternatives = splitTop(text, '||');
  if (alternatives.length > 1) return { op: 'or', terms: alternatives.map(parseTerm) };
  const terms = splitTop(text, '&&').flatMap((part): Term[] => {
    const inner = unwrap(part);
    if (inner === part) return [parseTerm(inner)];
    const nested = parseCondition(inner);
    return nested.op === 'and' || nested.terms.length === 1 ? nested.terms : [{ on: true }];
  });
  return { op: 'and', terms };
}

/** `#ifdef CONFIG_X` / `#ifndef CONFIG_X`. */
export function definedCondition(name: string, on: boolean): Condition {
  const m = /^CONFIG_(\w+)$/.exec(name.trim());
  return { op: 'and', terms: [m ? { option: m[1]!, on } : { on: true }] };
}

/** The condition that holds when `c` does not (De Morgan). */
export function negate(c: Condition): Condition {
  return { op: c.op === 'and' ? 'or' : 'and', terms: c.terms.map((t) => (t.option === undefined ? t : { option: t.option, on: !t.on })) };
}

/** Options that must be enabled for `c` to hold: none from an `||` of two or more operands, or from a negative one. */
export function requiredOptions(c: Condition): string[] {
  if (c.op === 'or' && c.terms.length > 1) return [];
  return c.terms.filter((t) => t.option !== undefined && t.on).map((t) => t.option!);
}
