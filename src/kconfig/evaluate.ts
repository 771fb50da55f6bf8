// Symbol values as symbol.c computes them: visibility, defaults, select/imply, choices, ranges.
import type { KconfigDialect } from './dialect.js';
import { triMax, triMin, triNot, type Expr, type Tri } from './expr.js';
import { SF, type KSymbol, type Prop, type SymbolTable, type SymType } from './model.js';
import { compareValues, strtol } from './numeric.js';
import { choiceDefault } from './choice.js';
import { DEF_USER, VALID, type EvalState } from './eval-state.js';
import { calcValue, calcVisibility } from './symvalue.js';

export { DEF_USER, VALID, WRITE, WRITTEN } from './eval-state.js';

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
export class ConfigEvaluation implements EvalState {
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
  /** For choice members ('members' choices): which .config line last set each one, 0 for none. */
  readonly readAt: Uint32Array;
  modulesVal: Tri = 0;

  constructor(readonly table: SymbolTable, readonly modulesSym: number, readonly dialect: KconfigDialect) {
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
    this.readAt = new Uint32Array(n);
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
  propVisible: Tri = 0;

  /** The first property of a type whose condition holds; its condition value goes to propVisible. */
  firstProp(id: number, type: 'default' | 'range'): Prop | null {
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

  /** sym_calc_value */
  calc(id: number): void {
    if (!(this.flags[id]! & VALID)) calcValue(this, id);
  }

  /** sym_calc_visibility */
  calcVisibility(id: number): void {
    calcVisibility(this, id);
  }

  /** sym_choice_default */
  choiceDefault(id: number): number {
    return choiceDefault(this, id);
  }

  rangeVal(id: number, base: number): bigint {
    this.calc(id);
    const t = this.sym(id).type;
    return strtol(this.val[id]!, t === 'int' ? 10 : t === 'hex' ? 16 : base).value;
  }
}
