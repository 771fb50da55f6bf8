// What an app needs of the kernel by its calls: the syscalls its binaries can reach and (with --trace) did make, and the options those need.
import type { TracedCalls } from '../deps/strace-calls.js';
import type { CallEvidence } from './elf-calls.js';
import { optionsForSyscalls, type SyscallMap } from './gate.js';

/** What the app's calls say about the kernel options it needs. */
export interface AppNeeds {
  /** Syscalls (the x86_64 table's names) the binaries can reach, each with why. */
  reachable: Map<string, string[]>;
  /** Syscalls the --trace run saw the app make (absent: no trace ran). */
  traced?: string[];
  /** Options what the binaries can reach needs, each with the syscalls (or `/proc`, `/sys`) that need it. */
  reachableOptions: Map<string, string[]>;
  /** Options what the trace saw needs, each with the syscalls (or socket families) that need it. */
  usedOptions: Map<string, string[]>;
}


/**
 * Features that are no syscall: the file systems behind the paths a binary names, and the socket
 * families a traced run opened, each the option that builds it; and a script app's #! line (appNeeds).
 */
const PATH_OPTIONS = { procPaths: ['PROC_FS', '/proc'], sysPaths: ['SYSFS', '/sys'] } as const;
const FAMILY_OPTIONS: Readonly<Record<string, string>> = { AF_UNIX: 'UNIX', AF_INET: 'INET', AF_INET6: 'IPV6', AF_PACKET: 'PACKET' };

/** Pure: the syscalls the evidence holds, named by the kernel's table, and the options they (and the features) need. */
export function appNeeds(evidence: CallEvidence, map: SyscallMap, traced?: TracedCalls, app: { script?: boolean } = {}): AppNeeds {
  const reachable = new Map<string, string[]>();
  for (const [number, reasons] of evidence.syscalls) {
    const name = map.numbers.get(number);
    if (name) reachable.set(name, reasons);
  }
  const reachableOptions = optionsForSyscalls(map, reachable.keys());
  for (const [key, [option, what]] of Object.entries(PATH_OPTIONS)) {
    if (evidence[key as keyof typeof PATH_OPTIONS].length > 0) add(reachableOptions, option, what);
  }
  // A script app is started by execve of its #! line: the kernel's script loader.
  if (app.script) add(reachableOptions, 'BINFMT_SCRIPT', '#!');
  const usedOptions = traced ? optionsForSyscalls(map, traced.syscalls) : new Map<string, string[]>();
  for (const family of traced?.families ?? []) {
    const option = FAMILY_OPTIONS[family];
    if (option) add(usedOptions, option, family);
  }
  return { reachable, ...(traced ? { traced: [...traced.syscalls] } : {}), reachableOptions, usedOptions };
}

/** The two option maps of AppNeeds, read-only. */
type OptionMaps = { reachableOptions: ReadonlyMap<string, readonly string[]>; usedOptions: ReadonlyMap<string, readonly string[]> };

/** Every option the app's calls need: what the binaries can reach and what the trace saw. */
export function optionsNeeded(needs: OptionMaps): string[] {
  return [...new Set([...needs.reachableOptions.keys(), ...needs.usedOptions.keys()])];
}

/** The calls (or features) that need an option, the traced ones first. */
export function callsNeeding(needs: OptionMaps, option: string): string[] {
  return [...new Set([...(needs.usedOptions.get(option) ?? []), ...(needs.reachableOptions.get(option) ?? [])])];
}

function add(map: Map<string, string[]>, option: string, why: string): void {
  map.set(option, [...(map.get(option) ?? []), why]);
}
