// Test helper: the kernel trees to compare against (6.1, and a newer one when present), and their real `conf` tool.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { sha256 } from '../../src/util/hash.js';
import { cacheRoot } from '../../src/util/paths.js';

export const KERNEL_SRC = process.env.TINYX_KERNEL_SRC ?? path.join(cacheRoot(), 'kernel', 'linux-source-6.1');
/** A second, newer tree the compatibility tests also run on: $TINYX_KERNEL_SRC_NEXT, else an unpacked 6.12 in the cache. */
export const KERNEL_SRC_NEXT = process.env.TINYX_KERNEL_SRC_NEXT ?? path.join(cacheRoot(), 'kernel', 'linux-source-6.12');
const isTree = (dir: string) => existsSync(path.join(dir, 'scripts', 'kconfig', 'conf.c'));
export const haveKernel = isTree(KERNEL_SRC);
export const TEST_DIR = path.join(cacheRoot(), 'kconfig-test');

export interface KernelTree {
  dir: string;
  /** VERSION.PATCHLEVEL from the top Makefile: 6.1, 6.12. */
  version: string;
  /** Where this tree's scratch O= dirs and cached tool answers live (never shared between two trees). */
  work: string;
}

function tree(dir: string): KernelTree {
  const makefile = readFileSync(path.join(dir, 'Makefile'), 'utf8');
  const field = (name: string) => new RegExp(`^${name}[ \t]*=[ \t]*(\\S*)`, 'm').exec(makefile)?.[1] ?? '';
  const abs = path.resolve(dir);
  return { dir: abs, version: `${field('VERSION')}.${field('PATCHLEVEL')}`, work: path.join(TEST_DIR, 'trees', `${path.basename(abs)}-${sha256(abs).slice(0, 8)}`) };
}

/** Every tree present, the default one first. */
export const KERNEL_TREES: KernelTree[] = [...new Set([KERNEL_SRC, KERNEL_SRC_NEXT].map((d) => path.resolve(d)))].filter(isTree).map(tree);

/** Debian's cloud-amd64 config for the tree's version, from linux-config-<version> in /usr/src or beside the tree. */
export function debianConfig(t: KernelTree): string | undefined {
  const name = path.join(`linux-config-${t.version}`, 'config.amd64_none_cloud-amd64.xz');
  return ['/usr/src', path.dirname(t.dir)].map((d) => path.join(d, name)).find((f) => existsSync(f));
}

/** Builds scripts/kconfig/conf in the tree's own O= dir (never in the source tree) and returns its path. */
export async function confTool(t: KernelTree = tree(KERNEL_SRC)): Promise<string> {
  const out = path.join(t.work, 'conf-tool');
  const conf = path.join(out, 'scripts', 'kconfig', 'conf');
  if (!existsSync(conf)) await execa('make', ['-s', '-C', t.dir, `O=${out}`, 'ARCH=x86_64', 'olddefconfig'], { stdin: 'ignore' });
  return conf;
}
/** Runs conf on a copy of a fixture dir: the olddefconfig .config and the savedefconfig text. */
export async function runConf(conf: string, caseDir: string): Promise<{ config: string; defconfig: string }> {
  const work = await mkdtemp(path.join(tmpdir(), 'tinyx-conf-'));
  try {
    await cp(caseDir, work, { recursive: true });
    const env = {
      KCONFIG_CONFIG: path.join(work, '.config'),
      KCONFIG_AUTOCONFIG: path.join(work, 'auto.conf'),
      KCONFIG_AUTOHEADER: path.join(work, 'autoconf.h'),
      KCONFIG_RUSTCCFG: path.join(work, 'rustc_cfg'),
      srctree: '',
    };
    await writeFile(env.KCONFIG_CONFIG, await readFile(path.join(caseDir, 'input.config')));
    await execa(conf, ['-s', `--savedefconfig=${path.join(work, 'defconfig')}`, 'Kconfig'], { cwd: work, env, stdin: 'ignore' });
    const defconfig = await readFile(path.join(work, 'defconfig'), 'utf8');
    await execa(conf, ['-s', '--olddefconfig', 'Kconfig'], { cwd: work, env, stdin: 'ignore' });
    return { config: await readFile(env.KCONFIG_CONFIG, 'utf8'), defconfig };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
