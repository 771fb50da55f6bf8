// conf_read: loads a .config into user values, then computes every symbol as conf_read does.
import type { DotConfig } from './dotconfig.js';
import { triMax, type Tri } from './expr.js';
import { DEF_USER, ConfigEvaluation, VALID } from './evaluate.js';
import { SF } from './model.js';
import { strtol, stringValid } from './numeric.js';

/** conf_set_sym_val: false when the value is invalid for the symbol's type. */
function setUserValue(ev: ConfigEvaluation, id: number, raw: string): boolean {
  const type = ev.sym(id).type;
  const f = ev.flags;
  switch (type) {
    case 'tristate':
    case 'bool':
      if (raw[0] === 'm' && type === 'tristate') ev.defTri[id] = 1;
      else if (raw[0] === 'y') ev.defTri[id] = 2;
      else if (raw[0] === 'n') ev.defTri[id] = 0;
      else return false;
      f[id]! |= DEF_USER;
      return true;
    case 'string': {
      if (raw[0] !== '"') return true;
      let out = '';
      let i = 1;
      for (; i < raw.length && raw[i] !== '"'; i++) out += raw[i] === '\\' ? (raw[++i] ?? '') : raw[i];
      if (i >= raw.length) return false;
      ev.defVal[id] = out;
      f[id]! |= DEF_USER;
      return true;
    }
    case 'int':
    case 'hex':
      if (!stringValid(type, raw)) return false;
      ev.defVal[id] = raw;
      f[id]! |= DEF_USER;
      return true;
    default:
      return true;
  }
}

/** conf_read_simple into the user values, then conf_read's calculation pass. */
export function readConfig(ev: ConfigEvaluation, order: number[], find: (name: string) => number | undefined, config: DotConfig): void {
  const syms = ev.table.syms;
  const modeChoices = ev.dialect.choices === 'mode';
  for (const s of syms) {
    if (s.flags & SF.CONST) continue;
    ev.flags[s.id]! &= ~(DEF_USER | VALID);
    if (s.flags & SF.CHOICE && modeChoices) ev.flags[s.id]! |= DEF_USER;
    ev.defTri[s.id] = 0;
    ev.defVal[s.id] = null;
    ev.defSel[s.id] = -1;
    ev.readAt[s.id] = 0;
  }
  let line = 0;
  for (const [name, raw] of config) {
    line++;
    const id = find(name);
    if (id === undefined) continue;
    if (!setUserValue(ev, id, raw)) continue;
    const s = syms[id]!;
    if (!(s.flags & SF.CHOICEVAL)) continue;
    // 6.12: the member read last has the highest priority in its choice
    if (!modeChoices) {
      ev.readAt[id] = line;
      continue;
    }
    const cs = s.choice;
    const t = ev.defTri[id] as Tri;
    if (t === 1 && ev.defTri[cs] === 2) ev.flags[cs]! &= ~DEF_USER;
    if (t === 2) ev.defSel[cs] = id;
    ev.defTri[cs] = triMax(ev.defTri[cs] as Tri, t);
  }
  ev.calc(ev.modulesSym);
  for (const id of order) ev.calc(id);
  if (ev.dialect.dropOutOfRange) dropOutOfRange(ev);
}

/** 6.1's conf_read: a user int, hex or string value outside its range is forgotten (the default comes back). */
function dropOutOfRange(ev: ConfigEvaluation): void {
  for (const s of ev.table.syms) {
    const id = s.id;
    if (!ev.hasValue(id) || s.flags & SF.CHOICEVAL || s.flags & SF.CONST) continue;
    if (s.type !== 'string' && s.type !== 'int' && s.type !== 'hex') continue;
    if (withinRange(ev, id, ev.defVal[id]!)) continue;
    ev.flags[id]! &= ~(VALID | DEF_USER);
  }
}

/** sym_string_within_range for string, int and hex symbols. */
function withinRange(ev: ConfigEvaluation, id: number, str: string): boolean {
  const type = ev.sym(id).type;
  if (!stringValid(type, str)) return false;
  if (type === 'string') return true;
  const range = ev.activeProp(id, 'range');
  if (!range) return true;
  const base = type === 'int' ? 10 : 16;
  const val = strtol(str, base).value;
  const [lo, hi] = range[0].range!;
  return val >= ev.rangeVal(lo, base) && val <= ev.rangeVal(hi, base);
}
