// Which member a choice picks: sym_calc_choice and sym_choice_default, as 6.1 ('mode') and 6.12 ('members') do it.
import { DEF_USER, VALID, WRITE, type EvalState } from './eval-state.js';

/** 6.1's sym_calc_choice, for a choice whose mode is y: the user's choice if visible, else the choice's default. */
export function modeChoice(ev: EvalState, id: number): number {
  const s = ev.sym(id);
  let acc = ev.flags[id]!;
  for (const v of s.values) {
    ev.calcVisibility(v);
    if (ev.visible[v] !== 0) acc &= ev.flags[v]!;
  }
  ev.flags[id]! &= acc | ~DEF_USER;
  const user = ev.defSel[id]!;
  if (user >= 0 && ev.visible[user] !== 0) return user;
  const def = choiceDefault(ev, id);
  if (def < 0) ev.tri[id] = 0;
  return def;
}

/** 6.12's sym_calc_choice: sets every visible member (y for the pick, n for the rest) and returns the pick. */
export function membersChoice(ev: EvalState, id: number): number {
  const values = ev.sym(id).values;
  const order = priority(ev, values);
  const userTri = (v: number) => (ev.hasValue(v) ? ev.defTri[v] : -1);
  let pick = -1;
  for (const v of order) {
    ev.calcVisibility(v);
    if (ev.visible[v] !== 0 && userTri(v) === 2) {
      pick = v;
      break;
    }
  }
  if (pick < 0) {
    pick = choiceDefault(ev, id);
    if (pick >= 0 && userTri(pick) === 0) pick = -1;
  }
  if (pick < 0) pick = values.find((v) => ev.visible[v] !== 0 && !ev.hasValue(v)) ?? -1;
  if (pick < 0) pick = [...order].reverse().find((v) => ev.visible[v] !== 0) ?? -1;
  for (const v of values) {
    if (ev.visible[v] === 0) continue;
    ev.tri[v] = v === pick ? 2 : 0;
    ev.flags[v]! |= VALID | WRITE;
  }
  ev.sel[id] = pick;
  return pick;
}

/** choice_members: the members the .config named, the last one named first, then the others in menu order. */
function priority(ev: EvalState, values: number[]): number[] {
  const named = values.filter((v) => ev.readAt[v] !== 0).sort((a, b) => ev.readAt[b]! - ev.readAt[a]!);
  return [...named, ...values.filter((v) => ev.readAt[v] === 0)];
}

/** sym_choice_default: the first default whose condition holds and whose member is visible, else the first visible member. */
export function choiceDefault(ev: EvalState, id: number): number {
  for (const prop of ev.sym(id).props) {
    if (prop.type !== 'default' || ev.expr(prop.visible) === 0) continue;
    const ds = (prop.expr as { s: number }).s;
    if (ev.visible[ds] !== 0) return ds;
  }
  return ev.sym(id).values.find((v) => ev.visible[v] !== 0) ?? -1;
}
