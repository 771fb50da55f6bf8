// The parsed Kconfig data: symbols, properties, menu nodes, and the symbol table (sym_lookup).
import type { Expr } from './expr.js';

export type SymType = 'unknown' | 'bool' | 'tristate' | 'int' | 'hex' | 'string';
export type PropType = 'prompt' | 'menu' | 'comment' | 'default' | 'select' | 'imply' | 'range';

/** Static symbol flags, with the kernel's bit values. */
export const SF = {
  CONST: 0x1,
  CHOICE: 0x10,
  CHOICEVAL: 0x20,
  OPTIONAL: 0x100,
  NO_WRITE: 0x1000,
  TRANSITIONAL: 0x4000_0000,
} as const;

export interface Prop {
  type: PropType;
  /** Prompt text (prompt, menu, comment). */
  text?: string;
  /** default: the value; select/imply: the target symbol; range: `lo` and `hi` below. */
  expr: Expr | null;
  range?: [number, number];
  /** The condition, after menu_finalize: the property's `if` and its menu's dependencies. */
  visible: Expr | null;
  menu: MenuNode;
  file: string;
  line: number;
}

export interface MenuNode {
  sym: number | null;
  prompt: Prop | null;
  dep: Expr | null;
  /** `visible if` of a menu. */
  visibility: Expr | null;
  parent: MenuNode | null;
  list: MenuNode | null;
  next: MenuNode | null;
  file: string;
  line: number;
  help?: string;
}

export interface KSymbol {
  id: number;
  /** null for an unnamed choice. */
  name: string | null;
  type: SymType;
  flags: number;
  props: Prop[];
  dirDep: Expr | null;
  revDep: Expr | null;
  implied: Expr | null;
  menus: MenuNode[];
  /** For a choice value: its choice's id; for a choice: its values, in menu order. */
  choice: number;
  values: number[];
}

export const SYM_Y = 0;
export const SYM_M = 1;
export const SYM_N = 2;

export function newMenu(parent: MenuNode | null, file: string, line: number, sym: number | null = null): MenuNode {
  return { sym, prompt: null, dep: null, visibility: null, parent, list: null, next: null, file, line };
}

/** Symbols in creation order; lookups by name as sym_lookup does (constants and choices apart). */
export class SymbolTable {
  readonly syms: KSymbol[] = [];
  private readonly plain = new Map<string, number>();
  private readonly consts = new Map<string, number>();
  private readonly choices = new Map<string, number>();

  constructor() {
    for (const name of ['y', 'm', 'n']) this.create(name, 'tristate', SF.CONST);
  }

  /** sym_lookup(name, 0) for words, sym_lookup(name, SYMBOL_CONST) for quoted strings. */
  lookup(name: string, quoted = false): number {
    if (name === 'y') return SYM_Y;
    if (name === 'm') return SYM_M;
    if (name === 'n') return SYM_N;
    const table = quoted ? this.consts : this.plain;
    const found = table.get(name);
    if (found !== undefined) return found;
    const id = this.create(name, 'unknown', quoted ? SF.CONST : 0);
    table.set(name, id);
    return id;
  }

  /** A choice symbol: a new one unless a choice of that name exists. */
  choice(name: string | null): number {
    if (name !== null) {
      const found = this.choices.get(name);
      if (found !== undefined) return found;
    }
    const id = this.create(name, 'unknown', SF.CHOICE | SF.NO_WRITE);
    if (name !== null) this.choices.set(name, id);
    return id;
  }

  /** sym_find: a non-constant, non-choice symbol by name. */
  find(name: string): number | undefined {
    return this.plain.get(name);
  }

  get(id: number): KSymbol {
    return this.syms[id]!;
  }

  private create(name: string | null, type: SymType, flags: number): number {
    const id = this.syms.length;
    this.syms.push({ id, name, type, flags, props: [], dirDep: null, revDep: null, implied: null, menus: [], choice: -1, values: [] });
    return id;
  }
}

/** The order of the kernel's for_all_symbols: FNV-1a hash buckets (SYMBOL_HASHSIZE of them), newest symbol first in each. */
export function hashOrder(table: SymbolTable, buckets: number): number[] {
  const keyed = table.syms.map((s) => ({ id: s.id, bucket: s.name === null ? 0 : fnv32(s.name) % buckets }));
  keyed.sort((a, b) => a.bucket - b.bucket || b.id - a.id);
  return keyed.map((k) => k.id);
}

function fnv32(s: string): number {
  let hash = 2166136261;
  for (let i = 0; i < s.length; i++) hash = Math.imul(hash ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
