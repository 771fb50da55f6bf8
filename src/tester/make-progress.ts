// Counts the objects a kernel build compiles from make's output (kbuild's quiet lines), reported now and then.

/** How far a build has got: objects compiled, and about how many a build of its kind compiles when that is known. */
export interface BuildProgress {
  compiled: number;
  /** The object count of the last full build of this tree, for a build in an empty slot; otherwise unknown. */
  expected?: number;
}

/**
 * The object file a kbuild quiet line says it is building (`  CC      init/main.o`, `  CC [M]  fs/x.o`,
 * `  AS      arch/x86/entry/entry_64.o`, `  LD      vmlinux.o`), or undefined for every other line:
 * steps that build no object (`  AR      built-in.a`, `  GEN     Makefile`, `  LD      vmlinux`),
 * compiler warnings, make's own messages.
 */
export function builtObject(line: string): string | undefined {
  const step = /^ {2}[A-Z][A-Z0-9_]*(?: \[M\])?\s+(\S+)\s*$/.exec(line);
  return step?.[1]?.endsWith('.o') ? step[1] : undefined;
}

export interface ObjectCounter {
  /** A piece of make's output; lines may be split across pieces. */
  feed(chunk: string): void;
  /** make is done: counts a last unterminated line and reports the final count if it was not. */
  end(): void;
  readonly compiled: number;
}

/**
 * Counts built objects in make's output and calls `report` with the count when it has grown, at most
 * once every `everyMs` (the first object at once), and with the final count at `end()`.
 */
export function countObjects(report: (compiled: number) => void, options: { everyMs?: number; now?: () => number } = {}): ObjectCounter {
  const everyMs = options.everyMs ?? 2_000;
  const now = options.now ?? Date.now;
  let compiled = 0;
  let reported = 0;
  let reportedAt = -Infinity;
  let partial = '';
  const count = (line: string) => {
    if (builtObject(line)) compiled++;
  };
  const maybeReport = (force: boolean) => {
    if (compiled === reported || (!force && now() - reportedAt < everyMs)) return;
    reported = compiled;
    reportedAt = now();
    report(compiled);
  };
  return {
    feed(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      lines.forEach(count);
      maybeReport(false);
    },
    end() {
      count(partial);
      partial = '';
      maybeReport(true);
    },
    get compiled() {
      return compiled;
    },
  };
}
