// Finds the SYSCALL_DEFINEn sites of a kernel tree that an x86_64 build compiles, with the options each needs.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { TinyxError } from '../errors.js';
import { attributeObjects, loadRules, type RulesByDir } from '../kernel-trace/objects.js';
import { scanC, type CSite } from './c-sites.js';
import type { Site } from './gate.js';

/**
 * The directories that hold the syscalls of an x86_64 kernel (grepping a whole tree finds the
 * others only under other arches, in include/ as the macros' own definitions, and in
 * drivers/pci/syscall.c, which x86 does not build).
 */
export const SYSCALL_DIRS = ['arch/x86', 'block', 'drivers/char', 'fs', 'io_uring', 'ipc', 'kernel', 'mm', 'net', 'security'];

export interface TreeSites {
  sites: Site[];
  /** Files read (relative to the tree), the C files with a site and the files including them. */
  files: string[];
  /** Kbuild rules of the dirs above those files. */
  rules: RulesByDir;
}

/** The C files under SYSCALL_DIRS with a line starting `SYSCALL_DEFINEn(`, by grep (a tenth of the time a walk in node takes). */
async function grepSites(srcDir: string): Promise<string[]> {
  const dirs = (await Promise.all(SYSCALL_DIRS.map(async (d) => ((await readdir(path.join(srcDir, d)).catch(() => undefined)) ? d : undefined))))
    .filter((d): d is string => d !== undefined);
  if (dirs.length === 0) return [];
  const found = await execa('grep', ['-rlE', '--include=*.c', '-e', '^[[:space:]]*SYSCALL_DEFINE[0-6][[:space:]]*\\(', '--', ...dirs], { cwd: srcDir, reject: false });
  if (found.exitCode !== 0 && found.exitCode !== 1) {
    throw new TinyxError('TINYX_KERNEL_TOOL_FAILED', `grep for SYSCALL_DEFINE in ${srcDir} failed: ${found.stderr.trim().slice(-300)}`, {
      advice: 'Check that grep is installed and the tree is readable.',
    });
  }
  return found.stdout.split('\n').filter(Boolean).sort();
}

/** The C file of the same dir that `#include`s `file`, and the options around that line. */
async function includer(srcDir: string, file: string): Promise<{ file: string; site: CSite } | undefined> {
  const dir = path.posix.dirname(file);
  const names = (await readdir(path.join(srcDir, dir))).filter((n) => n.endsWith('.c')).sort();
  for (const name of names) {
    const text = await readFile(path.join(srcDir, dir, name), 'utf8');
    const site = scanC(text).includes.find((s) => s.name === path.posix.basename(file));
    if (site) return { file: `${dir}/${name}`, site };
  }
  return undefined;
}

/** Options every way of building `object` shares; undefined when no Makefile rule builds it. */
function makefileGate(object: string, rules: RulesByDir): string[] | undefined {
  const alternatives = attributeObjects([object], rules)[object]!.alternatives;
  if (alternatives.length === 0) return undefined;
  return alternatives.slice(1).reduce((acc, alt) => acc.filter((o) => alt.includes(o)), alternatives[0]!);
}

/** Every site a build for x86_64 compiles: the file's Makefile chain (or its includer's) plus its #if blocks. */
export async function readSites(srcDir: string): Promise<TreeSites> {
  const files = await grepSites(srcDir);
  const scanned = await Promise.all(files.map(async (file) => ({ file, sites: scanC(await readFile(path.join(srcDir, file), 'utf8')).syscalls })));
  const rules = await loadRules(srcDir, files.map((f) => f.replace(/\.c$/, '.o')));
  const read = new Set(files);
  const sites: Site[] = [];
  for (const { file, sites: found } of scanned) {
    let gate = makefileGate(file.replace(/\.c$/, '.o'), rules);
    if (gate === undefined) {
      const by = await includer(srcDir, file);
      const outer = by && makefileGate(by.file.replace(/\.c$/, '.o'), rules);
      if (by) read.add(by.file);
      gate = outer && [...outer, ...by.site.options];
    }
    // No rule builds the file on x86_64 (arch/x86/um, say): its syscalls are not this build's.
    if (gate === undefined) continue;
    for (const s of found) sites.push({ name: s.name, site: `${file}:${s.line}`, options: [...new Set([...gate, ...s.options])], stub: s.stub });
  }
  return { sites, files: [...read].sort(), rules };
}
