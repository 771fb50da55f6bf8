// sym_calc_value and its helpers: one symbol's visibility and value from its properties.
import { membersChoice, modeChoice } from './choice.js';
import { triMax, triMin, type Tri } from './expr.js';
import { VALID, WRITE, type EvalState } from './eval-state.js';
import { SF, type SymType } from './model.js';
import { strtol } from './numeric.js';

/** What an int or hex symbol without a value holds, where the dialect says numericZero. */
export const ZERO: Partial<Record<SymType, string>> = { int: '0', hex: '0x0' };

/** sym_calc_visibility */
export function calcVisibility(ev: EvalState, id: number): void {
  const s = ev.sym(id);
  const choiceSym = s.flags & SF.CHOICEVAL ? s.choice : -1;
  let tri: Tri = 0;
  const props = s.props;
  for (let i = 0; i < props.length; i++) {
    const prop = props[i]!;
    if (prop.text === undefined) continue;
    let vis = ev.expr(prop.visible);
    if (choiceSym >= 0 && s.type === 'tristate' && vis === 1 && ev.tri[choiceSym] === 2) vis = 0;
    tri = triMax(tri, vis);
  }
  if (tri === 1 && (s.type !== 'tristate' || ev.modulesVal === 0)) tri = 2;
  ev.visible[id] = tri;
  if (choiceSym >= 0) return;
  ev.dirDepTri[id] = boolUp(ev, id, s.dirDep ? ev.expr(s.dirDep) : 2);
  ev.revDepTri[id] = boolUp(ev, id, s.revDep ? ev.expr(s.revDep) : 0);
  ev.impliedTri[id] = boolUp(ev, id, s.implied ? ev.expr(s.implied) : 0);
}

function boolUp(ev: EvalState, id: number, t: Tri): Tri {
  return t === 1 && ev.type(id) === 'bool' ? 2 : t;
}

/** sym_calc_value */
export function calcValue(ev: EvalState, id: number): void {
  const f = ev.flags;
  if (f[id]! & VALID) return;
  f[id]! |= VALID;
  const s = ev.sym(id);
  const modeChoices = ev.dialect.choices === 'mode';
  const oldTri = ev.tri[id];
  const oldVal = ev.val[id];
  let newTri: Tri = 0;
  let newVal = s.type === 'bool' || s.type === 'tristate' ? 'n' : ev.dialect.numericZero ? (ZERO[s.type] ?? '') : '';
  if (s.type === 'unknown') {
    ev.val[id] = s.name ?? '';
    ev.tri[id] = 0;
    return;
  }
  f[id]! &= ~WRITE;
  ev.calcVisibility(id);
  const visible = ev.visible[id] as Tri;
  // `transitional` (Linux >= 6.18): a promptless symbol whose .config value is still read, never written
  const transitional = (s.flags & SF.TRANSITIONAL) !== 0;
  if (visible !== 0) f[id]! |= WRITE;
  ev.tri[id] = newTri;
  ev.val[id] = newVal;
  if (modeChoices) ev.sel[id] = -1;
  const type = ev.type(id);
  if (type === 'bool' || type === 'tristate') {
    if (s.flags & SF.CHOICEVAL && !modeChoices) {
      membersChoice(ev, s.choice);
      newTri = ev.tri[id] as Tri;
    } else if (s.flags & SF.CHOICEVAL && visible === 2) {
      newTri = ev.sel[s.choice] === id ? 2 : 0;
    } else {
      if ((visible !== 0 || transitional) && ev.hasValue(id)) {
        newTri = transitional ? (ev.defTri[id] as Tri) : triMin(ev.defTri[id] as Tri, visible);
      } else {
        if (ev.revDepTri[id] !== 0) f[id]! |= WRITE;
        if (!(s.flags & SF.CHOICE)) {
          const def = ev.firstProp(id, 'default');
          if (def) {
            const vis = ev.propVisible;
            newTri = triMin(ev.expr(def.expr), vis);
            if (newTri !== 0) f[id]! |= WRITE;
          }
          if (ev.impliedTri[id] !== 0) {
            f[id]! |= WRITE;
            newTri = triMin(triMax(newTri, ev.impliedTri[id] as Tri), ev.dirDepTri[id] as Tri);
          }
        }
      }
      newTri = triMax(newTri, ev.revDepTri[id] as Tri);
    }
    if (newTri === 1 && ev.type(id) === 'bool') newTri = 2;
  } else if ((visible !== 0 || transitional) && ev.hasValue(id)) {
    newVal = ev.defVal[id]!;
  } else {
    const def = ev.firstProp(id, 'default');
    if (def && def.expr?.k === 'sym') {
      const ds = def.expr.s;
      f[id]! |= WRITE;
      ev.calc(ds);
      newVal = ev.sym(ds).type === 'bool' || ev.sym(ds).type === 'tristate' ? 'n' : ev.val[ds]!;
    }
  }
  ev.tri[id] = newTri;
  ev.val[id] = newVal;
  if (s.flags & SF.CHOICE && modeChoices && newTri === 2) ev.sel[id] = modeChoice(ev, id);
  validateRange(ev, id);
  if (id === ev.modulesSym && (oldTri !== ev.tri[id] || oldVal !== ev.val[id])) ev.modulesVal = ev.tri[id] as Tri;
  if (s.flags & SF.CHOICE && modeChoices) {
    for (const v of s.values) if (f[id]! & WRITE && ev.visible[v] !== 0) f[v]! |= WRITE;
  }
  if (s.flags & SF.NO_WRITE) f[id]! &= ~WRITE;
}

/** sym_validate_range: out-of-range int/hex values snap to the nearer bound. */
function validateRange(ev: EvalState, id: number): void {
  const type = ev.sym(id).type;
  if (type !== 'int' && type !== 'hex') return;
  const range = ev.activeProp(id, 'range');
  if (!range) return;
  const base = type === 'int' ? 10 : 16;
  const val = strtol(ev.val[id]!, base).value;
  const [lo, hi] = range[0].range!;
  let bound = lo;
  if (val >= ev.rangeVal(lo, base)) {
    bound = hi;
    if (val <= ev.rangeVal(hi, base)) return;
  }
  ev.val[id] = ev.val[bound]!;
}
