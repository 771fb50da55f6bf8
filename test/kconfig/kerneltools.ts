// Test helper: a tree's own config targets through `make O=<scratch>`, answers cached by input hash, per tree.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { tryLockFile } from '../../src/util/fsx.js';
import { sha256 } from '../../src/util/hash.js';
import type { KernelTree } from './realconf.js';

export interface ToolRequest {
  tree: KernelTree;
  /** randconfig, tinyconfig, defconfig (no input) or olddefconfig, savedefconfig (with input). */
  target: string;
  input?: string;
  seed?: number;
  arch: 'x86_64' | 'x86';
}

/**
 * Two make calls at once on a 2-core machine; slot i of each tree has its own O= dir. A slot dir is
 * also locked against other test processes (two test runs on one machine wrote each other's
 * .config into a shared slot, and the kernel's answers cached from that were wrong).
 */
const busy = [false, false];
const waiting: (() => void)[] = [];

async function withSlot<T>(tree: KernelTree, fn: (dir: string) => Promise<T>): Promise<T> {
  let i = busy.indexOf(false);
  while (i < 0) {
    await new Promise<void>((r) => waiting.push(r));
    i = busy.indexOf(false);
  }
  busy[i] = true;
  const dir = path.join(tree.work, `slot${i}`);
  try {
    while (!(await tryLockFile(`${dir}.lock`))) await new Promise((r) => setTimeout(r, 500));
    try {
      return await fn(dir);
    } finally {
      await rm(`${dir}.lock`, { force: true });
    }
  } finally {
    busy[i] = false;
    waiting.shift()?.();
  }
}

/** The kernel tool's output for a request; cached (set TINYX_KCONFIG_COMPAT_FRESH=1 to rerun). */
export async function kernelTool(req: ToolRequest): Promise<string> {
  const { tree } = req;
  const key = sha256(JSON.stringify([tree.dir, req.target, req.seed ?? null, req.arch, req.input ?? null])).slice(0, 24);
  const cached = path.join(tree.work, 'expected', `${req.target}-${key}`);
  if (!process.env.TINYX_KCONFIG_COMPAT_FRESH && existsSync(cached)) return readFile(cached, 'utf8');
  const out = await withSlot(tree, async (dir) => {
    await mkdir(dir, { recursive: true });
    if (req.input !== undefined) await writeFile(path.join(dir, '.config'), req.input);
    const env = req.seed === undefined ? {} : { KCONFIG_SEED: String(req.seed) };
    await execa('make', ['-s', '-C', tree.dir, `O=${dir}`, `ARCH=${req.arch}`, req.target], { env, stdin: 'ignore', all: true });
    return readFile(path.join(dir, req.target === 'savedefconfig' ? 'defconfig' : '.config'), 'utf8');
  });
  await mkdir(path.dirname(cached), { recursive: true });
  await writeFile(`${cached}.${process.pid}.tmp`, out);
  await rename(`${cached}.${process.pid}.tmp`, cached);
  return out;
}
