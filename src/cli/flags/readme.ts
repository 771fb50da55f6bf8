// The README's flag tables, rendered from the definitions, and the rewrite of their marked sections.
import type { Flags } from './flag.js';
import { DEPS_FLAGS, KCONFIG_FLAGS, VERIFY_FLAGS, WORKER_FLAGS } from './commands.js';
import { FLEET_FLAGS } from './fleet.js';
import { MINIMIZE_FLAGS, MINIMIZE_GROUPS } from './minimize.js';
import { renderTable, type GroupTitles } from './render.js';

/** Each marked section of README.md: `<!-- flags:NAME -->` ... `<!-- /flags:NAME -->`. */
const TABLES: Record<string, [Flags, GroupTitles?]> = {
  minimize: [MINIMIZE_FLAGS, MINIMIZE_GROUPS],
  verify: [VERIFY_FLAGS],
  deps: [DEPS_FLAGS],
  kconfig: [KCONFIG_FLAGS],
  fleet: [FLEET_FLAGS],
  worker: [WORKER_FLAGS],
};

export const README_SECTIONS = Object.keys(TABLES);

export const open = (name: string) => `<!-- flags:${name} -->`;
export const close = (name: string) => `<!-- /flags:${name} -->`;

/** What goes between a section's markers: its tables, set off by blank lines. */
export function readmeSection(name: string): string {
  const table = TABLES[name];
  if (!table) throw new Error(`no flag table named ${name}`);
  return `\n${renderTable(...table)}\n`;
}

/** The text between a section's markers, or undefined when the README lacks them. */
export function currentSection(readme: string, name: string): string | undefined {
  const start = readme.indexOf(`${open(name)}\n`);
  const end = readme.indexOf(close(name), start);
  return start === -1 || end === -1 ? undefined : readme.slice(start + open(name).length + 1, end);
}

/** The README with every section rendered again; a section whose markers are missing is an error. */
export function rewriteReadme(readme: string): string {
  let text = readme;
  for (const name of README_SECTIONS) {
    const current = currentSection(text, name);
    if (current === undefined) throw new Error(`README.md lacks the markers ${open(name)} ... ${close(name)}`);
    const at = text.indexOf(`${open(name)}\n`) + open(name).length + 1;
    text = text.slice(0, at) + readmeSection(name) + text.slice(at + current.length);
  }
  return text;
}
