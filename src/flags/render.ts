// A flag table as --help text (wrapped, backticks dropped) and as docs/flags.md's markdown tables.
import { choicesOf, type Flag, type Flags } from './flag.js';

/** Section titles by group, in the order shown; a table without them is one "Options:" list. */
export type GroupTitles<G extends string = string> = Readonly<Record<G, string>>;

const WIDTH = 100;
const LABEL = 20;
const INDENT = ' '.repeat(2 + LABEL + 2);

const plain = (text: string) => text.replace(/`([^`]*)`/g, '$1');
const code = (text: string) => `\`${text}\``;

export function flagLabel(name: string, flag: Flag): string {
  return flag.value ? `--${name} ${flag.value}` : `--${name}`;
}

/** The text with its choices filled in and what the flag defaults to, in markdown. */
export function flagText(flag: Flag, text = flag.help): string {
  const filled = text.replaceAll('{choices}', choicesOf(flag).map(code).join(', '));
  const notes = [
    ...(flag.multiple ? ['repeatable'] : []),
    ...(flag.default !== undefined ? [`default ${code(String(flag.default))}`] : []),
    ...(flag.defaultText ? [`default: ${flag.defaultText}`] : []),
  ];
  return notes.length > 0 ? `${filled} (${notes.join('; ')})` : filled;
}

type Section = { title: string; flags: [string, Flag][] };

/** The flags in their sections, in the groups' order (a flag of no listed group last); empty ones left out. */
function sections(flags: Flags, groups?: GroupTitles): Section[] {
  const entries = Object.entries(flags);
  if (!groups) return [{ title: 'Options', flags: entries }];
  const grouped = Object.entries(groups).map(([group, title]): Section => ({ title, flags: entries.filter(([, f]) => f.group === group) }));
  const rest: Section = { title: 'Other options', flags: entries.filter(([, f]) => f.group === undefined || !(f.group in groups)) };
  return [...grouped, rest].filter((s) => s.flags.length > 0);
}

/** One flag's help lines: the label, then its text wrapped at WIDTH under the text column. */
function helpLines(label: string, text: string): string[] {
  const lines: string[] = [];
  let line = label.length <= LABEL ? `  ${label.padEnd(LABEL)}  ` : `  ${label}  `;
  let fresh = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!fresh && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = INDENT;
      fresh = true;
    }
    line += fresh ? word : ` ${word}`;
    fresh = false;
  }
  return [...lines, line];
}

/** `head` (usage and prose, ending in a newline), then each section's flags, then -h/--help. */
export function renderHelp(head: string, flags: Flags, groups?: GroupTitles): string {
  const body = sections(flags, groups).map(({ title, flags: list }) =>
    [`${title}:`, ...list.flatMap(([name, flag]) => helpLines(flagLabel(name, flag), plain(flagText(flag))))].join('\n'));
  return `${head}\n${body.join('\n\n')}\n\n${helpLines('-h, --help', 'this text').join('\n')}\n`;
}

const cell = (text: string) => text.replaceAll('|', '\\|');

/** docs/flags.md's tables: one per section (titled when grouped), each row the flag and its `readme` text. */
export function renderTable(flags: Flags, groups?: GroupTitles): string {
  return sections(flags, groups).map(({ title, flags: list }) => [
    ...(groups ? [`**${title}**`, ''] : []),
    '| flag | what |',
    '|---|---|',
    ...list.map(([name, flag]) => `| ${cell(code(flagLabel(name, flag)))} | ${cell(flagText(flag, flag.readme ?? flag.help))} |`),
  ].join('\n')).join('\n\n') + '\n';
}
