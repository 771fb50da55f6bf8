// Why a kernel build failed: the config (a compile or link error, a verdict) or the machinery (not one).

export type BuildFailure =
  | { kind: 'config'; reason: string }
  | { kind: 'infrastructure'; reason: string };

/** Log lines that say the build was stopped from outside its config: memory, disk, a signal, a missing tool. */
const MACHINERY: [RegExp, string][] = [
  [/No space left on device|Disk quota exceeded/, 'the disk is full'],
  [/Killed signal terminated program|internal compiler error: Killed|virtual memory exhausted|out of memory|Cannot allocate memory/i, 'a compiler was killed (out of memory?)'],
  [/^make(\[\d+\])?: \*\*\* .*(Killed|Terminated|Error 13[07])$/, 'a build step was killed by a signal'],
  [/^(\/bin\/sh: (\d+: )?)?[\w./+-]+: (command )?not found$|ccache: error: Could not find compiler|make: [\w./+-]+: No such file or directory$/, 'a build tool is missing'],
  [/Read-only file system|Too many open files/, 'the file system refused a write'],
];

/**
 * Classifies a make that exited non-zero (or was killed: `signal`) from its log. Anything not
 * recognised as the machinery's is the config's, with the first error line as the reason.
 */
export function classifyBuildFailure(log: string, exitCode: number | undefined, signal?: string): BuildFailure {
  if (signal) return { kind: 'infrastructure', reason: `make was killed by ${signal}` };
  const lines = log.split('\n');
  for (const [pattern, why] of MACHINERY) {
    const hit = lines.find((l) => pattern.test(l));
    if (hit) return { kind: 'infrastructure', reason: `${why}: ${hit.trim()}` };
  }
  return { kind: 'config', reason: firstErrorLine(log) ?? `make exited with ${exitCode ?? '?'}` };
}

/** The first compiler, linker or make error of a log: what a person would look at first. */
export function firstErrorLine(log: string): string | undefined {
  const lines = log.split('\n');
  const compile = lines.find((l) => /(^|[\s:])(fatal )?error:|undefined reference to|multiple definition of/.test(l));
  return (compile ?? lines.find((l) => /^make(\[\d+\])?: \*\*\*/.test(l)))?.trim();
}
