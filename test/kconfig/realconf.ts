// Test helper: the kernel's real `conf` tool, built once in a scratch O= dir, run on fixture trees.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { cacheRoot } from '../../src/util/paths.js';

export const KERNEL_SRC = process.env.TINYX_KERNEL_SRC ?? path.join(cacheRoot(), 'kernel', 'linux-source-6.1');
export const haveKernel = existsSync(path.join(KERNEL_SRC, 'scripts', 'kconfig', 'conf.c'));
export const TEST_DIR = path.join(cacheRoot(), 'kconfig-test');

/** Builds scripts/kconfig/conf in its own O= dir (never in the source tree) and returns its path. */
export async function confTool(): Promise<string> {
  const out = path.join(TEST_DIR, 'conf-tool');
  const conf = path.join(out, 'scripts', 'kconfig', 'conf');
  if (!existsSync(conf)) await execa('make', ['-s', '-C', KERNEL_SRC, `O=${out}`, 'ARCH=x86_64', 'olddefconfig'], { stdin: 'ignore' });
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
