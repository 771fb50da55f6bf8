// The map from syscall to the options that build it, put together from its definition sites; and its use.
export interface SyscallGate {
  /** Options that must all be enabled for the syscall to be built: the kbuild Makefile chain down to its file, and the #if blocks around its SYSCALL_DEFINE. */
  options: string[];
  /** kernel/sys_ni.c has COND_SYSCALL(name): the syscall may be missing (returns ENOSYS). */
  optional: boolean;
  /** Where it is defined, relative to the tree: `ipc/shm.c:1234`. */
  site: string;
}

export interface SyscallMap {
  /**
   * Syscall name as in SYSCALL_DEFINEn (`epoll_create1`, `shmget`) -> its gate; also the x86_64
   * table's name where its entry point is named otherwise (`stat` for `newstat`, `umount2` for `umount`).
   */
  byName: Map<string, SyscallGate>;
  /** x86_64 numbers from arch/x86/entry/syscalls/syscall_64.tbl (abi common and 64): number -> the table's name. */
  numbers: Map<number, string>;
}

/** One row of the x86_64 table: `4 common stat sys_newstat`. */
export interface TableEntry {
  number: number;
  /** The table's name (`stat`), the one strace and libc use. */
  name: string;
  /** The SYSCALL_DEFINEn name of its entry point (`newstat`); undefined when it has none (`uselib`, `sys_ni_syscall`). */
  defined?: string;
}

/** One SYSCALL_DEFINEn that the x86_64 build compiles when all `options` are enabled. */
export interface Site {
  name: string;
  /** `ipc/shm.c:1234`. */
  site: string;
  options: string[];
  /** Its body only returns -ENOSYS. */
  stub: boolean;
}

/**
 * The gate of each syscall. Where a syscall has sites that do something, its `-ENOSYS` stubs (the
 * `#else` of `#ifdef CONFIG_X86_IOPL_IOPERM`) do not count. Of several other sites (the full
 * kernel/time/posix-timers.c and the reduced posix-stubs.c; one per arch's `CONFIG_CLONE_BACKWARDS*`),
 * any one builds it, so it needs only the options they all share; its site is the one needing the most.
 */
export function gatesOf(sites: readonly Site[], optional: ReadonlySet<string>): Map<string, SyscallGate> {
  const byName = new Map<string, Site[]>();
  for (const site of sites) byName.set(site.name, [...(byName.get(site.name) ?? []), site]);
  const gates = new Map<string, SyscallGate>();
  for (const [name, found] of byName) {
    const all = found.some((s) => !s.stub) ? found.filter((s) => !s.stub) : found;
    const shared = all.slice(1).reduce((acc, s) => acc.filter((o) => s.options.includes(o)), all[0]!.options);
    const full = all.reduce((best, s) => (s.options.length > best.options.length ? s : best));
    gates.set(name, { options: [...new Set(shared)].sort(), optional: optional.has(name), site: full.site });
  }
  return gates;
}

/** The map: gates by name, the table's names that differ added as aliases, and the numbers. */
export function syscallMap(gates: ReadonlyMap<string, SyscallGate>, table: readonly TableEntry[]): SyscallMap {
  const byName = new Map(gates);
  for (const entry of table) {
    const gate = entry.defined === undefined ? undefined : gates.get(entry.defined);
    if (gate && !byName.has(entry.name)) byName.set(entry.name, gate);
  }
  return { byName, numbers: new Map(table.map((e) => [e.number, e.name])) };
}

/** Pure: the options a set of syscalls need, each with the syscalls that need it (only gates of syscalls in the map). */
export function optionsForSyscalls(map: SyscallMap, names: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const name of new Set(names)) {
    for (const option of map.byName.get(name)?.options ?? []) out.set(option, [...(out.get(option) ?? []), name]);
  }
  return out;
}
