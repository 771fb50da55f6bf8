// The /proc and /sys paths a file names in its strings.
import { readFile } from 'node:fs/promises';

/** `/proc/...` or `/sys/...`, stopping where another such path starts (Go packs its strings without separators). */
const PATH = /\/(proc|sys)\/(?:(?!\/proc\/|\/sys\/)[A-Za-z0-9_.\-/])*/g;

/**
 * The /proc and /sys paths in `bytes`, each kind sorted and deduplicated. A path starts after a character that
 * cannot be part of one (`golang.org/x/sys/cpu` names no path), or right where the previous path ends.
 */
export function kernelPaths(bytes: Uint8Array): { procPaths: string[]; sysPaths: string[] } {
  const found = { proc: new Set<string>(), sys: new Set<string>() };
  const text = Buffer.from(bytes).toString('latin1');
  let previousEnd = -1;
  for (const match of text.matchAll(PATH)) {
    if (match.index === previousEnd || !/[A-Za-z0-9_.-]/.test(text[match.index - 1] ?? '')) {
      found[match[1] as 'proc' | 'sys'].add(match[0]);
      previousEnd = match.index + match[0].length;
    }
  }
  return { procPaths: [...found.proc].sort(), sysPaths: [...found.sys].sort() };
}

/** kernelPaths of every file. */
export async function kernelPathsOfFiles(files: readonly string[]): Promise<{ procPaths: string[]; sysPaths: string[] }> {
  const proc = new Set<string>();
  const sys = new Set<string>();
  for (const file of files) {
    const found = kernelPaths(await readFile(file));
    found.procPaths.forEach((p) => proc.add(p));
    found.sysPaths.forEach((p) => sys.add(p));
  }
  return { procPaths: [...proc].sort(), sysPaths: [...sys].sort() };
}
