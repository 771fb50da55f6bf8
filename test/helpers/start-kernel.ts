// The default profile's start kernel, built once per machine (stored by config hash) for every test that boots.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KernelConfigTool } from '../../src/kconfig/kernel.js';
import { makeStartConfig } from '../../src/kconfig/start.js';
import { resolveKernelSource } from '../../src/kconfig/source.js';
import { formatDotConfig, parseDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { loadProfile } from '../../src/profile/load.js';
import { buildKernel, cachedKernel } from '../../src/tester/build.js';
import { Workspace } from '../../src/tester/workspace.js';
import { hashConfig } from '../../src/search/evaluator.js';
import { writeFileAtomic } from '../../src/util/fsx.js';
import { cacheRoot } from '../../src/util/paths.js';
import { sha256 } from '../../src/util/hash.js';

export interface StartKernel {
  srcDir: string;
  bzImage: string;
  /** The kernel-normalized start config, as a file and as data. */
  configFile: string;
  config: DotConfig;
  configHash: string;
  /** The O= dir it was built in (System.map, objects), valid until something builds there again. */
  buildDir?: string;
}

/** Builds it if the store lacks it; cheap afterwards (the answer is cached in a small JSON file). */
export async function startKernel(log: (line: string) => void = () => undefined): Promise<StartKernel> {
  const source = await resolveKernelSource();
  const profile = await loadProfile();
  const workspace = new Workspace(source.key);
  const memo = path.join(cacheRoot(), 'test', `start-kernel-${sha256(source.key + (await readFile(profile.source, 'utf8'))).slice(0, 16)}.json`);
  const known = await readFile(memo, 'utf8').then((t) => JSON.parse(t) as Omit<StartKernel, 'config'>).catch(() => undefined);
  if (known) {
    const text = await readFile(known.configFile, 'utf8').catch(() => undefined);
    if (text !== undefined && (await readFile(known.bzImage).then(() => true, () => false))) return { ...known, config: parseDotConfig(text) };
  }
  const scratch = await mkdtemp(path.join(tmpdir(), 'tinyx-start-'));
  try {
    const tool = new KernelConfigTool(source.dir, scratch);
    const { config } = await makeStartConfig(tool, profile);
    const configHash = hashConfig(config);
    const claimed = await workspace.claimSlots(1);
    const slotDir = workspace.slotDir(claimed.slots[0]!);
    try {
      if (!(await cachedKernel(workspace.artifactDir(configHash)))) log(`building the start kernel in ${slotDir} (once per machine; ~10 min cold on 2 cores)`);
      const build = await buildKernel({
        srcDir: source.dir, slotDir, config, artifactDir: workspace.artifactDir(configHash), ccacheDir: workspace.ccacheDir,
        ccacheBase: workspace.ccacheBase, logFile: path.join(cacheRoot(), 'test', 'start-kernel-build.log'),
      });
      if (!build.ok || !build.bzImage) throw new Error(`start kernel build failed: ${build.reason}\n${build.logTail}`);
      const configFile = path.join(workspace.artifactDir(configHash), 'config');
      await writeFileAtomic(configFile, formatDotConfig(config));
      const result = { srcDir: source.dir, bzImage: build.bzImage, configFile, configHash, buildDir: build.built ? slotDir : undefined };
      await writeFileAtomic(memo, JSON.stringify(result, null, 2));
      return { ...result, config };
    } finally {
      await claimed.release();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
