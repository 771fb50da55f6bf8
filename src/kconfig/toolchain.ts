// The parser's effects: Kconfig files from the tree, make's environment, and cached toolchain probes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sha256 } from '../util/hash.js';
import type { ParseHost } from './parser.js';

export interface ToolchainHost extends ParseHost {
  /** Writes newly learned $(shell,...) answers to the on-disk cache. */
  save(): void;
  readonly env: (name: string) => string | undefined;
}

export interface ToolchainOptions {
  srcDir: string;
  arch: 'x86_64' | 'x86';
  kernelVersion: string;
  cacheDir: string;
  /** Extra or overriding variables (CC, LD, ...), as on the make command line. */
  vars?: Record<string, string>;
  warn?: (message: string) => void;
}

const DEFAULT_TOOLS: Record<string, string> = { CC: 'gcc', LD: 'ld', NM: 'nm', OBJCOPY: 'objcopy', PAHOLE: 'pahole', RUSTC: 'rustc', BINDGEN: 'bindgen' };

/** The variables the top Makefile exports to conf (with CC=gcc, LD=ld defaults). */
function makeVariables(o: ToolchainOptions, shell: (cmd: string) => string): Record<string, string> {
  const vars: Record<string, string> = {
    srctree: o.srcDir,
    ARCH: o.arch,
    SRCARCH: 'x86',
    KERNELVERSION: o.kernelVersion,
    ...DEFAULT_TOOLS,
    CLANG_FLAGS: '',
    USERCFLAGS: process.env.USERCFLAGS ?? '',
    USERLDFLAGS: process.env.USERLDFLAGS ?? '',
    ...o.vars,
  };
  vars.CC_VERSION_TEXT ??= shell(`LC_ALL=C ${vars.CC} --version 2>/dev/null | head -n 1`).replaceAll('#', '');
  return vars;
}

/** A key that changes when the compiler or linker binaries change. */
function toolStamp(names: string[]): string {
  const dirs = (process.env.PATH ?? '').split(':');
  return names
    .map((n) => {
      const bin = n.split(/\s+/).at(-1) ?? n;
      const found = dirs.map((d) => path.join(d, bin)).find((p) => existsSync(p));
      return found ? `${found}@${statSync(found).mtimeMs}` : bin;
    })
    .join(',');
}

export function toolchainHost(o: ToolchainOptions): ToolchainHost {
  const cache = new Map<string, string>();
  let dirty = false;
  let workDir: string | undefined;
  const run = (cmd: string): string => {
    const hit = cache.get(cmd);
    if (hit !== undefined) return hit;
    workDir ??= mkdtempSync(path.join(tmpdir(), 'tinyx-kconfig-'));
    const r = spawnSync('/bin/sh', ['-c', cmd], { cwd: workDir, env: { ...process.env, ...vars }, encoding: 'buffer', maxBuffer: 1 << 24 });
    let out = (r.stdout ?? Buffer.alloc(0)).subarray(0, 4095).toString('utf8');
    out = out.replace(/\n+$/, '').replaceAll('\n', ' ');
    cache.set(cmd, out);
    dirty = true;
    return out;
  };
  let vars: Record<string, string> = {};
  const tools = ['CC', 'LD', 'NM', 'OBJCOPY', 'PAHOLE', 'RUSTC', 'BINDGEN'].map((v) => o.vars?.[v] ?? DEFAULT_TOOLS[v]!);
  const stamp = JSON.stringify([o.srcDir, o.arch, o.vars ?? {}, toolStamp(tools)]);
  const file = path.join(o.cacheDir, 'kconfig', `shell-${sha256(stamp).slice(0, 16)}.json`);
  try {
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)) cache.set(k, v);
  } catch {
    // no cache yet
  }
  vars = makeVariables(o, run);
  return {
    readFile: (name) => {
      const full = path.isAbsolute(name) ? name : path.join(o.srcDir, name);
      try {
        return readFileSync(full, 'utf8');
      } catch {
        return undefined;
      }
    },
    shell: run,
    env: (name) => vars[name] ?? process.env[name],
    warn: o.warn ?? (() => {}),
    save: () => {
      if (workDir) rmSync(workDir, { recursive: true, force: true });
      workDir = undefined;
      if (!dirty) return;
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(Object.fromEntries(cache), null, 1));
      renameSync(tmp, file);
      dirty = false;
    },
  };
}
