// A .config the user names on the command line: read it, and refuse a file that is not one.
import { readFile } from 'node:fs/promises';
import { TinyxError } from '../errors.js';
import { parseDotConfig, type DotConfig } from './dotconfig.js';

const ASSIGNMENT = /^CONFIG_[A-Za-z0-9_]+=/;
const NOT_SET = /^# CONFIG_[A-Za-z0-9_]+ is not set\s*$/;

/**
 * Pure: why `text` is not a kernel config, or undefined when it is one. Every line must be blank,
 * a comment or a `CONFIG_NAME=value` assignment, and at least one must set or unset an option
 * (what `make savedefconfig` and `.config` files both are).
 */
export function dotConfigProblem(text: string): string | undefined {
  let options = 0;
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    if (ASSIGNMENT.test(line) || NOT_SET.test(line)) options++;
    else if (line.trim() !== '' && !line.trimStart().startsWith('#')) {
      return `line ${i + 1} is neither a CONFIG_NAME=value assignment nor a comment: ${JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}...` : line)}`;
    }
  }
  return options === 0 ? 'it sets no option (no CONFIG_NAME=value and no "# CONFIG_NAME is not set" line)' : undefined;
}

/** Reads `file` given with `flag` (e.g. --config), refusing it with TINYX_CONFIG_INVALID unless it is a kernel config. */
export async function readUserConfig(
  file: string, flag: string, advice = `Pass ${flag} with a kernel .config (or a defconfig fragment), e.g. the config file of a tinyx out dir.`,
): Promise<DotConfig> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new TinyxError('TINYX_CONFIG_INVALID', `${flag}: cannot read ${file} (${error.code ?? error.message}).`, { advice, cause: error });
  });
  const problem = dotConfigProblem(text);
  if (problem) throw new TinyxError('TINYX_CONFIG_INVALID', `${flag}: ${file} is not a kernel config: ${problem}.`, { advice });
  return parseDotConfig(text.replace(/\r\n/g, '\n'));
}
