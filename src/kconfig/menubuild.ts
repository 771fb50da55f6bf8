// The menu tree under construction (menu.c's menu_add_*): entries, blocks, prompts and properties.
import { andExpr, type Expr } from './expr.js';
import { newMenu, SymbolTable, SYM_N, type MenuNode, type Prop, type PropType, type SymType } from './model.js';

export type BlockKind = 'menu' | 'if' | 'choice';

export class MenuBuilder {
  readonly table = new SymbolTable();
  readonly root: MenuNode = newMenu(null, '', 0);
  /** current_entry: the node the option lines apply to. */
  entry: MenuNode = this.root;
  /** The `modules` symbol; n until one says `modules`. */
  modulesSym = SYM_N;
  /** Where the statement being built starts. */
  file = '';
  line = 0;
  private current: MenuNode = this.root; // current_menu
  private last: { node: MenuNode; field: 'list' | 'next' } = { node: this.root, field: 'list' };
  private readonly blocks: { kind: BlockKind; file: string; line: number }[] = [];

  constructor(
    private readonly fail: (msg: string) => never,
    private readonly warn: (msg: string) => void,
  ) {}

  /** The innermost open menu/if/choice block, if any. */
  openBlock(): { kind: BlockKind; file: string; line: number } | undefined {
    return this.blocks.at(-1);
  }

  inChoice(): boolean {
    return this.blocks.some((b) => b.kind === 'choice');
  }

  entryName(): string {
    const sym = this.entry.sym;
    return sym === null ? '<choice>' : this.table.get(sym).name ?? '<choice>';
  }

  /** menu_add_entry */
  addEntry(sym: number | null): void {
    const node = newMenu(this.current, this.file, this.line, sym);
    this.last.node[this.last.field] = node;
    this.last = { node, field: 'next' };
    this.entry = node;
    if (sym !== null) this.table.get(sym).menus.push(node);
  }

  /** menu_add_menu: the current entry opens a block. */
  addMenu(kind: BlockKind): void {
    this.last = { node: this.entry, field: 'list' };
    this.current = this.entry;
    this.blocks.push({ kind, file: this.entry.file, line: this.entry.line });
  }

  /** menu_end_menu, after checking the block matches. */
  endBlock(kind: BlockKind): void {
    const open = this.blocks.pop();
    if (!open) this.fail(`unexpected 'end${kind}' statement`);
    if (open.kind !== kind) this.fail(`unexpected 'end${kind}' within ${open.kind} block`);
    this.last = { node: this.current, field: 'next' };
    this.current = this.current.parent!;
  }

  /** menu_add_dep */
  addDep(dep: Expr): void {
    this.entry.dep = andExpr(this.entry.dep, dep);
  }

  /** menu_set_type: the first type wins. */
  setType(type: SymType): void {
    const sym = this.table.get(this.entry.sym!);
    if (sym.type === 'unknown') sym.type = type;
    else if (sym.type !== type) this.warn(`${this.file}:${this.line}:warning: ignoring type redefinition of '${this.entryName()}'`);
  }

  /** menu_add_prompt: a P_PROMPT also gets every enclosing menu's `visible if`. */
  addPrompt(type: 'prompt' | 'menu' | 'comment', text: string, dep: Expr | null): void {
    let visible = dep;
    if (type === 'prompt') {
      for (let m = this.entry.parent; m; m = m.parent) if (m.visibility) visible = andExpr(visible, m.visibility);
    }
    this.entry.prompt = this.prop(type, null, visible, text.replace(/^\s+/, ''));
  }

  /** menu_add_prop: a property of the current entry (and of its symbol). */
  prop(type: PropType, expr: Expr | null, visible: Expr | null, text?: string, menu = this.entry): Prop {
    const prop: Prop = { type, expr, visible, text, menu, file: this.file, line: this.line };
    if (menu.sym !== null) this.table.get(menu.sym).props.push(prop);
    return prop;
  }
}
