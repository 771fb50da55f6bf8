// Builds a bzImage for one config in a build slot (its own O= dir), through ccache.
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { runGroup } from './group.js';
import { formatDotConfig, parseDotConfig, canonicalDotConfig, type DotConfig } from '../kconfig/dotconfig.js';
import { exists } from '../util/fsx.js';
import { tail } from '../kconfig/kernel.js';

export interface BuildRequest {
  srcDir: string;
  /** The slot's O= directory. */
  slotDir: string;
  config: DotConfig;
  /** Where the finished bzImage is stored, by config hash. */
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
}

export interface BuildResult {
  ok: boolean;
  built: boolean;
  bzImage?: string;
  durationMs: number;
  reason: string;
  logTail: string;
}

/** The stored kernel of a config, if it was built before. */
export async function cachedKernel(artifactDir: string): Promise<string | undefined> {
  const bzImage = path.join(artifactDir, 'bzImage');
  return (await exists(bzImage)) ? bzImage : undefined;
}

export async function buildKernel(request: BuildRequest): Promise<BuildResult> {
  const started = Date.now();
  const hit = request.force ? undefined : await cachedKernel(request.artifactDir);
  if (hit) return { ok: true, built: false, bzImage: hit, durationMs: 0, reason: 'cached', logTail: '' };

  await mkdir(request.slotDir, { recursive: true });
  await mkdir(path.dirname(request.logFile), { recursive: true });
  await writeFile(path.join(request.slotDir, '.config'), formatDotConfig(request.config));
  const log = createWriteStream(request.logFile);
  const jobs = request.jobs ?? availableParallelism();
  const { result, stopped } = await runGroup('make', ['-C', request.srcDir, `O=${request.slotDir}`, 'CC=ccache gcc', `-j${jobs}`, 'olddefconfig', 'bzImage'], {
    all: true,
    buffer: false,
    stdin: 'ignore',
    timeoutMs: request.timeoutMs ?? 90 * 60_000,
    signal: request.signal,
    env: { ...buildEnv(request), ...request.env },
    onStart: (child) => child.all?.pipe(log),
  });
  await new Promise<void>((resolve) => log.end(resolve));
  const logTail = tail(await readFile(request.logFile, 'utf8'), 30);
  const durationMs = Date.now() - started;
  if (stopped === 'canceled') return { ok: false, built: true, durationMs, reason: 'canceled', logTail };
  if (stopped === 'timeout') return { ok: false, built: true, durationMs, reason: 'build timed out', logTail };
  if (result.exitCode !== 0) return { ok: false, built: true, durationMs, reason: `make exited with ${result.exitCode}`, logTail };

  const used = parseDotConfig(await readFile(path.join(request.slotDir, '.config'), 'utf8'));
  if (canonicalDotConfig(used) !== canonicalDotConfig(request.config)) {
    return { ok: false, built: true, durationMs, reason: 'the kernel changed the config while building (not normalized)', logTail };
  }
  await mkdir(request.artifactDir, { recursive: true });
  const bzImage = path.join(request.artifactDir, 'bzImage');
  await copyFile(path.join(request.slotDir, 'arch/x86/boot/bzImage'), `${bzImage}.tmp`);
  await writeFile(path.join(request.artifactDir, 'config'), formatDotConfig(request.config));
  await rename(`${bzImage}.tmp`, bzImage);
  return { ok: true, built: true, bzImage, durationMs, reason: 'built', logTail };
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
