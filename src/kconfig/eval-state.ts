// What symbol.c's helpers read and set during one evaluation: the symbol flags and the evaluator's state.
import type { KconfigDialect } from './dialect.js';
import type { Expr, Tri } from './expr.js';
import type { KSymbol, Prop, SymType } from './model.js';

export const VALID = 0x80;
export const WRITE = 0x200;
export const WRITTEN = 0x800;
export const DEF_USER = 0x10000;

/** The evaluation state of one configuration (the ConfigEvaluation), as choice and symbol values see it. */
export interface EvalState {
  readonly tri: Uint8Array;
  readonly val: string[];
  readonly sel: Int32Array;
  readonly flags: Uint32Array;
  readonly visible: Uint8Array;
  readonly dirDepTri: Uint8Array;
  readonly revDepTri: Uint8Array;
  readonly impliedTri: Uint8Array;
  readonly defTri: Uint8Array;
  readonly defVal: (string | null)[];
  readonly defSel: Int32Array;
  readonly readAt: Uint32Array;
  readonly modulesSym: number;
  readonly dialect: KconfigDialect;
  modulesVal: Tri;
  propVisible: Tri;
  sym(id: number): KSymbol;
  hasValue(id: number): boolean;
  type(id: number): SymType;
  expr(e: Expr | null): Tri;
  activeProp(id: number, type: 'default' | 'range'): [Prop, Tri] | null;
  firstProp(id: number, type: 'default' | 'range'): Prop | null;
  calc(id: number): void;
  calcVisibility(id: number): void;
  rangeVal(id: number, base: number): bigint;
}
