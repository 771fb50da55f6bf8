// Test helper: a kernel that is already built (the remote tests build nothing), staged as an artifact.
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { hashConfig } from '../../src/search/evaluator.js';
import { cacheRoot } from '../../src/util/paths.js';

export interface BuiltKernel {
  bzImage: string;
  configFile?: string;
}

/** A stored pipeline artifact (bzImage + config), else $TINYX_TEST_BZIMAGE, the warm build or a slot's last build. */
export function findBuiltKernel(): BuiltKernel | undefined {
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  const store = path.join(cacheRoot(), 'artifacts');
  for (const tree of list(store)) {
    for (const hash of list(path.join(store, tree))) {
      const dir = path.join(store, tree, hash);
      if (existsSync(path.join(dir, 'bzImage')) && existsSync(path.join(dir, 'config'))) return { bzImage: path.join(dir, 'bzImage'), configFile: path.join(dir, 'config') };
    }
  }
  const builds = path.join(cacheRoot(), 'builds');
  const candidates = [process.env.TINYX_TEST_BZIMAGE, path.join(builds, 'warm/arch/x86/boot/bzImage'),
    ...list(builds).map((tree) => path.join(builds, tree, 'slot-0/arch/x86/boot/bzImage'))];
  const bzImage = candidates.find((c): c is string => Boolean(c) && existsSync(c as string));
  return bzImage ? { bzImage } : undefined;
}

/**
 * Stores `kernel` in `<root>/artifacts/<treeKey>/<hash>/` under a config of its own (the config only
 * keys the store; executors boot what they find there) and returns that config and its hash.
 */
export async function stageArtifact(kernel: BuiltKernel, root: string, treeKey: string, tag: string): Promise<{ config: DotConfig; hash: string }> {
  const text = kernel.configFile ? await readFile(kernel.configFile, 'utf8') : 'CONFIG_64BIT=y\n';
  const config = parseDotConfig(`${text}\nCONFIG_LOCALVERSION="-${tag}"\n`);
  const hash = hashConfig(config);
  const dir = path.join(root, 'artifacts', treeKey, hash);
  await mkdir(dir, { recursive: true });
  await copyFile(kernel.bzImage, path.join(dir, 'bzImage'));
  await writeFile(path.join(dir, 'config'), text);
  return { config, hash };
}
