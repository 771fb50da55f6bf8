// Questions a search asks of an evaluated config: removable options, menu subtrees, why a value is what it is.
import { exprToString, triChar, type Expr, type Tri } from './expr.js';
import type { ConfigEvaluation } from './evaluate.js';
import { strtol } from './numeric.js';
import { walkMenus } from './confwrite.js';
import { SF, type MenuNode, type SymbolTable } from './model.js';

export interface KconfigCandidate {
  name: string;
  /** Prompts of the enclosing menus (and parent options), outermost first. */
  menuPath: string[];
  /** The nearest enclosing config/menuconfig this option sits under in the menu tree. */
  parent?: string;
}

export interface Explanation {
  name: string;
  type: string;
  value: string;
  prompts: { text: string; at: string; visible: string }[];
  definedAt: string[];
  visible: string;
  dependsOn: { expr: string; value: string };
  selectedBy: { expr: string; value: string }[];
  impliedBy: { expr: string; value: string }[];
  defaults: { value: string; condition: string; active: boolean }[];
  why: string[];
}

export function symbolLabel(table: SymbolTable, id: number): string {
  const s = table.get(id);
  if (s.flags & SF.CONST && id > 2) return `"${s.name}"`;
  return s.name ?? '<choice>';
}

function menuPath(m: MenuNode, isChoice: (sym: number) => boolean): { path: string[]; parent?: number } {
  const path: string[] = [];
  let parent: number | undefined;
  for (let p = m.parent; p && p.parent; p = p.parent) {
    if (p.prompt?.text) path.unshift(p.prompt.text);
    if (parent === undefined && p.sym !== null && !isChoice(p.sym)) parent = p.sym;
  }
  return { path, parent };
}

/** Each symbol's first menu node, in menu order. */
function eachSymbol(root: MenuNode, fn: (sym: number, m: MenuNode) => void): void {
  const seen = new Set<number>();
  walkMenus(root, (m) => {
    if (m.sym === null || seen.has(m.sym)) return;
    seen.add(m.sym);
    fn(m.sym, m);
  });
}

export function candidates(ev: ConfigEvaluation, root: MenuNode, keep: Set<string>): KconfigCandidate[] {
  const out: KconfigCandidate[] = [];
  eachSymbol(root, (sym, m) => {
    const s = ev.sym(sym);
    if (s.flags & (SF.CHOICE | SF.CHOICEVAL) || (s.type !== 'bool' && s.type !== 'tristate')) return;
    ev.calc(s.id);
    if (ev.tri[s.id] === 0 || ev.visible[s.id] === 0 || ev.revDepTri[s.id]! >= ev.tri[s.id]! || keep.has(s.name!)) return;
    const where = menuPath(m, (x) => (ev.sym(x).flags & SF.CHOICE) !== 0);
    const parent = where.parent !== undefined ? ev.sym(where.parent).name! : undefined;
    out.push(parent ? { name: s.name!, menuPath: where.path, parent } : { name: s.name!, menuPath: where.path });
  });
  return out;
}

/** A number option the user may set: its value and, when the tree gives one, the range it must stay in. */
export interface NumberOption {
  name: string;
  type: 'int' | 'hex';
  value: bigint;
  low?: bigint;
  high?: bigint;
}

/** The visible int and hex options of an evaluated config, in menu order, with their active ranges. */
export function numberOptions(ev: ConfigEvaluation, root: MenuNode): NumberOption[] {
  const out: NumberOption[] = [];
  eachSymbol(root, (sym) => {
    const s = ev.sym(sym);
    if (s.type !== 'int' && s.type !== 'hex') return;
    ev.calc(s.id);
    if (ev.visible[s.id] === 0 || ev.val[s.id] === '') return;
    const base = s.type === 'hex' ? 16 : 10;
    const value = strtol(ev.val[s.id]!, base).value;
    const range = ev.activeProp(s.id, 'range');
    const bounds = range?.[0].range ? { low: ev.rangeVal(range[0].range[0], base), high: ev.rangeVal(range[0].range[1], base) } : {};
    out.push({ name: s.name!, type: s.type, value, ...bounds });
  });
  return out;
}

/** A choice the user may switch: its members the config could pick now, and the one it picks. */
export interface ChoiceOption {
  /** The choice's prompt (a choice has no name of its own in most trees). */
  prompt: string;
  members: string[];
  pick: string;
}

/** The visible choices of an evaluated config with more than one visible member, in menu order. */
export function choiceOptions(ev: ConfigEvaluation, root: MenuNode): ChoiceOption[] {
  const out: ChoiceOption[] = [];
  eachSymbol(root, (sym, m) => {
    const s = ev.sym(sym);
    if (!(s.flags & SF.CHOICE)) return;
    ev.calc(s.id);
    ev.calcVisibility(s.id);
    if (ev.visible[s.id] === 0) return;
    const members = s.values.filter((v) => {
      ev.calcVisibility(v);
      return ev.visible[v] !== 0;
    });
    const pick = members.find((v) => {
      ev.calc(v);
      return ev.tri[v] === 2;
    });
    if (members.length < 2 || pick === undefined) return;
    out.push({ prompt: m.prompt?.text ?? s.name ?? '<choice>', members: members.map((v) => ev.sym(v).name!), pick: ev.sym(pick).name! });
  });
  return out;
}

/** Symbols under a symbol's menu nodes, or under the menu whose prompt is `name`. */
export function subtree(table: SymbolTable, root: MenuNode, name: string): string[] {
  const id = table.find(name);
  const tops: MenuNode[] = id !== undefined ? [...table.get(id).menus] : [];
  if (!tops.length) walkMenus(root, (m) => void (m.sym === null && m.prompt?.text === name && tops.push(m)));
  const out = new Set<string>();
  const visit = (m: MenuNode | null) => {
    for (; m; m = m.next) {
      if (m.sym !== null && table.get(m.sym).name && !(table.get(m.sym).flags & SF.CHOICE)) out.add(table.get(m.sym).name!);
      visit(m.list);
    }
  };
  for (const top of tops) visit(top.list);
  if (id !== undefined) out.delete(name);
  return [...out];
}

/** The OR-terms of a reverse dependency, one per select/imply. */
function orTerms(e: Expr | null, out: Expr[] = []): Expr[] {
  if (!e) return out;
  if (e.k === 'or') {
    orTerms(e.l, out);
    orTerms(e.r, out);
  } else out.push(e);
  return out;
}

export function explain(ev: ConfigEvaluation, id: number): Explanation {
  ev.calc(id);
  const s = ev.sym(id);
  const label = (x: number) => symbolLabel(ev.table, x);
  const show = (e: Expr | null) => ({ expr: exprToString(e, label), value: triChar(ev.expr(e)) });
  const defaults = s.props
    .filter((p) => p.type === 'default')
    .map((p) => ({ value: exprToString(p.expr, label), condition: exprToString(p.visible, label), active: false }));
  const active = ev.activeProp(id, 'default');
  if (active) defaults[s.props.filter((p) => p.type === 'default').indexOf(active[0])]!.active = true;
  const selectedBy = orTerms(s.revDep).map(show).filter((t) => !t.expr.endsWith('&& m') || s.flags & SF.CHOICE);
  const impliedBy = orTerms(s.implied).map(show);
  const why: string[] = [];
  const value = ev.str(id);
  const visible = ev.visible[id] as Tri;
  if (ev.revDepTri[id]! > 0) why.push(`selected (at least ${triChar(ev.revDepTri[id] as Tri)}) by ${selectedBy.filter((t) => t.value !== 'n').map((t) => t.expr).join('; ')}`);
  if (s.dirDep && ev.dirDepTri[id] !== 2) why.push(`depends on ${exprToString(s.dirDep, label)} = ${triChar(ev.dirDepTri[id] as Tri)}`);
  if (visible !== 0 && ev.hasValue(id)) why.push(`set by the user (.config) and changeable: prompt visible (${triChar(visible)})`);
  else if (visible === 0 && s.props.some((p) => p.text)) why.push('prompt not visible: the value comes from defaults and selects only');
  else if (!s.props.some((p) => p.text)) why.push('no prompt: the value comes from defaults and selects only');
  if (active && !(visible !== 0 && ev.hasValue(id))) why.push(`default ${exprToString(active[0].expr, label)} (if ${exprToString(active[0].visible, label)})`);
  if (ev.impliedTri[id]! > 0) why.push(`implied by ${impliedBy.filter((t) => t.value !== 'n').map((t) => t.expr).join('; ')}`);
  if (s.flags & SF.CHOICEVAL) why.push(`choice value; the choice picked ${ev.sel[s.choice]! >= 0 ? label(ev.sel[s.choice]!) : 'nothing'}`);
  return {
    name: s.name ?? '<choice>',
    type: s.type,
    value,
    prompts: s.props.filter((p) => p.text !== undefined).map((p) => ({ text: p.text!, at: `${p.file}:${p.line}`, visible: triChar(ev.expr(p.visible)) })),
    definedAt: s.menus.map((m) => `${m.file}:${m.line}`),
    visible: triChar(visible),
    dependsOn: show(s.dirDep),
    selectedBy,
    impliedBy,
    defaults,
    why,
  };
}
