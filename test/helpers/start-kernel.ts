// The default profile's start kernel, built once per machine (stored by config hash) for every test that boots.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KernelConfigTool } from '../../src/kconfig/kernel.js';
import { makeStartConfig } from '../../src/profile/start-config.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { formatDotConfig, parseDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { loadProfile } from '../../src/profile/load.js';
import { BUILDING_MARKER, buildKernel, cachedKernel } from '../../src/tester/build.js';
import { Workspace } from '../../src/tester/workspace.js';
import { hashConfig } from '../../src/search/evaluator.js';
import { tryLockFile, writeFileAtomic } from '../../src/util/fsx.js';
import { cacheRoot } from '../../src/util/paths.js';
import { sha256 } from '../../src/util/hash.js';
import type { Compression } from '../../src/packager/compress.js';

/** The start kernel's compression (kernel and RD_ option): xz, what auto picks for the bundled examples. */
export const START_COMPRESSION: Compression = 'xz';

export interface StartKernel {
  srcDir: string;
  bzImage: string;
  /** The kernel-normalized start config, as a file and as data. */
  configFile: string;
  config: DotConfig;
  configHash: string;
  /**
   * The build slot it was built in. With `inSlot` (the global setup) a finished O= build of it
   * (System.map, objects); otherwise a later test may have built another config there since.
   */
  buildDir: string;
}

export interface StartKernelOptions {
  log?: (line: string) => void;
  /**
   * Also make sure a build slot holds a finished build of it, rebuilding it there if a later build
   * replaced it (the global setup, for the unit tests that read its objects). Without it a stored
   * bzImage is enough: rebuilding the slot for a test that only boots it cost an incremental build.
   */
  inSlot?: boolean;
}

/**
 * Whether `dir` holds a finished O= build: no build was left running or killed there (buildKernel
 * writes its marker, then the .config; a killed build leaves both, beside the last build's objects).
 * Given a config's stored kernel, also that it is this build's: the .config is that config and the
 * slot's bzImage is the stored one (a build of it that failed leaves no marker, and the last build's
 * bzImage and objects).
 */
export function finishedBuild(dir: string, stored?: { configHash: string; bzImage: string }): boolean {
  const slotImage = path.join(dir, 'arch/x86/boot/bzImage');
  if (existsSync(path.join(dir, BUILDING_MARKER)) || ![slotImage, path.join(dir, 'System.map'), path.join(dir, '.config')].every((f) => existsSync(f))) return false;
  if (!stored) return true;
  if (hashConfig(parseDotConfig(readFileSync(path.join(dir, '.config'), 'utf8'))) !== stored.configHash) return false;
  return existsSync(stored.bzImage) && readFileSync(slotImage).equals(readFileSync(stored.bzImage));
}

/**
 * Builds it if the store lacks it; cheap afterwards (the answer is cached in a small JSON file).
 * One process at a time: another test run that is building it is waited for, then reused.
 */
export async function startKernel(options: StartKernelOptions = {}): Promise<StartKernel> {
  const log = options.log ?? (() => undefined);
  const source = await resolveKernelSource();
  const profile = await loadProfile();
  const memo = path.join(cacheRoot(), 'test', `start-kernel-${sha256(source.key + START_COMPRESSION + (await readFile(profile.source, 'utf8'))).slice(0, 16)}.json`);
  const lock = `${memo}.lock`;
  for (let waited = false; !(await tryLockFile(lock)); waited = true) {
    if (!waited) log(`waiting for the test run holding ${lock} (pid ${(await readFile(lock, 'utf8').catch(() => '?')).trim()})`);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
  try {
    return await startKernelLocked(source, profile, memo, log, options.inSlot ?? false);
  } finally {
    await rm(lock, { force: true });
  }
}

async function startKernelLocked(
  source: Awaited<ReturnType<typeof resolveKernelSource>>,
  profile: Awaited<ReturnType<typeof loadProfile>>,
  memo: string,
  log: (line: string) => void,
  inSlot: boolean,
): Promise<StartKernel> {
  const workspace = new Workspace(source.key);
  const known = await readFile(memo, 'utf8').then((t) => JSON.parse(t) as Omit<StartKernel, 'config'>).catch(() => undefined);
  if (known) {
    const text = await readFile(known.configFile, 'utf8').catch(() => undefined);
    const present = (file: string) => readFile(file).then(() => true, () => false);
    if (text !== undefined && (await present(known.bzImage)) && (!inSlot || finishedBuild(known.buildDir ?? '', known))) {
      return { ...known, config: parseDotConfig(text) };
    }
  }
  const scratch = await mkdtemp(path.join(tmpdir(), 'tinyx-start-'));
  try {
    // What minimize runs on the bundled examples start from (auto picks xz for them), so they find it built.
    const { config } = await makeStartConfig(new KernelConfigTool(source.dir, scratch), profile, START_COMPRESSION);
    const configHash = hashConfig(config);
    const { bzImage, buildDir } = await buildInSlot(workspace, source.dir, config, configHash, log);
    const configFile = path.join(workspace.artifactDir(configHash), 'config');
    await writeFileAtomic(configFile, formatDotConfig(config));
    const result = { srcDir: source.dir, bzImage, configFile, configHash, buildDir };
    await writeFileAtomic(memo, JSON.stringify(result, null, 2));
    return { ...result, config };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Leaves a finished build of `config` in a build slot (slot-0 unless another run holds it): the
 * unit tests read it, then the e2e tests' candidates build incrementally from it.
 */
async function buildInSlot(workspace: Workspace, srcDir: string, config: DotConfig, configHash: string, log: (line: string) => void) {
  const claimed = await workspace.claimSlots(1);
  const buildDir = workspace.slotDir(claimed.slots[0]!);
  try {
    const stored = await cachedKernel(workspace.artifactDir(configHash));
    if (stored && finishedBuild(buildDir, { configHash, bzImage: stored })) return { bzImage: stored, buildDir };
    log(`building the start kernel in ${buildDir} (once per machine; about 6.5 min cold on 2 quiet cores)`);
    const build = await buildKernel({
      srcDir, slotDir: buildDir, config, artifactDir: workspace.artifactDir(configHash), ccacheDir: workspace.ccacheDir,
      ccacheBase: workspace.ccacheBase, logFile: path.join(cacheRoot(), 'test', 'start-kernel-build.log'), force: true,
    });
    if (!build.ok || !build.bzImage) throw new Error(`start kernel build failed: ${build.reason}\n${build.logTail}`);
    return { bzImage: build.bzImage, buildDir };
  } finally {
    await claimed.release();
  }
}
