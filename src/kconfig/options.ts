// Option lines of config, menuconfig, choice, menu and comment entries (parser.y's *_option rules).
import { andExpr, symExpr, type Expr } from './expr.js';
import { parseExpr, TokenCursor } from './exprparse.js';
import type { Statement } from './lexer.js';
import type { MenuBuilder } from './menubuild.js';
import { SF, SYM_N, type SymType } from './model.js';

/** Which entry's options the following lines may be. */
export type Ctx = 'config' | 'menuconfig' | 'choice' | 'menu' | 'comment' | 'none';

const TYPES: Record<string, SymType> = { bool: 'bool', tristate: 'tristate', int: 'int', hex: 'hex', string: 'string' };

/** An option line of the current config/choice/menu/comment entry; false if it is not one. */
export function entryOption(st: Statement, ctx: Ctx, b: MenuBuilder, fail: (msg: string) => never): boolean {
  const first = st.toks[0]!;
  const c = new TokenCursor(st.toks.slice(1), fail);
  const v = first.v;
  const isConfig = ctx === 'config' || ctx === 'menuconfig';
  if (first.t === 'kw' && v === 'depends') {
    if (!c.isKw('on')) fail('syntax error: expected "on" after "depends"');
    c.pos++;
    b.addDep(parseExpr(c, b.table));
    c.end();
    return true;
  }
  if (first.t === 'kw' && v === 'help' && (isConfig || ctx === 'choice')) {
    c.end();
    b.entry.help = st.help ?? '';
    return true;
  }
  if (ctx === 'menu' && first.t === 'kw' && v === 'visible') {
    b.entry.visibility = andExpr(b.entry.visibility, c.ifExpr(b.table));
    c.end();
    return true;
  }
  if (!isConfig && ctx !== 'choice') return false;
  const choice = ctx === 'choice';
  if (first.t === 'word' && v === 'option' && isConfig) return legacyOption(c, b);
  if (first.t !== 'kw') return false;
  const type = TYPES[v];
  if (type && (!choice || type === 'bool' || type === 'tristate')) {
    b.setType(type);
    if (!c.atEnd()) b.addPrompt('prompt', c.str(), c.ifExpr(b.table));
  } else if (v === 'prompt') {
    b.addPrompt('prompt', c.str(), c.ifExpr(b.table));
  } else if (v === 'default' || (isConfig && (v === 'def_bool' || v === 'def_tristate'))) {
    const value: Expr = choice ? symExpr(b.table.lookup(c.word())) : parseExpr(c, b.table);
    b.prop('default', value, c.ifExpr(b.table));
    if (v !== 'default') b.setType(v === 'def_bool' ? 'bool' : 'tristate');
  } else if (isConfig && (v === 'select' || v === 'imply')) {
    b.prop(v, symExpr(b.table.lookup(c.word())), c.ifExpr(b.table));
  } else if (isConfig && v === 'range') {
    const lo = c.symbol(b.table);
    const hi = c.symbol(b.table);
    b.prop('range', null, c.ifExpr(b.table)).range = [lo, hi];
  } else if (isConfig && v === 'modules') {
    if (b.modulesSym !== SYM_N) fail(`symbol '${b.entryName()}' redefines option 'modules'`);
    b.modulesSym = b.entry.sym!;
  } else if (isConfig && v === 'transitional') {
    b.table.get(b.entry.sym!).flags |= SF.TRANSITIONAL | SF.NO_WRITE;
  } else if (choice && v === 'optional') {
    b.table.get(b.entry.sym!).flags |= SF.OPTIONAL;
  } else return false;
  c.end();
  return true;
}

/** Pre-5.x `option` forms: `option modules`, `option env=...`, `option defconfig_list`, `option allnoconfig_y`. */
function legacyOption(c: TokenCursor, b: MenuBuilder): boolean {
  const what = c.take().v;
  if (what === 'modules') b.modulesSym = b.entry.sym!;
  while (!c.atEnd()) c.take();
  return true;
}
