// Strings a shell must never evaluate: each runs `touch <marker>` if it is pasted into shell text unquoted.
import { access } from 'node:fs/promises';

/** One per trick: command substitution, backticks, breaking out of single or double quotes, a newline, globs and escapes, a leading dash, nothing. */
export function hostileValues(marker: string): string[] {
  return [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `it's'; touch ${marker}; '`,
    `say "hi"; touch ${marker}; "`,
    `two words\tand a tab\nx; touch ${marker}`,
    '$HOME ${PATH} \\ \\n * ? [a] ~ & | < > ( ) { } ! # %',
    '-n',
    '',
  ];
}

/** All the tricks in one path-like string (for a file name: pass a marker without slashes). */
export function hostileName(marker: string): string {
  return `a $(touch ${marker}) \`touch ${marker}\` 'sq' "dq" \\ $HOME\nnext line `;
}

export async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}
