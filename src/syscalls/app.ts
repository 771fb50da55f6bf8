// What an app's closure can call, read from its manifest: its ELF files' calls, the kernel tree's syscall map, and the options they need.
import path from 'node:path';
import { isElfFile } from '../deps/elf.js';
import type { Manifest } from '../deps/manifest.js';
import { isScriptFile } from '../deps/shebang.js';
import { callsOfFiles } from './elf-calls.js';
import { readSyscallMap } from './kernel-map.js';
import { appNeeds, type AppNeeds } from './needs.js';

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

/**
 * appNeeds of the manifest's app: its ELF files' calls, the trace's calls (when the manifest has
 * them) and a script's #! line, against the syscall map of the kernel tree at `srcDir`. Both are
 * cached in <cache>/syscalls: the tree's map (readSyscallMap adds the folder) beside each file's calls.
 */
export async function readAppNeeds(manifest: Manifest, srcDir: string, cache: string, signal?: AbortSignal): Promise<AppNeeds> {
  const [map, evidence] = await Promise.all([
    readSyscallMap(srcDir, cache),
    elfFiles(manifest).then((files) => callsOfFiles(files, { cacheDir: path.join(cache, 'syscalls'), signal })),
  ]);
  return appNeeds(evidence, map, manifest.traced, { script: await isScriptFile(manifest.app.hostPath) });
}
