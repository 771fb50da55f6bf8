// menu_finalize: propagates dependencies down the menu tree, builds reverse dependencies and choices.
import { andExpr, conjuncts, exprContains, exprDependsOn, exprEqual, orExpr, symExpr, type Expr } from './expr.js';
import type { KconfigDialect } from './dialect.js';
import { SF, SYM_M, SYM_N, SYM_Y, type MenuNode, type Prop, type SymbolTable } from './model.js';

/** rewrite_m: `m` in a dependency becomes `m && MODULES`. */
function rewriteM(e: Expr | null, modules: number): Expr | null {
  if (!e) return e;
  switch (e.k) {
    case 'not': {
      const inner = rewriteM(e.e, modules)!;
      return inner === e.e ? e : { k: 'not', e: inner };
    }
    case 'and':
    case 'or': {
      const l = rewriteM(e.l, modules)!;
      const r = rewriteM(e.r, modules)!;
      return l === e.l && r === e.r ? e : { k: e.k, l, r };
    }
    case 'sym':
      return e.s === SYM_M ? { k: 'and', l: e, r: symExpr(modules) } : e;
    default:
      return e;
  }
}

interface Pass {
  table: SymbolTable;
  modules: number;
  /** 6.1: a choice is a symbol its members depend on, and it cannot be n while visible unless `optional`. */
  modeChoices: boolean;
}

export function finalizeMenus(table: SymbolTable, root: MenuNode, modules: number, dialect: KconfigDialect): void {
  finalize({ table, modules, modeChoices: dialect.choices === 'mode' }, root, false);
}

/** _menu_finalize; 6.12 makes no submenus of a choice's members (and gives them no dependency of their own). */
function finalize(pass: Pass, parent: MenuNode, insideChoice: boolean): void {
  const { table, modules } = pass;
  const sym = parent.sym === null ? null : table.get(parent.sym);
  const isChoice = sym !== null && (sym.flags & SF.CHOICE) !== 0;
  if (parent.list) {
    if (sym && isChoice) {
      if (sym.type === 'unknown') {
        for (let m: MenuNode | null = parent.list; m; m = m.next) {
          if (m.sym !== null && table.get(m.sym).type !== 'unknown') {
            sym.type = table.get(m.sym).type;
            break;
          }
        }
      }
      for (let m: MenuNode | null = parent.list; m; m = m.next) {
        if (m.sym !== null && table.get(m.sym).type === 'unknown') table.get(m.sym).type = sym.type;
      }
    }
    const parentDep = isChoice && pass.modeChoices ? symExpr(sym!.id) : parent.dep;
    for (let m: MenuNode | null = parent.list; m; m = m.next) {
      const baseDep = andExpr(parentDep, rewriteM(m.dep, modules));
      m.dep = baseDep;
      const props: Prop[] = m.sym !== null ? table.get(m.sym).props : m.prompt ? [m.prompt] : [];
      for (const prop of props) {
        if (prop.menu !== m) continue;
        const dep = andExpr(baseDep, rewriteM(prop.visible, modules));
        prop.visible = dep;
        if (prop.type === 'select' || prop.type === 'imply') {
          const target = table.get((prop.expr as { s: number }).s);
          const term = andExpr(symExpr(m.sym!), dep)!;
          if (prop.type === 'select') target.revDep = orExpr(target.revDep, term);
          else target.implied = orExpr(target.implied, term);
        }
      }
    }
    for (let m: MenuNode | null = parent.list; m; m = m.next) finalize(pass, m, isChoice && !pass.modeChoices);
  } else if (sym && !insideChoice) {
    autoSubmenu(pass, parent, sym.id);
    sym.dirDep = orExpr(sym.dirDep, parent.dep);
  }
  for (let m: MenuNode | null = parent.list; m; m = m.next) {
    if (sym && isChoice && m.sym !== null && !(table.get(m.sym).flags & SF.CHOICEVAL)) {
      const value = table.get(m.sym);
      value.flags |= SF.CHOICEVAL;
      if (sym.type === 'tristate' && value.type !== 'tristate') {
        const onlyY: Expr = { k: 'cmp', op: '=', l: sym.id, r: SYM_Y };
        m.dep = andExpr(onlyY, m.dep);
        for (const prop of value.props) if (prop.menu === m) prop.visible = andExpr(onlyY, prop.visible);
      }
      value.choice = sym.id;
      sym.values.push(value.id);
    }
    // flatten `if` blocks and the children of promptless symbols
    if (m.list && (!m.prompt || !m.prompt.text)) {
      let last = m.list;
      for (;;) {
        last.parent = parent;
        if (!last.next) break;
        last = last.next;
      }
      last.next = m.next;
      m.next = m.list;
      m.list = null;
    }
  }
  if (sym && pass.modeChoices && !(sym.flags & SF.OPTIONAL) && parent.prompt) {
    sym.revDep = orExpr(sym.revDep, andExpr(parent.prompt.visible, symExpr(SYM_M)));
  }
}

/** Consecutive entries after a symbol that depend on it become its children (menuconfig-style). */
function autoSubmenu(pass: Pass, parent: MenuNode, sym: number): void {
  let baseTerms: Expr[] | undefined;
  let lastMenu: MenuNode | null = null;
  for (let m = parent.next; m; m = m.next) {
    const dep = m.prompt ? m.prompt.visible : m.dep;
    if (!exprContains(dep, sym)) break;
    if (!exprDependsOn(dep, sym, SYM_Y, SYM_M, SYM_N)) {
      const terms = conjuncts(dep);
      baseTerms ??= conjuncts(parent.prompt ? parent.prompt.visible : null);
      if (!baseTerms.every((b) => terms.some((t) => exprEqual(b, t)))) break;
    }
    finalize(pass, m, false);
    m.parent = parent;
    lastMenu = m;
  }
  if (lastMenu) {
    parent.list = parent.next;
    parent.next = lastMenu.next;
    lastMenu.next = null;
  }
}
