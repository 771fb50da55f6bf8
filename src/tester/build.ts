// Builds a bzImage for one config in a build slot (its own O= dir), through ccache.
import { execa } from 'execa';
import { setTimeout as sleep } from 'node:timers/promises';
import { lstat, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { runGroup } from './group.js';
import { formatDotConfig, parseDotConfig, canonicalDotConfig, type DotConfig } from '../kconfig/dotconfig.js';
import { copyFileAtomic, exists, writeFileAtomic } from '../util/fsx.js';
import { parseIdentity, processIdentity, sameProcessAlive } from '../util/proc.js';
import { tail } from '../kconfig/kernel.js';
import { classifyBuildFailure } from './buildfail.js';
import { LogFile } from './logfile.js';
import { countObjects, type BuildProgress } from './make-progress.js';

export interface BuildRequest {
  srcDir: string;
  /** The slot's O= directory. */
  slotDir: string;
  config: DotConfig;
  /** Where the finished bzImage is stored, by config hash (and a PVH kernel's vmlinux: see storedVmlinux). */
  artifactDir: string;
  ccacheDir: string;
  /** Common ancestor of source and slots, so ccache hits across slots. */
  ccacheBase: string;
  logFile: string;
  jobs?: number;
  timeoutMs?: number;
  /** Extra build environment (e.g. distccEnv() from src/remote/distcc.ts). */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Build even when the store has this config (to leave a finished build in slotDir). */
  force?: boolean;
  /** Told how many objects make has compiled, at most every 2 s and once when it is done. */
  onProgress?: (progress: BuildProgress) => void;
  /** Keeps the object count of this tree's last full build (one in an empty slot), the estimate for the next. */
  fullBuildFile?: string;
}

export interface BuildResult {
  ok: boolean;
  built: boolean;
  bzImage?: string;
  durationMs: number;
  /** 'built', 'cached', 'canceled', or why it failed (a config's failure: its first error line). */
  reason: string;
  /** The failure was the machinery's (killed, out of memory or disk, timeout, a missing tool): no verdict. */
  infrastructure?: boolean;
  logTail: string;
}

/**
 * Smaller than any x86 bzImage (its setup code alone is about 16 KiB, a tinyconfig kernel about
 * 0.5 MiB): a stored one this small is a write cut short, not a kernel.
 */
export const MIN_KERNEL_BYTES = 64 * 1024;

/**
 * The stored uncompressed kernel of a config built with CONFIG_PVH (stripped: an ELF with the PVH
 * entry note, which QEMU's -kernel starts directly, skipping the bzImage's decompressor), if any.
 */
export async function storedVmlinux(artifactDir: string): Promise<string | undefined> {
  const vmlinux = path.join(artifactDir, 'vmlinux');
  const bytes = await stat(vmlinux).then((s) => s.size, () => 0);
  return bytes >= MIN_KERNEL_BYTES ? vmlinux : undefined;
}

/** Whether a config gives its kernel the PVH entry point (so its vmlinux is stored beside the bzImage). */
export const hasPvhEntry = (config: DotConfig): boolean => config.get('PVH') === 'y';

/** The stored kernel of a config, if it was built before (and stored whole). */
export async function cachedKernel(artifactDir: string): Promise<string | undefined> {
  const bzImage = path.join(artifactDir, 'bzImage');
  const bytes = await stat(bzImage).then((s) => s.size, () => 0);
  return bytes >= MIN_KERNEL_BYTES ? bzImage : undefined;
}

const DEFAULT_TIMEOUT_MS = 90 * 60_000;

export async function buildKernel(request: BuildRequest): Promise<BuildResult> {
  const started = Date.now();
  const hit = request.force ? undefined : await cachedKernel(request.artifactDir);
  // A PVH kernel stored without its vmlinux (stored by an older tinyx) is built again to have it.
  if (hit && (!hasPvhEntry(request.config) || (await storedVmlinux(request.artifactDir)))) return { ok: true, built: false, bzImage: hit, durationMs: 0, reason: 'cached', logTail: '' };

  await mkdir(request.slotDir, { recursive: true });
  await mkdir(path.dirname(request.logFile), { recursive: true });
  const marker = path.join(request.slotDir, BUILDING_MARKER);
  const dropped = (await exists(marker)) ? await settleInterruptedBuild(request.slotDir, marker) : 0;
  // No make has run here yet (kbuild writes O=/Makefile first): a full build, like the last one recorded.
  // Not so in a slot a killed build was just cleaned in: its Makefile went, the older objects stay.
  const full = dropped === 0 && !(await exists(path.join(request.slotDir, 'Makefile')));
  const expected = full && request.fullBuildFile ? await recordedObjects(request.fullBuildFile) : undefined;
  const objects = countObjects((compiled) => request.onProgress?.({ compiled, ...(expected ? { expected } : {}) }));
  await writeFile(marker, '\n');
  await writeFile(path.join(request.slotDir, '.config'), formatDotConfig(request.config));
  // A build log that cannot be written stops make (its process group); the slot stays marked.
  const logFailed = new AbortController();
  const log = new LogFile(request.logFile, () => logFailed.abort());
  if (dropped > 0) log.write(`tinyx: the last build in this slot was killed; removed the ${dropped} files it wrote\n`);
  const jobs = request.jobs ?? availableParallelism();
  let marked = Promise.resolve();
  const { result, stopped } = await runGroup('make', ['-C', request.srcDir, `O=${request.slotDir}`, 'CC=ccache gcc', `-j${jobs}`, 'olddefconfig', 'bzImage'], {
    all: true,
    buffer: false,
    stdin: 'ignore',
    timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    signal: request.signal ? AbortSignal.any([request.signal, logFailed.signal]) : logFailed.signal,
    env: { ...buildEnv(request), ...request.env },
    onStart: (child) => {
      // The make's process group: if this process dies without stopping it, the next build here will.
      if (child.pid) marked = markBuilding(marker, child.pid);
      marked.catch(() => undefined); // a failure is thrown by the await below, once make is done
      child.all?.on('data', (chunk: Buffer | string) => {
        log.write(chunk);
        objects.feed(String(chunk));
      });
    },
  });
  objects.end();
  await log.end();
  await marked;
  if (log.failed) throw log.failed;
  const text = await readFile(request.logFile, 'utf8');
  const logTail = tail(text, 30);
  const durationMs = Date.now() - started;
  const failure = stopped || result.exitCode === 0 ? undefined : classifyBuildFailure(text, result.exitCode, result.signal);
  // make finished on its own and the config failed it (or nothing did): kbuild deleted what it had
  // half-written. Otherwise the marker stays, so the next build here removes what this one wrote.
  if (!stopped && failure?.kind !== 'infrastructure') await rm(marker, { force: true });
  if (stopped === 'canceled') return { ok: false, built: true, durationMs, reason: 'canceled', logTail };
  if (stopped === 'timeout') return { ok: false, built: true, durationMs, reason: 'build timed out', infrastructure: true, logTail };
  if (failure) return { ok: false, built: true, durationMs, reason: failure.reason, infrastructure: failure.kind === 'infrastructure', logTail };

  const used = parseDotConfig(await readFile(path.join(request.slotDir, '.config'), 'utf8'));
  if (canonicalDotConfig(used) !== canonicalDotConfig(request.config)) {
    return { ok: false, built: true, durationMs, reason: 'the kernel changed the config while building (not normalized)', logTail };
  }
  // Each through a unique temp name (two runs may store one config at once), synced before the
  // rename, the config and the symbol map first: readers take a present bzImage for a stored kernel.
  // The map says where the kernel's image ends in RAM (its bss included), which the bzImage does not.
  const bzImage = path.join(request.artifactDir, 'bzImage');
  await writeFileAtomic(path.join(request.artifactDir, 'config'), formatDotConfig(request.config));
  const map = path.join(request.slotDir, 'System.map');
  if (await stat(map).then(() => true, () => false)) await copyFileAtomic(map, path.join(request.artifactDir, 'System.map'));
  if (hasPvhEntry(request.config)) {
    // Stripped (the symbol table is a third of a small vmlinux); strip keeps the notes, the PVH entry's among them.
    const stripped = path.join(request.slotDir, 'vmlinux.stripped');
    const strip = await execa('strip', ['--strip-all', '-o', stripped, path.join(request.slotDir, 'vmlinux')], { reject: false, all: true });
    if (strip.exitCode !== 0) return { ok: false, built: true, durationMs, reason: `strip of vmlinux failed: ${strip.all?.trim() ?? strip.message}`, infrastructure: true, logTail };
    await copyFileAtomic(stripped, path.join(request.artifactDir, 'vmlinux'));
  }
  await copyFileAtomic(path.join(request.slotDir, 'arch/x86/boot/bzImage'), bzImage);
  if (full && request.fullBuildFile) await writeFileAtomic(request.fullBuildFile, `${JSON.stringify({ objects: objects.compiled })}\n`);
  return { ok: true, built: true, bzImage, durationMs, reason: 'built', logTail };
}

/** The object count a full build of this tree recorded, if one did. */
async function recordedObjects(file: string): Promise<number | undefined> {
  const objects: unknown = await readFile(file, 'utf8').then((text) => (JSON.parse(text) as { objects?: unknown }).objects, () => undefined);
  return typeof objects === 'number' && objects > 0 ? objects : undefined;
}

/**
 * Present in a slot while make runs in it: a build killed hard (kill -9, power loss) leaves it behind.
 * It holds the identity (../util/proc.ts) of make, the leader of the build's process group.
 */
export const BUILDING_MARKER = '.tinyx-building';

async function markBuilding(marker: string, group: number): Promise<void> {
  const leader = await processIdentity(group);
  if (leader) await writeFile(marker, `${JSON.stringify(leader)}\n`);
}

/**
 * The last build in this slot did not finish: tinyx was killed (kill -9, a crash) or the machine
 * went down. Its make may still be running, orphaned, in its own process group: stop it. A make
 * killed without a chance to clean up can leave half-written objects that look newer than their
 * sources, so the next make would link them: remove everything written since the marker (those
 * targets are simply built again, mostly from ccache). Returns how many files were removed.
 */
async function settleInterruptedBuild(slotDir: string, marker: string): Promise<number> {
  const since = (await lstat(marker)).mtimeMs;
  const leader = parseIdentity(await readFile(marker, 'utf8'));
  // Only if that make still runs: after a reboot, or once it is gone, its pid may be another program's.
  if (leader && (await sameProcessAlive(leader))) await killGroupAndWait(leader.pid);
  let dropped = 0;
  for (const entry of await readdir(slotDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (file === marker) continue;
    if ((await lstat(file)).mtimeMs >= since) {
      await rm(file, { force: true });
      dropped++;
    }
  }
  return dropped;
}

async function killGroupAndWait(group: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(-group, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(-group, 'SIGKILL');
  for (let waited = 0; alive() && waited < 10_000; waited += 100) await sleep(100);
}

/** Reproducible, cache-friendly build environment. */
export function buildEnv(request: Pick<BuildRequest, 'ccacheDir' | 'ccacheBase'>): Record<string, string> {
  return {
    CCACHE_DIR: request.ccacheDir,
    CCACHE_BASEDIR: request.ccacheBase,
    CCACHE_NOHASHDIR: '1',
    CCACHE_SLOPPINESS: 'time_macros',
    KBUILD_BUILD_TIMESTAMP: '1970-01-01',
    KBUILD_BUILD_USER: 'tinyx',
    KBUILD_BUILD_HOST: 'tinyx',
    KBUILD_BUILD_VERSION: '1',
  };
}
