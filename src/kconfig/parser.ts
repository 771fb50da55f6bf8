// Kconfig parser (parser.y + menu.c's builders): statements into symbols, properties and the menu tree.
import { TinyxError } from '../errors.js';
import { parseExpr, TokenCursor } from './exprparse.js';
import { lexStatements, type Statement } from './lexer.js';
import { MenuBuilder } from './menubuild.js';
import { SF, type MenuNode, type SymbolTable } from './model.js';
import { entryOption, type Ctx } from './options.js';
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


export function parseKconfig(top: string, host: ParseHost): ParsedKconfig {
  return new Parser(host).run(top);
}

class Parser {
  private readonly pp: Preprocessor;
  private readonly b: MenuBuilder;
  private ctx: Ctx = 'none';
    private readonly files: string[] = [];
  private readonly including: string[] = [];
  private file = '';
  private line = 0;
  private statements = 0;

  constructor(private readonly host: ParseHost) {
    this.pp = new Preprocessor(host);
    this.b = new MenuBuilder((m) => this.fail(m), (m) => host.warn(m));
  }

  run(top: string): ParsedKconfig {
    this.source(top);
    this.closeCtx();
    const open = this.b.openBlock();
    if (open) this.fail(`missing end${open.kind} for the ${open.kind} opened at ${open.file}:${open.line}`);
    const { table, root } = this.b;
    if (!root.prompt) root.prompt = this.b.prop('menu', null, null, 'Main menu', root);
    return { table, root, modulesSym: this.b.modulesSym, files: this.files };
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
        this.line = this.b.line = st.line;
        this.b.file = name;
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
    if (this.ctx !== 'none' && entryOption(st, this.ctx, this.b, (m) => this.fail(m))) return;
    this.closeCtx();
    if (st.assign) {
      if (this.b.inChoice()) this.fail('invalid statement in a choice block');
      this.pp.assign(st.assign.name, st.assign.op, st.assign.value);
      return;
    }
    const c = new TokenCursor(st.toks.slice(1), (m) => this.fail(m));
    if (first.t !== 'kw') this.fail(`unknown statement "${first.v}"`);
    const choiceOk = ['config', 'comment', 'if', 'endif', 'endchoice'].includes(first.v);
    if (this.b.inChoice() && !choiceOk) this.fail(`invalid statement "${first.v}" in a choice block`);
    switch (first.v) {
      case 'mainmenu':
        if (this.statements !== 1) this.fail('mainmenu must be the first statement');
        this.b.root.prompt = this.b.prop('menu', null, null, c.str(), this.b.root);
        return c.end();
      case 'config':
      case 'menuconfig': {
        const sym = this.b.table.lookup(c.word());
        c.end();
        this.b.table.get(sym).flags |= SF.OPTIONAL;
        this.b.addEntry(sym);
        this.ctx = first.v;
        return;
      }
      case 'choice': {
        const name = c.atEnd() ? null : c.word();
        c.end();
        this.b.addEntry(this.b.table.choice(name));
        this.ctx = 'choice';
        return;
      }
      case 'menu':
        this.b.addEntry(null);
        this.b.addPrompt('menu', c.str(), null);
        c.end();
        this.ctx = 'menu';
        return;
      case 'comment':
        this.b.addEntry(null);
        this.b.addPrompt('comment', c.str(), null);
        c.end();
        this.ctx = 'comment';
        return;
      case 'if':
        this.b.addEntry(null);
        this.b.addDep(parseExpr(c, this.b.table));
        c.end();
        this.b.addMenu('if');
        return;
      case 'endmenu':
      case 'endif':
      case 'endchoice':
        c.end();
        return this.b.endBlock(first.v.slice(3) as 'menu' | 'if' | 'choice');
      case 'source': {
        const name = c.str();
        c.end();
        return this.source(name);
      }
      default:
        this.fail(`unknown statement "${first.v}"`);
    }
  }

  private closeCtx(): void {
    if (this.ctx === 'menuconfig' && this.b.entry.prompt) this.b.entry.prompt.type = 'menu';
    if (this.ctx === 'menu') this.b.addMenu('menu');
    if (this.ctx === 'choice') this.b.addMenu('choice');
    this.ctx = 'none';
  }
}
