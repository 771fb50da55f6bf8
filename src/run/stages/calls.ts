// The syscalls stage: what the app's binaries can call (and, with --trace, did call), and the kernel options those calls need.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../../deps/index.js';
import { isElf } from '../../deps/elf.js';
import { callsOfFiles } from '../../syscalls/elf-calls.js';
import { readSyscallMap } from '../../syscalls/kernel-map.js';
import { appNeeds } from '../../syscalls/needs.js';
import type { StageStep } from '../runner.js';
import type { RunState } from '../state.js';

export const syscallsStage: StageStep<RunState> = {
  stage: 'syscalls',
  message: () => 'reading what the app\'s binaries can call, and which kernel options those calls need (from the kernel tree)',
  run: async (s) => {
    const cacheDir = path.join(s.plan.kernel.cache, 'syscalls');
    const [map, evidence] = await Promise.all([
      readSyscallMap(s.kernelTree.source.dir, cacheDir),
      elfFiles(s.manifest).then((files) => callsOfFiles(files, { cacheDir, signal: s.options.signal })),
    ]);
    s.needs = appNeeds(evidence, map, s.manifest.traced);
    const { reachable, reachableOptions, traced, usedOptions } = s.needs;
    s.emit({ type: 'info', message: `the app's binaries can reach ${reachable.size} syscalls, which need ${reachableOptions.size} options${traced ? `; the trace saw ${traced.length} calls, which need ${usedOptions.size}` : ''}` });
  },
};

/** The ELF files the guest gets, the app's first, each as the analysis reads it (host path) and names it (guest file name). */
async function elfFiles(manifest: Manifest): Promise<{ path: string; name: string }[]> {
  const files = manifest.entries.filter((e) => e.kind === 'file' && e.hostPath && e.hostPath !== manifest.app.hostPath);
  const elf = await Promise.all(files.map(async (e) => ((await startsElf(e.hostPath!)) ? { path: e.hostPath!, name: path.posix.basename(e.guestPath) } : undefined)));
  return [{ path: manifest.app.hostPath, name: path.posix.basename(manifest.app.guestPath) }, ...elf.filter((f) => f !== undefined)]
    .filter((f, i, all) => i === 0 || f.path !== all[0]!.path);
}

async function startsElf(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return isElf(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
