// What an app's ELF files can call: the union of each file's imports resolved in the closure, and the app's own code.
import { callsOfFile } from './call-cache.js';
import { FATAL, type FileCalls } from './file-calls.js';
import { kernelPathsOfFiles } from './paths.js';

export interface CallEvidence {
  /** x86_64 syscall number -> a few short reasons ('server imports epoll_wait (libc.so.6)', 'server: syscall at 0x4012a0'), at most 3. */
  syscalls: Map<number, string[]>;
  /** /proc and /sys paths named in the files' strings: sorted, deduplicated. */
  procPaths: string[];
  sysPaths: string[];
  /** The app starts threads: a file imports pthread_create or thrd_create, or the app's own code defines a thread starter or clones with CLONE_THREAD. */
  threads: boolean;
}

const MAX_REASONS = 3;
const THREAD_IMPORTS = new Set(['pthread_create', 'thrd_create']);

/**
 * The syscalls `files` (every ELF file of the app's closure, the app's own file first) can make: every
 * import of every file, resolved to the first other file exporting it and closed over what that export
 * calls in turn; and every syscall the app's own code makes itself. Imports of the error paths (abort,
 * __stack_chk_fail ...) are not followed.
 */
export async function callsOfFiles(files: readonly { path: string; name: string }[], options: { cacheDir?: string; signal?: AbortSignal } = {}): Promise<CallEvidence> {
  const calls: FileCalls[] = [];
  for (const file of files) calls.push(await callsOfFile(file.path, options));
  const syscalls = new Map<number, string[]>();
  const add = (n: number, reason: string): void => {
    const reasons = syscalls.get(n) ?? [];
    if (reasons.length < MAX_REASONS && !reasons.includes(reason)) reasons.push(reason);
    syscalls.set(n, reasons);
  };
  const definer = (name: string, user: number): number => calls.findIndex((c, i) => i !== user && c.exports[name] !== undefined);

  const seen = new Set<string>();
  const work: Array<{ file: number; name: string; reason: string }> = [];
  const follow = (user: number, name: string, reason?: string): void => {
    if (FATAL.has(name)) return;
    const file = definer(name, user);
    if (file < 0 || seen.has(`${file} ${name}`)) return;
    seen.add(`${file} ${name}`);
    work.push({ file, name, reason: reason ?? `${files[user]!.name} imports ${name} (${files[file]!.name})` });
  };
  calls.forEach((c, i) => c.imports.forEach((name) => follow(i, name)));
  while (work.length > 0) {
    const { file, name, reason } = work.shift()!;
    const reach = calls[file]!.exports[name]!;
    reach.syscalls.forEach((n) => add(n, reason));
    reach.imports.forEach((next) => follow(file, next, reason));
  }
  const app = calls[0];
  if (app) for (const [n, addr] of Object.entries(app.code)) add(Number(n), `${files[0]!.name}: syscall at ${addr}`);

  const threads = app?.threads !== undefined || calls.some((c, i) => c.imports.some((name) => THREAD_IMPORTS.has(name) && definer(name, i) >= 0));
  return { syscalls: new Map([...syscalls].sort(([a], [b]) => a - b)), ...(await kernelPathsOfFiles(files.map((f) => f.path))), threads };
}
