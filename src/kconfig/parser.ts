// Kconfig parser (parser.y + menu.c's builders): statements into symbols, properties and the menu tree.
import { TinyxError } from '../errors.js';
import { andExpr, symExpr, type Expr } from './expr.js';
import { parseExpr, TokenCursor } from './exprparse.js';
import { lexStatements, type Statement } from './lexer.js';
import { newMenu, SF, SymbolTable, SYM_N, type MenuNode, type Prop, type PropType, type SymType } from './model.js';
import { PreprocessError, Preprocessor, type PreprocessHost } from './preprocess.js';

export interface ParseHost extends PreprocessHost {
  /** A Kconfig file by the name `source` gives (relative to the source tree), or undefined. */
  readFile(name: string): string | undefined;
}

export interface ParsedKconfig {
  table: SymbolTable;
  root: MenuNode;
  /** The `modules` symbol, or n when there is none. */
  modulesSym: number;
  files: string[];
}

type Ctx = 'config' | 'menuconfig' | 'choice' | 'menu' | 'comment' | 'none';
const TYPES: Record<string, SymType> = { bool: 'bool', tristate: 'tristate', int: 'int', hex: 'hex', string: 'string' };

export function parseKconfig(top: string, host: ParseHost): ParsedKconfig {
  return new Parser(host).run(top);
}

class Parser {
  readonly table = new SymbolTable();
  readonly root: MenuNode = newMenu(null, '', 0);
  private readonly pp: Preprocessor;
  private current: MenuNode = this.root; // current_menu
  private entry: MenuNode = this.root; // current_entry
  private last: { node: MenuNode; field: 'list' | 'next' } = { node: this.root, field: 'list' };
  private readonly blocks: { kind: 'menu' | 'if' | 'choice'; file: string; line: number }[] = [];
  private ctx: Ctx = 'none';
  private modulesSym = SYM_N;
  private readonly files: string[] = [];
  private readonly including: string[] = [];
  private file = '';
  private line = 0;
  private statements = 0;

  constructor(private readonly host: ParseHost) {
    this.pp = new Preprocessor(host);
  }

  run(top: string): ParsedKconfig {
    this.source(top);
    this.closeCtx();
    const open = this.blocks.at(-1);
    if (open) this.fail(`missing end${open.kind} for the ${open.kind} opened at ${open.file}:${open.line}`);
    if (!this.root.prompt) this.root.prompt = this.prop('menu', null, null, 'Main menu', this.root);
    return { table: this.table, root: this.root, modulesSym: this.modulesSym, files: this.files };
  }

  fail(msg: string): never {
    throw new TinyxError('TINYX_KCONFIG_PARSE', this.file ? `${this.file}:${this.line}: ${msg}` : msg, {
      advice: 'Check the Kconfig file at that line; the kernel\'s own `make olddefconfig` reports the same place.',
    });
  }

  private source(name: string): void {
    const text = this.host.readFile(name);
    if (text === undefined) this.fail(`can't open file "${name}"`);
    if (this.including.includes(name)) this.fail(`recursive inclusion of "${name}"`);
    const saved = [this.file, this.line] as const;
    this.files.push(name);
    this.including.push(name);
    this.file = this.pp.file = name;
    try {
      for (const st of lexStatements(text, this.pp)) {
        this.line = st.line;
        this.statement(st);
      }
    } catch (error) {
      if (error instanceof PreprocessError) {
        this.line = this.pp.line;
        this.fail(error.message);
      }
      throw error;
    } finally {
      this.including.pop();
    }
    [this.file, this.line] = saved;
    this.pp.file = this.file;
  }

  private statement(st: Statement): void {
    const first = st.toks[0]!;
    this.statements++;
    if (this.ctx !== 'none' && this.option(st)) return;
    this.closeCtx();
    if (st.assign) {
      if (this.inChoice()) this.fail('invalid statement in a choice block');
      this.pp.assign(st.assign.name, st.assign.op, st.assign.value);
      return;
    }
    const c = new TokenCursor(st.toks.slice(1), (m) => this.fail(m));
    if (first.t !== 'kw') this.fail(`unknown statement "${first.v}"`);
    const choiceOk = ['config', 'comment', 'if', 'endif', 'endchoice'].includes(first.v);
    if (this.inChoice() && !choiceOk) this.fail(`invalid statement "${first.v}" in a choice block`);
    switch (first.v) {
      case 'mainmenu':
        if (this.statements !== 1) this.fail('mainmenu must be the first statement');
        this.root.prompt = this.prop('menu', null, null, c.str(), this.root);
        return c.end();
      case 'config':
      case 'menuconfig': {
        const sym = this.table.lookup(c.word());
        c.end();
        this.table.get(sym).flags |= SF.OPTIONAL;
        this.addEntry(sym);
        this.ctx = first.v;
        return;
      }
      case 'choice': {
        const name = c.atEnd() ? null : c.word();
        c.end();
        this.addEntry(this.table.choice(name));
        this.ctx = 'choice';
        return;
      }
      case 'menu':
        this.addEntry(null);
        this.addPrompt('menu', c.str(), null);
        c.end();
        this.ctx = 'menu';
        return;
      case 'comment':
        this.addEntry(null);
        this.addPrompt('comment', c.str(), null);
        c.end();
        this.ctx = 'comment';
        return;
      case 'if':
        this.addEntry(null);
        this.entry.dep = parseExpr(c, this.table);
        c.end();
        this.addMenu('if');
        return;
      case 'endmenu':
      case 'endif':
      case 'endchoice':
        c.end();
        return this.endBlock(first.v.slice(3) as 'menu' | 'if' | 'choice');
      case 'source': {
        const name = c.str();
        c.end();
        return this.source(name);
      }
      default:
        this.fail(`unknown statement "${first.v}"`);
    }
  }

  /** An option line of the current config/choice/menu/comment entry; false if it is not one. */
  private option(st: Statement): boolean {
    const first = st.toks[0]!;
    const c = new TokenCursor(st.toks.slice(1), (m) => this.fail(m));
    const v = first.v;
    const isConfig = this.ctx === 'config' || this.ctx === 'menuconfig';
    if (first.t === 'kw' && v === 'depends') {
      if (!c.isKw('on')) this.fail('syntax error: expected "on" after "depends"');
      c.pos++;
      this.entry.dep = andExpr(this.entry.dep, parseExpr(c, this.table));
      c.end();
      return true;
    }
    if (first.t === 'kw' && v === 'help' && (isConfig || this.ctx === 'choice')) {
      c.end();
      this.entry.help = st.help ?? '';
      return true;
    }
    if (this.ctx === 'menu' && first.t === 'kw' && v === 'visible') {
      this.entry.visibility = andExpr(this.entry.visibility, c.ifExpr(this.table));
      c.end();
      return true;
    }
    if (!isConfig && this.ctx !== 'choice') return false;
    const choice = this.ctx === 'choice';
    if (first.t === 'word' && v === 'option' && isConfig) return this.legacyOption(c);
    if (first.t !== 'kw') return false;
    const type = TYPES[v];
    if (type && (!choice || type === 'bool' || type === 'tristate')) {
      this.setType(type);
      if (!c.atEnd()) this.addPrompt('prompt', c.str(), c.ifExpr(this.table));
    } else if (v === 'prompt') {
      this.addPrompt('prompt', c.str(), c.ifExpr(this.table));
    } else if (v === 'default' || (isConfig && (v === 'def_bool' || v === 'def_tristate'))) {
      const value: Expr = choice ? symExpr(this.table.lookup(c.word())) : parseExpr(c, this.table);
      this.prop('default', value, c.ifExpr(this.table));
      if (v !== 'default') this.setType(v === 'def_bool' ? 'bool' : 'tristate');
    } else if (isConfig && (v === 'select' || v === 'imply')) {
      this.prop(v, symExpr(this.table.lookup(c.word())), c.ifExpr(this.table));
    } else if (isConfig && v === 'range') {
      const lo = c.symbol(this.table);
      const hi = c.symbol(this.table);
      this.prop('range', null, c.ifExpr(this.table)).range = [lo, hi];
    } else if (isConfig && v === 'modules') {
      if (this.modulesSym !== SYM_N) this.fail(`symbol '${this.symName()}' redefines option 'modules'`);
      this.modulesSym = this.entry.sym!;
    } else if (isConfig && v === 'transitional') {
      this.table.get(this.entry.sym!).flags |= SF.TRANSITIONAL | SF.NO_WRITE;
    } else if (choice && v === 'optional') {
      this.table.get(this.entry.sym!).flags |= SF.OPTIONAL;
    } else return false;
    c.end();
    return true;
  }

  /** Pre-5.x `option` forms: `option modules`, `option env=...`, `option defconfig_list`, `option allnoconfig_y`. */
  private legacyOption(c: TokenCursor): boolean {
    const what = c.word();
    if (what === 'modules') this.modulesSym = this.entry.sym!;
    while (!c.atEnd()) c.take();
    return true;
  }

  private closeCtx(): void {
    if (this.ctx === 'menuconfig' && this.entry.prompt) this.entry.prompt.type = 'menu';
    if (this.ctx === 'menu') this.addMenu('menu');
    if (this.ctx === 'choice') this.addMenu('choice');
    this.ctx = 'none';
  }

  private inChoice(): boolean {
    return this.blocks.some((b) => b.kind === 'choice');
  }

  private symName(): string {
    const sym = this.entry.sym;
    return sym === null ? '<choice>' : this.table.get(sym).name ?? '<choice>';
  }

  /** menu_add_entry */
  private addEntry(sym: number | null): void {
    const node = newMenu(this.current, this.file, this.line, sym);
    this.last.node[this.last.field] = node;
    this.last = { node, field: 'next' };
    this.entry = node;
    if (sym !== null) this.table.get(sym).menus.push(node);
  }

  /** menu_add_menu */
  private addMenu(kind: 'menu' | 'if' | 'choice'): void {
    this.last = { node: this.entry, field: 'list' };
    this.current = this.entry;
    this.blocks.push({ kind, file: this.entry.file, line: this.entry.line });
  }

  private endBlock(kind: 'menu' | 'if' | 'choice'): void {
    const open = this.blocks.pop();
    if (!open) this.fail(`unexpected 'end${kind}' statement`);
    if (open.kind !== kind) this.fail(`unexpected 'end${kind}' within ${open.kind} block`);
    this.last = { node: this.current, field: 'next' };
    this.current = this.current.parent!;
  }

  private setType(type: SymType): void {
    const sym = this.table.get(this.entry.sym!);
    if (sym.type === 'unknown') sym.type = type;
    else if (sym.type !== type) this.host.warn(`${this.file}:${this.line}:warning: ignoring type redefinition of '${this.symName()}'`);
  }

  /** menu_add_prompt: a P_PROMPT also gets every enclosing menu's `visible if`. */
  private addPrompt(type: 'prompt' | 'menu' | 'comment', text: string, dep: Expr | null): void {
    let visible = dep;
    if (type === 'prompt') {
      for (let m = this.entry.parent; m; m = m.parent) if (m.visibility) visible = andExpr(visible, m.visibility);
    }
    this.entry.prompt = this.prop(type, null, visible, text.replace(/^\s+/, ''));
  }

  private prop(type: PropType, expr: Expr | null, visible: Expr | null, text?: string, menu = this.entry): Prop {
    const prop: Prop = { type, expr, visible, text, menu, file: this.file, line: this.line };
    if (menu.sym !== null) this.table.get(menu.sym).props.push(prop);
    return prop;
  }
}
