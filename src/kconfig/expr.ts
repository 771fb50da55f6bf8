// Kconfig expressions as trees over symbol ids, tristate arithmetic, and printing in Kconfig syntax.

/** n = 0, m = 1, y = 2, as in the kernel's `tristate` enum. */
export type Tri = 0 | 1 | 2;
export type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { k: 'sym'; s: number }
  | { k: 'and' | 'or'; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'cmp'; op: CmpOp; l: number; r: number };

export const triMin = (a: Tri, b: Tri): Tri => (a < b ? a : b);
export const triMax = (a: Tri, b: Tri): Tri => (a > b ? a : b);
export const triNot = (a: Tri): Tri => (2 - a) as Tri;
export const triChar = (t: Tri): 'n' | 'm' | 'y' => (t === 2 ? 'y' : t === 1 ? 'm' : 'n');

export const symExpr = (s: number): Expr => ({ k: 'sym', s });

/** expr_alloc_and: a missing side means "yes". */
export function andExpr(a: Expr | null, b: Expr | null): Expr | null {
  if (!a) return b;
  if (!b) return a;
  return { k: 'and', l: a, r: b };
}

/** expr_alloc_or: a missing side means "no" here (used to accumulate reverse dependencies). */
export function orExpr(a: Expr | null, b: Expr | null): Expr | null {
  if (!a) return b;
  if (!b) return a;
  return { k: 'or', l: a, r: b };
}

/** Every symbol id an expression mentions. */
export function exprSymbols(e: Expr | null, out: Set<number> = new Set()): Set<number> {
  if (!e) return out;
  switch (e.k) {
    case 'sym':
      out.add(e.s);
      break;
    case 'cmp':
      out.add(e.l).add(e.r);
      break;
    case 'not':
      exprSymbols(e.e, out);
      break;
    default:
      exprSymbols(e.l, out);
      exprSymbols(e.r, out);
  }
  return out;
}

/** Whether `e` mentions symbol `s` (without allocating). */
export function exprContains(e: Expr | null, s: number): boolean {
  if (!e) return false;
  switch (e.k) {
    case 'sym':
      return e.s === s;
    case 'cmp':
      return e.l === s || e.r === s;
    case 'not':
      return exprContains(e.e, s);
    default:
      return exprContains(e.l, s) || exprContains(e.r, s);
  }
}

/** expr_depends_symbol: `e` is a conjunction that requires `s` (s, s=y, s=m, s!=n). */
export function exprDependsOn(e: Expr | null, s: number, yes: number, mod: number, no: number): boolean {
  if (!e) return false;
  switch (e.k) {
    case 'and':
      return exprDependsOn(e.l, s, yes, mod, no) || exprDependsOn(e.r, s, yes, mod, no);
    case 'sym':
      return e.s === s;
    case 'cmp':
      if (e.l !== s) return false;
      return (e.op === '=' && (e.r === yes || e.r === mod)) || (e.op === '!=' && e.r === no);
    default:
      return false;
  }
}

/** The top-level conjuncts of an expression. */
export function conjuncts(e: Expr | null, out: Expr[] = []): Expr[] {
  if (!e) return out;
  if (e.k === 'and') {
    conjuncts(e.l, out);
    conjuncts(e.r, out);
  } else out.push(e);
  return out;
}

export function exprEqual(a: Expr, b: Expr): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'sym':
      return a.s === (b as typeof a).s;
    case 'cmp': {
      const o = b as typeof a;
      return a.op === o.op && a.l === o.l && a.r === o.r;
    }
    case 'not':
      return exprEqual(a.e, (b as typeof a).e);
    default: {
      const o = b as typeof a;
      return exprEqual(a.l, o.l) && exprEqual(a.r, o.r);
    }
  }
}

/** Kconfig syntax, with `name` giving each symbol's spelling (quoted constants included). */
export function exprToString(e: Expr | null, name: (id: number) => string, parentPrec = 0): string {
  if (!e) return 'y';
  switch (e.k) {
    case 'sym':
      return name(e.s);
    case 'cmp':
      return `${name(e.l)}${e.op}${name(e.r)}`;
    case 'not':
      return `!${exprToString(e.e, name, 3)}`;
    case 'and':
    case 'or': {
      const prec = e.k === 'or' ? 1 : 2;
      const op = e.k === 'or' ? ' || ' : ' && ';
      const text = `${exprToString(e.l, name, prec)}${op}${exprToString(e.r, name, prec)}`;
      return prec < parentPrec ? `(${text})` : text;
    }
  }
}
