// C number parsing as Kconfig uses it (strtoll/strtoull, expr_parse_string, sym_string_valid).
import type { SymType } from './model.js';

const MAX = (1n << 63n) - 1n;
const MIN = -(1n << 63n);
const UMAX = (1n << 64n) - 1n;

export interface Parsed {
  value: bigint;
  /** Index just past the last digit used (0 when none). */
  end: number;
  overflow: boolean;
}

/** strtoll / strtoull with base 0, 10 or 16. */
export function strtol(s: string, base: number, unsigned = false): Parsed {
  let i = 0;
  while (/\s/.test(s[i] ?? '')) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  if ((base === 0 || base === 16) && s[i] === '0' && /[xX]/.test(s[i + 1] ?? '') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
    i += 2;
    base = 16;
  } else if (base === 0) base = s[i] === '0' ? 8 : 10;
  const start = i;
  let value = 0n;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 36);
    if (Number.isNaN(d) || d >= base) break;
    value = value * BigInt(base) + BigInt(d);
  }
  if (i === start) return { value: 0n, end: 0, overflow: false };
  if (unsigned) {
    const overflow = value > UMAX;
    const v = overflow ? UMAX : value;
    return { value: neg ? BigInt.asUintN(64, -v) : v, end: i, overflow };
  }
  const signed = neg ? -value : value;
  const overflow = signed > MAX || signed < MIN;
  return { value: overflow ? (neg ? MIN : MAX) : signed, end: i, overflow };
}

/** expr_parse_string: a typed number when the whole string is one, else a string (null). */
export function parseForCompare(str: string, type: SymType): { value: bigint; unsigned: boolean } | null {
  if (type === 'bool' || type === 'tristate') {
    return { value: str === 'n' ? 0n : str === 'm' ? 1n : str === 'y' ? 2n : -1n, unsigned: false };
  }
  const unsigned = type === 'hex';
  const r = strtol(str, type === 'int' ? 10 : type === 'hex' ? 16 : 0, unsigned);
  const ok = !r.overflow && r.end === str.length && r.end > 0 && /[0-9a-fA-F]/.test(str[r.end - 1]!);
  return ok ? { value: r.value, unsigned } : null;
}

/** Three-way comparison of two symbol values as expr_calc_value does it. */
export function compareValues(s1: string, t1: SymType, s2: string, t2: SymType): number {
  if (isTri(t1) && isTri(t2)) return triRank(s1) - triRank(s2);
  if (t1 !== 'string' || t2 !== 'string') {
    const a = parseForCompare(s1, t1);
    const b = parseForCompare(s2, t2);
    if (a && b) {
      if (a.unsigned || b.unsigned) {
        const x = BigInt.asUintN(64, a.value);
        const y = BigInt.asUintN(64, b.value);
        return x > y ? 1 : x < y ? -1 : 0;
      }
      return a.value > b.value ? 1 : a.value < b.value ? -1 : 0;
    }
  }
  return s1 === s2 ? 0 : Buffer.compare(Buffer.from(s1), Buffer.from(s2));
}

/** sym_string_valid */
export function stringValid(type: SymType, str: string): boolean {
  switch (type) {
    case 'string':
      return true;
    case 'int':
      return /^-?(0|[1-9][0-9]*)$/.test(str);
    case 'hex':
      return /^(0[xX])?[0-9a-fA-F]+$/.test(str);
    case 'bool':
    case 'tristate':
      return /^[yYmMnN]/.test(str);
    default:
      return false;
  }
}

const isTri = (t: SymType) => t === 'bool' || t === 'tristate';
const triRank = (s: string) => (s === 'n' ? 0 : s === 'm' ? 1 : s === 'y' ? 2 : -1);
