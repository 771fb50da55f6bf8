// Where a result's kernel bytes go, measured on one out dir: its config built once more by tinyx's own
// build (its make line, ccache and environment, so a stored kernel's objects are mostly hits) in a
// scratch object dir beside the build slots, which keeps the objects; then
// 1. the bzImage: the real-mode setup and the protected-mode part (decompressor + compressed kernel);
// 2. vmlinux's sections (size -A): code, read-only data, data, init (freed after boot), bss (not in
//    the file; zeroed at boot);
// 3. each source directory's share: the allocated sections of its objects linked into vmlinux (the
//    members of each built-in.a), and those bytes compressed alone with xz (the kernel's compressor), ranked
//    by the compressed figure, two levels deep (kernel/, mm/, net/ipv4/, drivers/tty/ ...);
// 4. the largest symbols of code and data (nm --size-sort).
// The bzImage compresses the whole kernel at once, which packs a little better than each directory
// alone: the compressed shares add up to somewhat more than the bzImage's payload.
// A kernel-building job (one build: minutes with a warm ccache, ~6 min cold; progress on stderr,
// Ctrl-C stops make): run it alone.
//   node bench/kernel-bytes.mjs --out DIR [--src TREE] [--top N] [--json FILE] [--objects BUILT-DIR [--any-config]]
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalDotConfig, parseDotConfig } from '../dist/kconfig/dotconfig.js';
import { resolveKernelSource } from '../dist/profile/kernel-source.js';
import { buildKernel } from '../dist/tester/build.js';
import { Workspace } from '../dist/tester/workspace.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};

/** Stops with a message naming what is wrong with the input. */
function refuse(message) {
  console.error(`kernel-bytes: ${message}`);
  process.exit(2);
}

const outArg = flag('--out');
if (!outArg) refuse('--out DIR (the out dir of a finished `tinyx minimize` run) is required');
const out = path.resolve(outArg);
if (!existsSync(path.join(out, 'config')) || !existsSync(path.join(out, 'report.json'))) refuse(`${out} has no config and report.json: pass the out dir of a finished run`);
const top = Number(flag('--top', '25'));
if (!Number.isInteger(top) || top < 1) refuse(`--top must be a whole number from 1, received "${flag('--top')}"`);
const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
const config = parseDotConfig(await readFile(path.join(out, 'config'), 'utf8'));
for (const tool of ['make', 'size', 'nm', 'ar', 'xz', 'ccache']) {
  if ((await execa('sh', ['-c', `command -v ${tool}`], { reject: false })).exitCode !== 0) refuse(`${tool} is not on PATH (run the set-up)`);
}

// --objects DIR reads a tree built already instead (a slot after a run; no build), if its config is the out dir's.
const objectsArg = flag('--objects');
let work;
let buildSeconds;
if (objectsArg) {
  work = path.resolve(objectsArg);
  if (!existsSync(path.join(work, 'vmlinux'))) refuse(`${work} has no vmlinux: pass a kernel object dir that has been built`);
  const theirs = parseDotConfig(await readFile(path.join(work, '.config'), 'utf8'));
  if (canonicalDotConfig(theirs) !== canonicalDotConfig(config) && !args.includes('--any-config')) refuse(`${work}/.config is not ${out}/config (--any-config reads it all the same)`);
} else {
  // The tree the run built from (run.json's kernel package, or --src: a tree, a .tar.xz or a package name).
  const run = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'));
  const source = await resolveKernelSource({ kernelSrc: flag('--src', run.kernel?.package ?? report.kernelTree) });
  if (run.kernel?.tree && source.key !== run.kernel.tree) refuse(`the kernel tree ${source.key} (${source.dir}) is not the run's ${run.kernel.tree}: pass --src with the tree the run built from`);
  // tinyx's own build (its make line, ccache and environment, a killed build's leftovers cleared), forced so the
  // objects stay, in a dir beside the slots at their depth: ccache's base dir makes the paths relative, so their objects hit.
  const ws = new Workspace(source.key);
  work = path.join(ws.root, 'builds', source.key, 'bytes-scratch');
  const began = Date.now();
  process.stderr.write(`kernel-bytes: building ${out}/config in ${work}\n`);
  const aborted = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => aborted.abort());
  let said = 0;
  const built = await buildKernel({
    srcDir: source.dir, slotDir: work, config, artifactDir: `${work}.stored`, ccacheDir: ws.ccacheDir, ccacheBase: ws.ccacheBase,
    logFile: `${work}.log`, fullBuildFile: ws.fullBuildFile, force: true, signal: aborted.signal,
    onProgress: ({ compiled, expected }) => {
      if (Date.now() - said < 15_000) return;
      said = Date.now();
      const seconds = (said - began) / 1000;
      const left = expected && compiled >= expected / 20 && compiled < expected ? `, about ${Math.round((seconds * (expected - compiled)) / compiled)} s left` : '';
      process.stderr.write(`kernel-bytes: ${compiled}${expected ? ` of about ${expected}` : ''} objects compiled in ${seconds.toFixed(0)} s${left}\n`);
    },
  });
  if (aborted.signal.aborted) process.exit(130);
  if (!built.ok) refuse(`the build failed (${built.reason}; the log: ${work}.log):\n${built.logTail}`);
  buildSeconds = (Date.now() - began) / 1000;
}

const bzImage = (await readFile(path.join(work, 'arch/x86/boot/bzImage')));
// x86 boot protocol: setup_sects at 0x1f1 (0 means 4), 512-byte sectors, plus the boot sector.
const setupBytes = ((bzImage[0x1f1] || 4) + 1) * 512;
const shipped = report.final?.bzImageBytes;

// vmlinux's sections, grouped.
const sections = (await execa('size', ['-A', path.join(work, 'vmlinux')])).stdout.split('\n')
  .map((l) => l.trim().split(/\s+/)).filter((p) => p.length >= 3 && /^\./.test(p[0]) && /^\d+$/.test(p[1]))
  .map(([name, bytes]) => ({ name, bytes: Number(bytes) }));
const group = (name) => {
  if (name === '.text' || name.startsWith('.text.') || name === '.noinstr.text' || name === '.entry.text') return 'code';
  if (name.startsWith('.init') || name.startsWith('.exit') || name === '.altinstructions' || name === '.altinstr_replacement' || name.startsWith('.x86_cpu_dev') || name === '.parainstructions' || name.startsWith('.smp_locks') || name.startsWith('.apicdrivers') || name.startsWith('.iommu_table') || name === '.retpoline_sites' || name === '.return_sites' || name === '.call_sites') return 'init (freed after boot)';
  if (name === '.bss' || name === '.brk') return 'bss (zeroed, not in the file)';
  if (name.startsWith('.rodata') || name === '__ksymtab' || name.startsWith('__ksymtab') || name.startsWith('__kcrctab') || name === '__param' || name === '__modver' || name === '__ex_table' || name === '.orc_unwind' || name === '.orc_unwind_ip' || name === '.orc_header' || name === '.notes' || name === '.pci_fixup' || name === '.tracedata' || name === '__bug_table' || name === '.builtin_fw') return 'read-only data';
  if (name.startsWith('.comment') || name.startsWith('.debug') || name === '.symtab' || name === '.strtab' || name === '.shstrtab') return undefined;
  return 'data';
};
const bySection = new Map();
for (const s of sections) {
  const g = group(s.name);
  if (g) bySection.set(g, (bySection.get(g) ?? 0) + s.bytes);
}
const loaded = [...bySection].filter(([g]) => !g.startsWith('bss')).reduce((n, [, b]) => n + b, 0);

// Each directory's objects as linked: built-in.a members (thin archives name objects by path).
const archives = (await execa('find', [work, '-name', 'built-in.a', '-not', '-path', `${work}/built-in.a`])).stdout.split('\n').filter(Boolean);
const objects = new Set();
for (const archive of archives) {
  const { stdout } = await execa('ar', ['t', archive]);
  for (const member of stdout.split('\n').filter(Boolean)) objects.add(path.resolve(work, member));
}

/** An ELF64 object's allocated sections: code (executable), data (the rest in the file), bss (not in the file), and their bytes. */
function allocated(file) {
  const elf = readFileSync(file);
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const [shentsize, shnum] = [elf.readUInt16LE(0x3a), elf.readUInt16LE(0x3c)];
  const found = { text: 0, data: 0, bss: 0, bytes: [] };
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    const [type, flags] = [elf.readUInt32LE(h + 4), elf.readBigUInt64LE(h + 8)];
    const [offset, size] = [Number(elf.readBigUInt64LE(h + 0x18)), Number(elf.readBigUInt64LE(h + 0x20))];
    if (!(flags & 2n) || size === 0) continue; // SHF_ALLOC
    if (type === 8) found.bss += size; // SHT_NOBITS
    else {
      if (flags & 4n) found.text += size; // SHF_EXECINSTR
      else found.data += size;
      found.bytes.push(elf.subarray(offset, offset + size));
    }
  }
  return found;
}

const dirs = new Map();
for (const object of [...objects].filter((o) => existsSync(o))) {
  const parts = path.relative(work, object).split('/');
  const depth = parts[0] === 'arch' ? 4 : 2; // arch/x86/kernel/cpu, not arch/x86
  const dir = parts.slice(0, Math.min(depth, parts.length - 1)).join('/') || '.';
  const d = dirs.get(dir) ?? { text: 0, data: 0, bss: 0, objects: 0, contents: [] };
  const a = allocated(object);
  d.text += a.text; d.data += a.data; d.bss += a.bss; d.objects += 1; d.contents.push(...a.bytes);
  dirs.set(dir, d);
}
// What each directory costs compressed: its sections' bytes through the kernel's own compressor
// (xz here, as KERNEL_XZ), alone; xz over all of them at once packs a little better, so the sum is above the payload.
const xz = async (buffers) => (await execa('xz', ['-9', '-c', '-T1'], { input: Buffer.concat(buffers), encoding: 'buffer' })).stdout.length;
const ranked = [];
for (const [dir, d] of dirs) {
  ranked.push({ dir, text: d.text, data: d.data, bss: d.bss, objects: d.objects, bytes: d.text + d.data, xzBytes: await xz(d.contents) });
}
ranked.sort((a, b) => b.xzBytes - a.xzBytes);
const inObjects = ranked.reduce((n, d) => n + d.bytes, 0);
const inObjectsXz = ranked.reduce((n, d) => n + d.xzBytes, 0);

// The largest symbols of code and data (bss is not in the image).
const { stdout: nmOut } = await execa('nm', ['--size-sort', '-S', '--radix=d', path.join(work, 'vmlinux')]);
const symbols = nmOut.split('\n').map((l) => l.trim().split(/\s+/)).filter((p) => p.length === 4 && /[tTrRdD]/.test(p[2]))
  .map(([, size, type, name]) => ({ name, type, bytes: Number(size) })).sort((a, b) => b.bytes - a.bytes).slice(0, top);

const kb = (b) => (b / 1000).toFixed(1).padStart(8);
const pct = (b, of) => `${((100 * b) / of).toFixed(1)}%`.padStart(6);
console.log(`\n${out}: ${buildSeconds === undefined ? `the objects in ${work}` : `the config built again in ${buildSeconds.toFixed(0)} s`}`);
console.log(`bzImage ${bzImage.length} B${shipped !== undefined ? ` (the run's: ${shipped} B${shipped === bzImage.length ? ', the same' : ''})` : ''}: setup ${setupBytes} B, decompressor + compressed kernel ${bzImage.length - setupBytes} B`);
console.log(`vmlinux as loaded (code, read-only data, data, init): ${loaded} B; the bzImage is ${pct(bzImage.length, loaded).trim()} of it`);
console.log('\nsection group                    KB (1000 B)  share of loaded');
for (const [g, b] of [...bySection].sort((a, b) => b[1] - a[1])) console.log(`  ${g.padEnd(30)} ${kb(b)}  ${g.startsWith('bss') ? '     -' : pct(b, loaded)}`);
console.log(`\nsource directory (its objects' sections)     code+data KB   xz KB  share of xz  objects   (all: ${(inObjects / 1000).toFixed(1)} KB, ${(inObjectsXz / 1000).toFixed(1)} KB each directory xz'd alone)`);
for (const d of ranked.slice(0, top)) console.log(`  ${d.dir.padEnd(40)} ${kb(d.bytes)} ${kb(d.xzBytes)}       ${pct(d.xzBytes, inObjectsXz)}  ${String(d.objects).padStart(7)}`);
const rest = ranked.slice(top);
console.log(`  (${rest.length} more directories: ${(rest.reduce((n, d) => n + d.bytes, 0) / 1000).toFixed(1)} KB, ${(rest.reduce((n, d) => n + d.xzBytes, 0) / 1000).toFixed(1)} KB xz)`);
console.log('\nlargest symbols (code and data)          B  type');
for (const s of symbols) console.log(`  ${s.name.slice(0, 40).padEnd(40)} ${String(s.bytes).padStart(7)}  ${s.type}`);

const json = flag('--json');
if (json) await writeFile(path.resolve(json), `${JSON.stringify({ out, buildSeconds, bzImageBytes: bzImage.length, setupBytes, loadedBytes: loaded, sections: Object.fromEntries(bySection), directories: ranked, symbols }, null, 2)}\n`);
