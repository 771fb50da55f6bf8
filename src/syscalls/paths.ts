// The /proc and /sys paths a file names in its strings.
import { readFile } from 'node:fs/promises';

/** `/proc/...` or `/sys/...`, stopping where another such path starts (Go packs its strings without separators). */
const PATH = /(?<![A-Za-z0-9_.\-])\/(proc|sys)\/(?:(?!\/proc\/|\/sys\/)[A-Za-z0-9_.\-/])*/g;

/** The /proc and /sys paths in `bytes`' printable runs, each kind sorted and deduplicated. */
export function kernelPaths(bytes: Uint8Array): { procPaths: string[]; sysPaths: string[] } {
  const found = { proc: new Set<string>(), sys: new Set<string>() };
  for (const match of Buffer.from(bytes).toString('latin1').matchAll(PATH)) {
    found[match[1] as 'proc' | 'sys'].add(match[0]);
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
