// A VM's command line as launch-script text, with the values the script fills in when it runs left to it.
import { quote } from '../util/shell.js';

/** NUL never occurs in an argument: it marks where a word holds the script's expansion. */
const MARK = '\0';

/** A value the script fills in, inside a word (`$HOST_PORT`, `$(cat cmdline)`): expanded within double quotes. */
export const fromScript = (expansion: string): string => `${MARK}${expansion}${MARK}`;

/** A variable whose value is split into words by the script (`$ACCEL`): it stands for whole arguments. */
export const wordsFromScript = (variable: string): string => `${MARK}${MARK}${variable}`;

/**
 * `argv` as one shell command, continued over lines of about `width` columns (broken before an
 * option). Every word is taken literally byte for byte except the script's own expansions.
 */
export function shellCommand(argv: string[], width = 100): string {
  const lines = [''];
  for (const arg of argv) {
    const word = shellWord(arg);
    const line = lines.length - 1;
    if (lines[line] && lines[line]!.length + word.length >= width && arg.startsWith('-')) lines.push(`  ${word}`);
    else lines[line] = lines[line] ? `${lines[line]} ${word}` : word;
  }
  return lines.join(' \\\n');
}

function shellWord(arg: string): string {
  if (arg.startsWith(MARK + MARK)) return arg.slice(2);
  if (!arg.includes(MARK)) return quote(arg);
  // Literal parts and expansions alternate; in double quotes, only \ $ ` " need a backslash, and a
  // variable followed by a name's character needs braces ($HOST_PORT-: is whole, ${X}a is not $Xa).
  const parts = arg.split(MARK);
  const text = parts.map((part, i) => {
    if (i % 2 === 0) return part.replace(/[\\$`"]/g, '\\$&');
    return /^\$\w+$/.test(part) && /^\w/.test(parts[i + 1] ?? '') ? `\${${part.slice(1)}}` : part;
  }).join('');
  return `"${text}"`;
}
