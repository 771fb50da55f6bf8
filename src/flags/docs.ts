// docs/flags.md's flag tables, rendered from the definitions, and the rewrite of their marked sections.
import type { Flags } from './flag.js';
import { DEPS_FLAGS, KCONFIG_FLAGS, VERIFY_FLAGS, WORKER_FLAGS } from './commands.js';
import { FLEET_FLAGS } from './fleet.js';
import { MINIMIZE_FLAGS, MINIMIZE_GROUPS } from './minimize.js';
import { renderTable, type GroupTitles } from './render.js';

/** The page that holds every command's flag table, from the repository's root. */
export const FLAGS_PAGE = 'docs/flags.md';

/** Each marked section of the page: `<!-- flags:NAME -->` ... `<!-- /flags:NAME -->`. */
const TABLES: Record<string, [Flags, GroupTitles?]> = {
  minimize: [MINIMIZE_FLAGS, MINIMIZE_GROUPS],
  verify: [VERIFY_FLAGS],
  deps: [DEPS_FLAGS],
  kconfig: [KCONFIG_FLAGS],
  fleet: [FLEET_FLAGS],
  worker: [WORKER_FLAGS],
};

export const FLAG_SECTIONS = Object.keys(TABLES);

export const open = (name: string) => `<!-- flags:${name} -->`;
export const close = (name: string) => `<!-- /flags:${name} -->`;

/** What goes between a section's markers: its tables, set off by blank lines. */
export function flagSection(name: string): string {
  const table = TABLES[name];
  if (!table) throw new Error(`no flag table named ${name}`);
  return `\n${renderTable(...table)}\n`;
}

/** The text between a section's markers, or undefined when the page lacks them. */
export function currentSection(page: string, name: string): string | undefined {
  const start = page.indexOf(`${open(name)}\n`);
  const end = page.indexOf(close(name), start);
  return start === -1 || end === -1 ? undefined : page.slice(start + open(name).length + 1, end);
}

/** The page with every section rendered again; a section whose markers are missing is an error. */
export function rewriteFlagsPage(page: string): string {
  let text = page;
  for (const name of FLAG_SECTIONS) {
    const current = currentSection(text, name);
    if (current === undefined) throw new Error(`${FLAGS_PAGE} lacks the markers ${open(name)} ... ${close(name)}`);
    const at = text.indexOf(`${open(name)}\n`) + open(name).length + 1;
    text = text.slice(0, at) + flagSection(name) + text.slice(at + current.length);
  }
  return text;
}
