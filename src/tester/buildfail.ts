// Why a kernel build failed: the config (a compile, link or Kconfig error in the kernel's sources: a
// verdict) or the machinery (not one). When the log cannot tell, it is the machinery's.
import { constants } from 'node:os';

export type BuildFailure =
  | { kind: 'config'; reason: string }
  | { kind: 'infrastructure'; reason: string };

/** Log lines that say the build was stopped from outside its config: memory, disk, a signal, a tool, distcc, the tree's place. */
const MACHINERY: [RegExp, string][] = [
  [/No space left on device|Disk quota exceeded|Input\/output error/, 'the disk is full or failing'],
  [/Killed signal terminated program|internal compiler error: Killed|virtual memory exhausted|out of memory|Cannot allocate memory/i, 'a compiler was killed (out of memory?)'],
  [/^make(\[\d+\])?: \*\*\* .*(Killed|Terminated|Error (129|1[3-9]\d))$/, 'a build step was killed by a signal'],
  [/^(\/bin\/sh: (\d+: )?)?[\w./+-]+: (command )?not found$|ccache: error: Could not find compiler|make: [\w./+-]+: No such file or directory$|cannot execute .*(No such file|Permission denied)|^make(\[\d+\])?: \*\*\* .*Error 12[67]$/, 'a build tool is missing'],
  [/fatal error: .*: No such file or directory$/, 'a file is missing (a host package, or part of the tree)'],
  [/^distcc\[\d+\] (\(\w+\) )?ERROR: (?!compile .* failed$)|^make(\[\d+\])?: \*\*\* .*Error (1[01]\d|12[0-58])$/, 'distcc failed (an exit status of its own, 100-128)'],
  [/source directory cannot contain spaces or colons/, 'kbuild refuses the kernel tree\'s path (was it moved?)'],
  [/Read-only file system|Too many open files/, 'the file system refused a write'],
];

/** Log lines that show the config's own failure: a diagnostic in a source file, a link error, a Kconfig error. */
const CONFIG: RegExp[] = [
  /^[\w./+-]+\.[A-Za-z]+:\d+(:\d+)?: (fatal )?error: /,
  /undefined reference to|multiple definition of|ld(\.lld)?: error: undefined symbol|^ERROR: modpost: .* undefined!$/,
  /^[\w./+-]*Kconfig[\w.+-]*:\d+:.*error/i,
];

/**
 * Classifies a make that exited non-zero (or was killed: `signal`, or an exit status above 128 as a
 * shell reports a signal) from its log. The reason names the line that decided.
 */
export function classifyBuildFailure(log: string, exitCode: number | undefined, signal?: string): BuildFailure {
  const killedBy = signal ?? (exitCode !== undefined && exitCode > 128 ? signalName(exitCode - 128) : undefined);
  if (killedBy) return { kind: 'infrastructure', reason: `make was killed by ${killedBy}` };
  const lines = log.split('\n').map((l) => l.trim());
  for (const [pattern, why] of MACHINERY) {
    const hit = lines.find((l) => pattern.test(l));
    if (hit) return { kind: 'infrastructure', reason: `${why}: ${hit}` };
  }
  const config = lines.find((l) => CONFIG.some((pattern) => pattern.test(l)));
  if (config) return { kind: 'config', reason: config };
  const last = firstErrorLine(log);
  return { kind: 'infrastructure', reason: `make exited with ${exitCode ?? '?'} and no line shows a compile, link or Kconfig error of the config${last ? `: ${last}` : ''}` };
}

/** The first compiler, linker or make error of a log: what a person would look at first. */
function firstErrorLine(log: string): string | undefined {
  const lines = log.split('\n');
  const compile = lines.find((l) => /(^|[\s:])(fatal )?error:|undefined reference to|multiple definition of/.test(l));
  return (compile ?? lines.find((l) => /^make(\[\d+\])?: \*\*\*/.test(l)))?.trim();
}

function signalName(number: number): string {
  return Object.entries(constants.signals).find(([, n]) => n === number)?.[0] ?? `signal ${number}`;
}
