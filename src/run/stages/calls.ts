// The syscalls stage: what the app's binaries can call (and, with --trace, did call), and the kernel options those calls need.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../../deps/index.js';
import { isElfFile } from '../../deps/elf.js';
import { callsOfFiles } from '../../syscalls/elf-calls.js';
import { readSyscallMap } from '../../syscalls/kernel-map.js';
import { appNeeds } from '../../syscalls/needs.js';
import type { StageStep } from '../runner.js';
import type { RunState } from '../state.js';

export const syscallsStage: StageStep<RunState> = {
  stage: 'syscalls',
  message: () => 'reading what the app\'s binaries can call, and which kernel options those calls need (from the kernel tree)',
  run: async (s) => {
    const { cache } = s.plan.kernel;
    // The calls are evidence beside the tests, never needed to run: a file the analysis cannot read leaves the run without it.
    // Both caches live in <cache>/syscalls: the tree's map (readSyscallMap adds the folder) beside each file's calls.
    const cacheDir = path.join(cache, 'syscalls');
    const read = await Promise.all([
      readSyscallMap(s.kernelTree.source.dir, cache),
      elfFiles(s.manifest).then((files) => callsOfFiles(files, { cacheDir, signal: s.options.signal })),
    ]).catch((error: unknown) => {
      if (s.options.signal?.aborted) throw error;
      s.emit({ type: 'warning', message: `what the app can call is not known (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): the start config is the profile's alone` });
      return undefined;
    });
    if (!read) return;
    const [map, evidence] = read;
    s.needs = appNeeds(evidence, map, s.manifest.traced, { script: await isScript(s.manifest.app.hostPath) });
    const { reachable, reachableOptions, traced, usedOptions } = s.needs;
    s.emit({ type: 'info', message: `the app's binaries can reach ${reachable.size} syscalls, which need ${reachableOptions.size} options${traced ? `; the trace saw ${traced.length} calls, which need ${usedOptions.size}` : ''}` });
  },
};

/** Whether the file starts with a #! line: what the kernel runs through BINFMT_SCRIPT. */
export async function isScript(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer.toString('latin1') === '#!';
  } finally {
    await handle.close();
  }
}

/**
 * The ELF files the guest gets, the app's first (a script app is no ELF: its interpreter is among
 * the others), each as the analysis reads it (host path) and names it (guest file name).
 */
export async function elfFiles(manifest: Manifest): Promise<{ path: string; name: string }[]> {
  const app = { hostPath: manifest.app.hostPath, guestPath: manifest.app.guestPath };
  const files = [app, ...manifest.entries.filter((e) => e.kind === 'file' && e.hostPath && e.hostPath !== app.hostPath)];
  const elf = await Promise.all(files.map(async (e) => ((await isElfFile(e.hostPath!).catch(() => false)) ? { path: e.hostPath!, name: path.posix.basename(e.guestPath) } : undefined)));
  return elf.filter((f) => f !== undefined);
}
