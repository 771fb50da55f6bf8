// Test helper: the start kernel, already built by the global setup (the remote tests build nothing), staged as an artifact.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { hashConfig } from '../../src/search/evaluator.js';
import { startKernel } from '../helpers/start-kernel.js';

export interface BuiltKernel {
  bzImage: string;
  configFile?: string;
}

/**
 * The default profile's start kernel (bzImage + its config), found by its config hash: a kernel
 * with what the example guests need (DEVTMPFS, VIRTIO_NET...), never whichever one a minimizing run
 * stored. Cheap after the global setup, which built it (startKernel() then reads its memo).
 */
export async function findBuiltKernel(): Promise<BuiltKernel> {
  const kernel = await startKernel();
  return { bzImage: kernel.bzImage, configFile: kernel.configFile };
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
