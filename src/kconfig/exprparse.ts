// Parses Kconfig expressions from a statement's tokens, with the grammar's precedence (! > cmp > && > ||).
import type { CmpOp, Expr } from './expr.js';
import type { Tok } from './lexer.js';
import type { SymbolTable } from './model.js';

const CMP = new Set(['=', '!=', '<', '<=', '>', '>=']);

export class TokenCursor {
  pos = 0;
  constructor(readonly toks: Tok[], readonly fail: (msg: string) => never) {}

  peek(): Tok | undefined {
    return this.toks[this.pos];
  }

  atEnd(): boolean {
    return this.pos >= this.toks.length;
  }

  isKw(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === 'kw' && t.v === v;
  }

  take(): Tok {
    const t = this.toks[this.pos++];
    if (!t) this.fail('syntax error: unexpected end of line');
    return t;
  }

  /** A T_WORD (unquoted, non-keyword). */
  word(): string {
    const t = this.take();
    if (t.t !== 'word') this.fail(`syntax error: expected a symbol name, got '${t.v}'`);
    return t.v;
  }

  /** A T_WORD_QUOTE. */
  str(): string {
    const t = this.take();
    if (t.t !== 'str') this.fail(`syntax error: expected a quoted string, got '${t.v}'`);
    return t.v;
  }

  end(): void {
    const t = this.peek();
    if (t) this.fail(`syntax error near '${t.v}'`);
  }

  /** `if <expr>` at the end of a property, or nothing. */
  ifExpr(table: SymbolTable): Expr | null {
    if (!this.isKw('if')) return null;
    this.pos++;
    return parseExpr(this, table);
  }

  /** A symbol: a word (sym_lookup(name, 0)) or a quoted constant. */
  symbol(table: SymbolTable): number {
    const t = this.take();
    if (t.t === 'word') return table.lookup(t.v);
    if (t.t === 'str') return table.lookup(t.v, true);
    return this.fail(`syntax error: expected a symbol, got '${t.v}'`);
  }
}

export function parseExpr(c: TokenCursor, table: SymbolTable): Expr {
  let left = parseAnd(c, table);
  while (c.peek()?.t === 'op' && c.peek()!.v === '||') {
    c.pos++;
    left = { k: 'or', l: left, r: parseAnd(c, table) };
  }
  return left;
}

function parseAnd(c: TokenCursor, table: SymbolTable): Expr {
  let left = parseUnary(c, table);
  while (c.peek()?.t === 'op' && c.peek()!.v === '&&') {
    c.pos++;
    left = { k: 'and', l: left, r: parseUnary(c, table) };
  }
  return left;
}

function parseUnary(c: TokenCursor, table: SymbolTable): Expr {
  const t = c.peek();
  if (t?.t === 'op' && t.v === '!') {
    c.pos++;
    return { k: 'not', e: parseUnary(c, table) };
  }
  if (t?.t === 'op' && t.v === '(') {
    c.pos++;
    const inner = parseExpr(c, table);
    const close = c.take();
    if (close.t !== 'op' || close.v !== ')') c.fail(`syntax error: expected ')', got '${close.v}'`);
    return inner;
  }
  const left = c.symbol(table);
  const op = c.peek();
  if (op?.t === 'op' && CMP.has(op.v)) {
    c.pos++;
    return { k: 'cmp', op: op.v as CmpOp, l: left, r: c.symbol(table) };
  }
  return { k: 'sym', s: left };
}
