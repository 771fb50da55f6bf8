// conf_write and conf_write_defconfig: which symbols a .config / defconfig holds, in menu order.
import type { DotConfig } from './dotconfig.js';
import { triMax, type Tri } from './expr.js';
import { DEF_USER, ConfigEvaluation, VALID, WRITE, WRITTEN } from './evaluate.js';
import { SF, type MenuNode } from './model.js';
import { ZERO } from './symvalue.js';

/** Depth-first menu order, calling `enter` on the way down and `leave` on the way up. */
export function walkMenus(root: MenuNode, enter: (m: MenuNode) => void, leave: (m: MenuNode) => void = () => {}): void {
  let menu: MenuNode | null = root.list;
  while (menu) {
    enter(menu);
    if (menu.list) {
      menu = menu.list;
      continue;
    }
    for (;;) {
      leave(menu);
      if (menu.next) {
        menu = menu.next;
        break;
      }
      menu = menu.parent;
      if (!menu || menu === root) return;
    }
  }
}

/** menu_is_visible for menus and comments (nodes without a symbol). */
export function menuVisible(ev: ConfigEvaluation, m: MenuNode): boolean {
  if (!m.prompt) return false;
  if (m.visibility && ev.expr(m.visibility) === 0) return false;
  return ev.expr(m.prompt.visible) !== 0;
}

/** The symbol's line as print_symbol_for_dotconfig writes it, as a DotConfig value. */
export function symbolValue(ev: ConfigEvaluation, id: number): string | undefined {
  const s = ev.sym(id);
  if (s.type === 'unknown') return undefined;
  const v = ev.str(id);
  if (s.type === 'string') return `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return v;
}

/** conf_write: the resolved .config, as a map and as the kernel's exact file text. */
export function writeConfig(ev: ConfigEvaluation, root: MenuNode): { config: DotConfig; text: string } {
  const config: DotConfig = new Map();
  const out = ['#', '# Automatically generated file; DO NOT EDIT.', `# ${root.prompt?.text ?? 'Main menu'}`, '#'];
  let needNewline = false;
  const enter = (m: MenuNode) => {
    if (m.sym === null) {
      if (!menuVisible(ev, m)) return;
      out.push('', '#', `# ${m.prompt!.text}`, '#');
      needNewline = false;
      return;
    }
    const id = m.sym;
    if (ev.sym(id).flags & SF.CHOICE || ev.flags[id]! & WRITTEN) return;
    ev.calc(id);
    if (!(ev.flags[id]! & WRITE)) return;
    if (needNewline) out.push('');
    needNewline = false;
    ev.flags[id]! |= WRITTEN;
    const value = symbolValue(ev, id);
    if (value === undefined) return;
    const name = ev.sym(id).name!;
    config.set(name, value);
    out.push(value === 'n' && isTristate(ev, id) ? `# CONFIG_${name} is not set` : `CONFIG_${name}=${value}`);
  };
  const leave = (m: MenuNode) => {
    if (m.sym === null && m.prompt?.type === 'menu' && menuVisible(ev, m)) {
      out.push(`# end of ${m.prompt.text}`);
      needNewline = true;
    }
  };
  walkMenus(root, enter, leave);
  for (let i = 0; i < ev.flags.length; i++) ev.flags[i]! &= ~WRITTEN;
  return { config, text: out.join('\n') + '\n' };
}

const isTristate = (ev: ConfigEvaluation, id: number) => ev.sym(id).type === 'bool' || ev.sym(id).type === 'tristate';

/** sym_clear_all_valid */
export function clearAllValid(ev: ConfigEvaluation): void {
  for (let i = 3; i < ev.flags.length; i++) ev.flags[i]! &= ~VALID;
  ev.calc(ev.modulesSym);
}

/** sym_get_string_default */
export function stringDefault(ev: ConfigEvaluation, id: number): string {
  const s = ev.sym(id);
  ev.calcVisibility(id);
  ev.calc(ev.modulesSym);
  let val: Tri = 0;
  let str = '';
  const def = ev.activeProp(id, 'default');
  if (def) {
    if (s.type === 'bool' || s.type === 'tristate') val = Math.min(ev.expr(def[0].expr), def[1]) as Tri;
    else if (def[0].expr?.k === 'sym') {
      ev.calc(def[0].expr.s);
      str = ev.val[def[0].expr.s]!;
    }
  }
  val = triMax(val, ev.revDepTri[id] as Tri);
  if (val === 1 && !(s.flags & SF.CHOICEVAL) && ev.tri[ev.modulesSym] === 0) val = 2;
  if (s.type === 'bool' && val === 1) val = 2;
  if (val < ev.impliedTri[id]!) val = ev.impliedTri[id] as Tri;
  if (s.type === 'bool' || s.type === 'tristate') return val === 2 ? 'y' : val === 1 ? 'm' : 'n';
  return str === '' && ev.dialect.numericZero ? (ZERO[s.type] ?? '') : str;
}

/** conf_write_defconfig: the symbols whose values differ from what Kconfig would pick anyway. */
export function writeDefconfig(ev: ConfigEvaluation, root: MenuNode): string {
  clearAllValid(ev);
  const lines: string[] = [];
  walkMenus(root, (m) => {
    if (m.sym === null) return;
    const id = m.sym;
    const s = ev.sym(id);
    if (s.flags & SF.CHOICE) return;
    ev.calc(id);
    if (!(ev.flags[id]! & WRITE)) return;
    ev.flags[id]! &= ~WRITE;
    if (!(ev.visible[id]! > ev.revDepTri[id]!)) return;
    if (ev.str(id) === stringDefault(ev, id)) return;
    if (s.flags & SF.CHOICEVAL) {
      const isDefault = ev.choiceDefault(s.choice) === id && ev.tri[id] === 2;
      // 6.1 writes the default member of an optional choice, or a tristate member, all the same
      const modeKept = ev.dialect.choices === 'mode' && (ev.sym(s.choice).flags & SF.OPTIONAL || s.type !== 'bool');
      if (isDefault && !modeKept) return;
    }
    const value = symbolValue(ev, id);
    if (value === undefined) return;
    lines.push(value === 'n' && isTristate(ev, id) ? `# CONFIG_${s.name} is not set` : `CONFIG_${s.name}=${value}`);
  });
  return lines.length ? lines.join('\n') + '\n' : '';
}

export { DEF_USER };
