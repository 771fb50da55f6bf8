// Symbol values as symbol.c computes them: visibility, defaults, select/imply, choices, ranges.
import { triMax, triMin, triNot, type Expr, type Tri } from './expr.js';
import { SF, type KSymbol, type Prop, type SymbolTable, type SymType } from './model.js';
import { compareValues, strtol } from './numeric.js';

export const VALID = 0x80;
export const WRITE = 0x200;
export const WRITTEN = 0x800;
export const DEF_USER = 0x10000;

const templates = new WeakMap<SymbolTable, { tri: Uint8Array; val: string[]; flags: Uint32Array }>();

/** The initial state of every evaluation over a table, built once. */
function template(table: SymbolTable) {
  let t = templates.get(table);
  if (!t) {
    t = { tri: new Uint8Array(table.syms.length), val: table.syms.map((s) => s.name ?? ''), flags: Uint32Array.from(table.syms, (s) => s.flags) };
    for (const [id, v] of [[0, 2], [1, 1], [2, 0]] as const) {
      t.tri[id] = v;
      t.flags[id]! |= VALID;
    }
    templates.set(table, t);
  }
  return t;
}

/** Mutable evaluation state for one configuration over an immutable symbol table. */
export class Evaluator {
  readonly tri: Uint8Array;
  readonly val: string[];
  /** A choice's selected value (curr.val of a choice), -1 for none. */
  readonly sel: Int32Array;
  readonly flags: Uint32Array;
  readonly visible: Uint8Array;
  readonly dirDepTri: Uint8Array;
  readonly revDepTri: Uint8Array;
  readonly impliedTri: Uint8Array;
  /** User values (def[S_DEF_USER]): tristate, string, and a choice's chosen value. */
  readonly defTri: Uint8Array;
  readonly defVal: (string | null)[];
  readonly defSel: Int32Array;
  modulesVal: Tri = 0;

  constructor(readonly table: SymbolTable, readonly modulesSym: number) {
    const n = table.syms.length;
    const t = template(table);
    this.tri = t.tri.slice();
    this.val = t.val.slice();
    this.sel = new Int32Array(n).fill(-1);
    this.flags = t.flags.slice();
    this.visible = new Uint8Array(n);
    this.dirDepTri = new Uint8Array(n);
    this.revDepTri = new Uint8Array(n);
    this.impliedTri = new Uint8Array(n);
    this.defTri = new Uint8Array(n);
    this.defVal = new Array<string | null>(n).fill(null);
    this.defSel = new Int32Array(n).fill(-1);
  }

  sym(id: number): KSymbol {
    return this.table.syms[id]!;
  }

  hasValue(id: number): boolean {
    return (this.flags[id]! & DEF_USER) !== 0;
  }

  /** sym_get_type: tristate becomes bool without modules, or for a choice value shown as y. */
  type(id: number): SymType {
    const s = this.sym(id);
    if (s.type === 'tristate') {
      if ((s.flags & SF.CHOICEVAL) && this.visible[id] === 2) return 'bool';
      if (this.modulesVal === 0) return 'bool';
    }
    return s.type;
  }

  /** sym_get_string_value */
  str(id: number): string {
    const t = this.sym(id).type;
    if (t === 'bool' || t === 'tristate') return this.tri[id] === 2 ? 'y' : this.tri[id] === 1 ? 'm' : 'n';
    return this.val[id]!;
  }

  expr(e: Expr | null): Tri {
    if (!e) return 2;
    switch (e.k) {
      case 'sym':
        this.calc(e.s);
        return this.tri[e.s] as Tri;
      case 'and':
        return triMin(this.expr(e.l), this.expr(e.r));
      case 'or':
        return triMax(this.expr(e.l), this.expr(e.r));
      case 'not':
        return triNot(this.expr(e.e));
      case 'cmp': {
        this.calc(e.l);
        this.calc(e.r);
        const res = compareValues(this.str(e.l), this.sym(e.l).type, this.str(e.r), this.sym(e.r).type);
        switch (e.op) {
          case '=':
            return res === 0 ? 2 : 0;
          case '!=':
            return res !== 0 ? 2 : 0;
          case '<':
            return res < 0 ? 2 : 0;
          case '<=':
            return res <= 0 ? 2 : 0;
          case '>':
            return res > 0 ? 2 : 0;
          default:
            return res >= 0 ? 2 : 0;
        }
      }
    }
  }

  /** The first property of a type whose condition holds, and that condition's value. */
  activeProp(id: number, type: 'default' | 'range'): [Prop, Tri] | null {
    const prop = this.firstProp(id, type);
    return prop ? [prop, this.propVisible] : null;
  }

  /** The condition value of the property firstProp last returned. */
  private propVisible: Tri = 0;

  private firstProp(id: number, type: 'default' | 'range'): Prop | null {
    const props = this.sym(id).props;
    for (let i = 0; i < props.length; i++) {
      const prop = props[i]!;
      if (prop.type !== type) continue;
      const vis = this.expr(prop.visible);
      if (vis !== 0) {
        this.propVisible = vis;
        return prop;
      }
    }
    return null;
  }

  /** sym_calc_visibility */
  calcVisibility(id: number): void {
    const s = this.sym(id);
    const choiceSym = s.flags & SF.CHOICEVAL ? s.choice : -1;
    let tri: Tri = 0;
    const props = s.props;
    for (let i = 0; i < props.length; i++) {
      const prop = props[i]!;
      if (prop.text === undefined) continue;
      let vis = this.expr(prop.visible);
      if (choiceSym >= 0 && s.type === 'tristate' && vis === 1 && this.tri[choiceSym] === 2) vis = 0;
      tri = triMax(tri, vis);
    }
    if (tri === 1 && (s.type !== 'tristate' || this.modulesVal === 0)) tri = 2;
    this.visible[id] = tri;
    if (choiceSym >= 0) return;
    this.dirDepTri[id] = this.boolUp(id, s.dirDep ? this.expr(s.dirDep) : 2);
    this.revDepTri[id] = this.boolUp(id, s.revDep ? this.expr(s.revDep) : 0);
    this.impliedTri[id] = this.boolUp(id, s.implied ? this.expr(s.implied) : 0);
  }

  private boolUp(id: number, t: Tri): Tri {
    return t === 1 && this.type(id) === 'bool' ? 2 : t;
  }

  /** sym_calc_value */
  calc(id: number): void {
    const f = this.flags;
    if (f[id]! & VALID) return;
    f[id]! |= VALID;
    const s = this.sym(id);
    const oldTri = this.tri[id];
    const oldVal = this.val[id];
    let newTri: Tri = 0;
    let newVal = s.type === 'bool' || s.type === 'tristate' ? 'n' : '';
    if (s.type === 'unknown') {
      this.val[id] = s.name ?? '';
      this.tri[id] = 0;
      return;
    }
    f[id]! &= ~WRITE;
    this.calcVisibility(id);
    const visible = this.visible[id] as Tri;
    if (visible !== 0) f[id]! |= WRITE;
    this.tri[id] = newTri;
    this.val[id] = newVal;
    this.sel[id] = -1;
    const type = this.type(id);
    if (type === 'bool' || type === 'tristate') {
      if (s.flags & SF.CHOICEVAL && visible === 2) {
        newTri = this.sel[s.choice] === id ? 2 : 0;
      } else {
        if (visible !== 0 && this.hasValue(id)) {
          newTri = triMin(this.defTri[id] as Tri, visible);
        } else {
          if (this.revDepTri[id] !== 0) f[id]! |= WRITE;
          if (!(s.flags & SF.CHOICE)) {
            const def = this.firstProp(id, 'default');
            if (def) {
              const vis = this.propVisible;
              newTri = triMin(this.expr(def.expr), vis);
              if (newTri !== 0) f[id]! |= WRITE;
            }
            if (this.impliedTri[id] !== 0) {
              f[id]! |= WRITE;
              newTri = triMin(triMax(newTri, this.impliedTri[id] as Tri), this.dirDepTri[id] as Tri);
            }
          }
        }
        newTri = triMax(newTri, this.revDepTri[id] as Tri);
      }
      if (newTri === 1 && this.type(id) === 'bool') newTri = 2;
    } else if (visible !== 0 && this.hasValue(id)) {
      newVal = this.defVal[id]!;
    } else {
      const def = this.firstProp(id, 'default');
      if (def && def.expr?.k === 'sym') {
        const ds = def.expr.s;
        f[id]! |= WRITE;
        this.calc(ds);
        newVal = this.sym(ds).type === 'bool' || this.sym(ds).type === 'tristate' ? 'n' : this.val[ds]!;
      }
    }
    this.tri[id] = newTri;
    this.val[id] = newVal;
    if (s.flags & SF.CHOICE && newTri === 2) this.sel[id] = this.calcChoice(id);
    this.validateRange(id);
    if (id === this.modulesSym && (oldTri !== this.tri[id] || oldVal !== this.val[id])) this.modulesVal = this.tri[id] as Tri;
    if (s.flags & SF.CHOICE) {
      for (const v of s.values) if (f[id]! & WRITE && this.visible[v] !== 0) f[v]! |= WRITE;
    }
    if (s.flags & SF.NO_WRITE) f[id]! &= ~WRITE;
  }

  /** sym_calc_choice: the user's choice if visible, else the choice's default. */
  private calcChoice(id: number): number {
    const s = this.sym(id);
    let acc = this.flags[id]!;
    for (const v of s.values) {
      this.calcVisibility(v);
      if (this.visible[v] !== 0) acc &= this.flags[v]!;
    }
    this.flags[id]! &= acc | ~DEF_USER;
    const user = this.defSel[id]!;
    if (user >= 0 && this.visible[user] !== 0) return user;
    const def = this.choiceDefault(id);
    if (def < 0) this.tri[id] = 0;
    return def;
  }

  /** sym_choice_default */
  choiceDefault(id: number): number {
    for (const prop of this.sym(id).props) {
      if (prop.type !== 'default' || this.expr(prop.visible) === 0) continue;
      const ds = (prop.expr as { s: number }).s;
      if (this.visible[ds] !== 0) return ds;
    }
    return this.sym(id).values.find((v) => this.visible[v] !== 0) ?? -1;
  }

  /** sym_validate_range: out-of-range int/hex values snap to the nearer bound. */
  private validateRange(id: number): void {
    const type = this.sym(id).type;
    if (type !== 'int' && type !== 'hex') return;
    const range = this.activeProp(id, 'range');
    if (!range) return;
    const base = type === 'int' ? 10 : 16;
    const val = strtol(this.val[id]!, base).value;
    const [lo, hi] = range[0].range!;
    let bound = lo;
    if (val >= this.rangeVal(lo, base)) {
      bound = hi;
      if (val <= this.rangeVal(hi, base)) return;
    }
    this.val[id] = this.val[bound]!;
  }

  rangeVal(id: number, base: number): bigint {
    this.calc(id);
    const t = this.sym(id).type;
    return strtol(this.val[id]!, t === 'int' ? 10 : t === 'hex' ? 16 : base).value;
  }
}
