// Parsing of a script's "#!" line, the way the kernel's binfmt_script reads it (pure), and whether a file has one.
import { readHead } from '../util/fsx.js';

export interface Shebang {
  interpreter: string;
  /** The kernel passes everything after the interpreter as one optional argument. */
  arg?: string;
}

/** The kernel reads at most this many bytes of the "#!" line (BINPRM_BUF_SIZE). */
const BINPRM_BUF_SIZE = 256;

/** Parse the first line of `bytes`; undefined when it does not start with "#!". */
export function parseShebang(bytes: Uint8Array): Shebang | undefined {
  if (bytes[0] !== 0x23 || bytes[1] !== 0x21) return undefined;
  const head = Buffer.from(bytes.subarray(2, BINPRM_BUF_SIZE)).toString('utf8');
  const line = (head.split('\n')[0] ?? '').trim();
  if (line === '') return undefined;
  const match = /^(\S+)(?:[ \t]+(.*))?$/.exec(line);
  if (!match || match[1] === undefined) return undefined;
  const arg = match[2]?.trim();
  return arg ? { interpreter: match[1], arg } : { interpreter: match[1] };
}

/** For `#!/usr/bin/env NAME`, the program env will look up in PATH. */
export function envTarget(shebang: Shebang): string | undefined {
  if (!/(^|\/)env$/.test(shebang.interpreter) || !shebang.arg) return undefined;
  const words = shebang.arg.split(/\s+/).filter((w) => w !== '' && !w.startsWith('-') && !w.includes('='));
  return words[0];
}

/** Whether `file` starts with a "#!" line the kernel runs through BINFMT_SCRIPT; false when it cannot be read. */
export async function isScriptFile(file: string): Promise<boolean> {
  return parseShebang(await readHead(file, BINPRM_BUF_SIZE).catch(() => Buffer.alloc(0))) !== undefined;
}
