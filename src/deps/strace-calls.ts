// The system calls in an strace log: which calls the app made (failed ones with their errno) and which socket families it asked for.

/** What a --trace run saw the app call, every process of it. */
export interface TracedCalls {
  /** Every call made, failed or not, named as strace prints them (x86_64: syscall_64.tbl's names, e.g. newfstatat); sorted. */
  syscalls: string[];
  /** `name: ERRNO` for each call that failed and how (e.g. `tuxcall: ENOSYS`); sorted. */
  failedCalls: string[];
  /** The first argument of each socket() and socketpair(), e.g. AF_INET6, AF_UNIX; sorted. */
  families: string[];
}

const START = /^(?:\d+\s+)?([a-z0-9_]+)\((.*)$/;
const FAILED = /\s=\s-1\s(E[A-Z0-9]+)(?:\s\([^()]*\))?$/;
const UNFINISHED = /^(\d+)\s+(.*) <unfinished \.\.\.>$/;
const RESUMED = /^(\d+)\s+<\.\.\. [a-z0-9_]+ resumed>(.*)$/;
const FAMILY = /^(AF_[A-Z0-9_]+|0x[0-9a-f]+|\d+)/;

/**
 * Pure: the log's lines, each call strace split in two (`PID name(args <unfinished ...>`, another
 * process's lines, then `PID <... name resumed>rest`) as one line, where it ended. A call never
 * resumed (its process killed in it) stays as it began.
 */
export function joinResumed(text: string): string[] {
  const pending = new Map<string, number>();
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const begun = UNFINISHED.exec(line);
    if (begun) {
      pending.set(begun[1]!, lines.length);
      lines.push(`${begun[1]} ${begun[2]}`);
      continue;
    }
    const resumed = RESUMED.exec(line);
    const at = resumed ? pending.get(resumed[1]!) : undefined;
    if (resumed && at !== undefined) {
      pending.delete(resumed[1]!);
      lines.push(`${lines[at]}${resumed[2]}`);
      lines[at] = '';
    } else {
      lines.push(line);
    }
  }
  return lines.filter((l) => l !== '');
}

/** Pure: the calls of an `strace -f` log's lines (joined by joinResumed); signals and exits are no calls. */
export function parseStraceCalls(lines: readonly string[]): TracedCalls {
  const syscalls = new Set<string>();
  const failedCalls = new Set<string>();
  const families = new Set<string>();
  for (const line of lines) {
    const call = START.exec(line);
    if (!call) continue;
    const [name, rest] = [call[1]!, call[2]!];
    syscalls.add(name);
    const failed = FAILED.exec(rest);
    if (failed) failedCalls.add(`${name}: ${failed[1]}`);
    const family = name === 'socket' || name === 'socketpair' ? FAMILY.exec(rest) : undefined;
    if (family) families.add(family[1]!);
  }
  return { syscalls: [...syscalls].sort(), failedCalls: [...failedCalls].sort(), families: [...families].sort() };
}
