// Where a minimized guest's memory goes at its least passing size, measured on one out dir:
// 1. the kernel's boot window from the bzImage header (x86 boot protocol: pref_address, init_size,
//    relocatable_kernel) and the floor it implies with QEMU's initrd at the top of RAM,
//    ceil((pref_address + init_size + initrd + 128 KiB) / 1 MiB), against report.json's least;
// 2. one TCG boot at that size (or --mem) with `loglevel=8 memblock=debug` added to the out dir's
//    cmdline, the console on a file, stopped at TINYX-APP-STARTED, a panic or OOM line, or 25 s;
// 3. from that console: the kernel's `Memory:` line, the memblock reserves and allocations (6.1's
//    mm/memblock.c formats) tallied into named items, checked against the line's `reserved`
//    figure, and the `Freeing ...` lines after boot;
// 4. whether the app started, or the first line saying why not.
// One QEMU at a time, killed on every way out (Ctrl-C too). Needs qemu-system-x86_64 on PATH
// ($TINYX_QEMU overrides); no build:
//   node bench/guest-memory.mjs --out DIR [--mem N] [--keep-log FILE]
import { execa } from 'execa';
import { copyFile, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';

const KiB = 1024;
const MiB = 1024 * 1024;
const BOOT_LIMIT_MS = 25_000;
const APP_STARTED = 'TINYX-APP-STARTED';
const STOP = /Kernel panic|Out of memory|invoked oom-killer|oom-kill:/;
const FAILURE = /Kernel panic|Out of memory|invoked oom-killer|oom-kill:|Initramfs unpacking failed|page allocation failure/;
const ITEMS = ['low 1 MiB (its RAM part)', 'kernel image', 'initrd', 'memmap (struct page)', 'page tables', 'percpu', 'hash tables', 'other'];

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};

/** Stops with a message naming what is wrong with the input. */
function refuse(message) {
  console.error(`guest-memory: ${message}`);
  process.exit(2);
}

/** KiB of a byte count: whole when it is, else one decimal. */
const kib = (bytes) => (bytes % KiB === 0 ? String(bytes / KiB) : (bytes / KiB).toFixed(1));
const hex = (n) => `0x${n.toString(16)}`;

/** A file's size, or undefined when it does not exist. */
const sizeOf = (file) => stat(file).then((s) => s.size, () => undefined);

/** The boot window fields of a bzImage's setup header (Documentation/x86/boot.rst; protocol 2.10+). */
function bootHeader(buf) {
  if (buf.length < 0x268 || buf.toString('latin1', 0x202, 0x206) !== 'HdrS') return { error: 'no "HdrS" magic at 0x202: not an x86 bzImage' };
  const version = buf.readUInt16LE(0x206);
  if (version < 0x20a) return { error: `boot protocol ${version >> 8}.${version & 0xff} has no pref_address/init_size (2.10+)` };
  return { version, relocatable: buf.readUInt8(0x234) !== 0, prefAddress: Number(buf.readBigUInt64LE(0x258)), initSize: buf.readUInt32LE(0x260) };
}

/** The out dir's root: an initramfs archive (any of tinyx's compressions) or a squashfs disk. */
async function findRoot(out) {
  const names = await readdir(out);
  const initrd = names.find((n) => /^initramfs\.cpio(\.(xz|zst|zstd|gz|lz4))?$/.test(n));
  if (initrd) return { kind: 'initrd', file: initrd, bytes: await sizeOf(path.join(out, initrd)) };
  if (names.includes('rootfs.squashfs')) return { kind: 'disk', file: 'rootfs.squashfs' };
  return undefined;
}

/** Pure: a shell line split into words as sh would ('...', "...", backslashes), without expansions. */
function shellWords(line) {
  const words = [];
  let word;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? line.length : end;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (; j < line.length && line[j] !== '"'; j++) text += line[j] === '\\' && /["\\$`]/.test(line[j + 1] ?? '') ? line[++j] : line[j];
      word = (word ?? '') + text;
      i = j;
    } else if (c === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i++;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The disk arguments of run.sh's QEMU line: each -drive and its virtio-blk -device, writable drives as snapshots. */
function diskArgs(runSh) {
  const exec = runSh.replace(/\\\n/g, ' ').split('\n').find((l) => /^\s*exec\s+qemu-system/.test(l));
  if (!exec) return { error: 'run.sh has no `exec qemu-system-...` line' };
  const words = shellWords(exec);
  const out = [];
  const notes = [];
  for (let i = 0; i < words.length - 1; i++) {
    if (words[i] === '-drive') {
      // A volume is writable: boot it as a snapshot so this measurement cannot change the out dir.
      const drive = /readonly=on/.test(words[i + 1]) ? words[i + 1] : `${words[i + 1]},snapshot=on`;
      if (drive !== words[i + 1]) notes.push(`${words[i + 1].split(',')[0]} is writable in run.sh: booted with snapshot=on`);
      out.push('-drive', drive);
    } else if (words[i] === '-device' && /^virtio-blk/.test(words[i + 1])) {
      // run.sh of a microvm names virtio-blk-device; this boot is on -machine pc, so its PCI twin.
      out.push('-device', words[i + 1].replace(/^virtio-blk-device/, 'virtio-blk-pci'));
    }
  }
  if (!out.includes('-drive')) return { error: 'run.sh names no -drive for rootfs.squashfs' };
  return { args: out, notes };
}

/** Pure: the out dir's cmdline without `quiet` and `loglevel=`, plus the console's full level and memblock's debug lines. */
const bootCmdline = (text) => [...text.trim().split(/\s+/).filter((t) => t && t !== 'quiet' && !t.startsWith('loglevel=')), 'loglevel=8', 'memblock=debug'].join(' ');

let qemu;
let tmp;
/** Kills QEMU (when running) and removes the scratch dir: every way out goes through here. */
async function cleanUp() {
  if (qemu && qemu.exitCode === null) {
    qemu.kill('SIGKILL');
    await qemu.catch(() => {});
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`guest-memory: ${signal}, QEMU stopped`);
    cleanUp().finally(() => process.exit(128 + constants.signals[signal]));
  });
}
process.on('exit', () => { if (qemu && qemu.exitCode === null) qemu.kill('SIGKILL'); });

/** One boot with the console on `log`, stopped at the app's start, a panic/OOM line, QEMU's own exit or the time limit. */
async function boot(program, argv, cwd, log) {
  const began = Date.now();
  qemu = execa(program, argv, { cwd, reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' });
  let exited = false;
  qemu.then(() => { exited = true; }, () => { exited = true; });
  let how = 'time limit';
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const text = await readFile(log, 'utf8').catch(() => '');
    if (text.includes(APP_STARTED)) { how = 'app started'; break; }
    if (STOP.test(text)) {
      // The rest of the panic or OOM report, then stop.
      await new Promise((r) => setTimeout(r, 400));
      how = 'failure line';
      break;
    }
    if (exited) { how = 'QEMU exited'; break; }
    if (Date.now() - began > BOOT_LIMIT_MS) break;
  }
  const seconds = (Date.now() - began) / 1000;
  if (!exited) qemu.kill('SIGKILL');
  const result = await qemu;
  qemu = undefined;
  return { how, seconds, exitCode: result.exitCode, stderr: result.stderr ?? '' };
}

/** Pure: the console's lines, without \r and printk timestamps (leading spaces kept: memblock's dump indents). */
const consoleLines = (text) => text.split('\n').map((l) => l.replace(/\r$/, '').replace(/^\[\s*\d+\.\d+\] ?/, ''));

const RE = {
  alloc: /^memblock_(\w*alloc\w*): (\d+) bytes align=0x([0-9a-f]+)(?: nid=-?\d+)? from=0x([0-9a-f]+) max_addr=0x([0-9a-f]+)/,
  reserve: /^memblock_reserve: \[0x([0-9a-f]+)-0x([0-9a-f]+)\]/,
  free: /^memblock_phys_free: \[0x([0-9a-f]+)-0x([0-9a-f]+)\]/,
  doubled: /^memblock: \w+ is doubled/,
  dumpHead: /^MEMBLOCK configuration:/,
  dumpMemory: /^\s*memory\[0x[0-9a-f]+\]\s+\[0x([0-9a-f]+)-0x([0-9a-f]+)\]/,
  dumpReserved: /^\s*reserved\[0x[0-9a-f]+\]\s+\[0x([0-9a-f]+)-0x([0-9a-f]+)\]/,
  memblockLine: /^(memblock|\s*(memory|reserved|physmem)(\[|\.cnt|\s+size)|MEMBLOCK configuration)/,
  ramdisk: /^RAMDISK: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]/,
  memory: /^Memory: (\d+)K\/(\d+)K available \((\d+)K kernel code, (\d+)K rwdata, (\d+)K rodata, (\d+)K init, (\d+)K bss, (\d+)K reserved/,
  hash: /^(.+) hash table entries: \d+ \(order: -?\d+, (\d+) bytes, (.+)\)/,
  pcpu: /^pcpu-alloc: .*alloc=(\d+)\*(\d+)/,
  freeing: /^Freeing (.+) memory: (\d+)K/,
};
const range = (m) => ({ s: parseInt(m[1], 16), e: parseInt(m[2], 16) + 1 });

/** A set of labelled, disjoint address ranges [s, e); a new range takes over whatever it overlaps. */
class Ranges {
  list = [];
  /** Drops [s, e) from every range, splitting those it cuts. */
  remove(s, e) {
    this.list = this.list.flatMap((r) => (r.e <= s || r.s >= e ? [r] : [
      ...(r.s < s ? [{ ...r, e: s }] : []), ...(r.e > e ? [{ ...r, s: e }] : []),
    ]));
  }
  /** Labels [s, e) as `item`, from console line `src` (line number `at`). */
  add(s, e, item, src, at) {
    this.remove(s, e);
    this.list.push({ s, e, item, src, at });
  }
}

/** Bytes of [s, e) inside the RAM ranges. */
const inRam = (ram, s, e) => ram.reduce((sum, r) => sum + Math.max(0, Math.min(e, r.e) - Math.max(s, r.s)), 0);

/** The next console line after `i` that memblock did not print. */
function nextOtherLine(lines, i) {
  for (let j = i + 1; j < lines.length; j++) if (lines[j].trim() && !RE.memblockLine.test(lines[j])) return lines[j];
  return '';
}

/**
 * Pure: memblock's debug lines up to the `Memory:` line replayed into labelled reserved ranges. The
 * first `MEMBLOCK configuration` dump gives the reserves made before memblock=debug was parsed
 * (kernel image, low 64K, initrd); each printed reserve after it takes over its range, each free drops one.
 */
function tally(lines, prefAddress) {
  const memAt = lines.findIndex((l) => RE.memory.test(l));
  const end = memAt < 0 ? lines.length : memAt;
  const ramdisk = lines.map((l) => RE.ramdisk.exec(l)).find(Boolean);
  const initrd = ramdisk && range(ramdisk);
  const percpu = percpuSpan(lines, end);
  const ranges = new Ranges();
  const ram = [];
  const early = [];
  const allocated = new Map();
  let dumped = false;
  let pending;
  for (let i = 0; i < end; i++) {
    const line = lines[i];
    let m;
    if (RE.dumpHead.test(line)) {
      if (dumped) break;
      dumped = true;
      for (let j = i + 1; j < end && /^\s/.test(lines[j]); j++) {
        if ((m = RE.dumpMemory.exec(lines[j]))) ram.push(range(m));
        if ((m = RE.dumpReserved.exec(lines[j]))) {
          const r = range(m);
          const src = lines[j].trim().replace(/\s+/g, ' ');
          const item = r.e <= MiB ? ITEMS[0] : r.s <= prefAddress && prefAddress < r.e ? 'kernel image' : 'other';
          ranges.add(r.s, r.e, item, src, j);
        }
      }
      // Reserves printed before the dump sit inside its ranges and keep their own names; one without an
      // allocation at the kernel image's end is its .brk (reserve_brk: the early page tables).
      for (const r of early) {
        const inKernel = ranges.list.some((x) => x.item === 'kernel image' && x.s <= r.s && r.e <= x.e);
        ranges.add(r.s, r.e, r.item === 'other' && inKernel ? 'page tables' : r.item, r.src, r.at);
      }
      if (initrd) for (const r of ranges.list.filter((x) => x.e > initrd.s && x.s < initrd.e)) {
        const at = lines.findIndex((l) => RE.ramdisk.test(l));
        ranges.add(Math.max(r.s, initrd.s), Math.min(r.e, initrd.e), 'initrd', lines[at], at);
      }
      continue;
    }
    if ((m = RE.alloc.exec(line))) { pending = { line, i, fn: m[1], bytes: Number(m[2]), align: parseInt(m[3], 16) }; continue; }
    if (RE.doubled.test(line)) { pending = { line, i, fn: 'double_array' }; continue; }
    if ((m = RE.reserve.exec(line))) {
      const r = range(m);
      const item = classify(r, pending, i, lines, percpu);
      const src = pending ? pending.line : line;
      if (dumped) ranges.add(r.s, r.e, item, src, i);
      else early.push({ ...r, item, src, at: i });
      if (pending && pending.fn !== 'double_array' && dumped) allocated.set(i, { ...r, item, src, freed: 0 });
      pending = undefined;
      continue;
    }
    if ((m = RE.free.exec(line)) && dumped) {
      const r = range(m);
      // What the free takes back from each allocation still holding that range.
      for (const x of ranges.list) if (allocated.has(x.at)) allocated.get(x.at).freed += Math.max(0, Math.min(x.e, r.e) - Math.max(x.s, r.s));
      ranges.remove(r.s, r.e);
    }
  }
  const freedAgain = [...allocated.values()].filter((a) => a.freed > 0);
  return { dumped, ram, ranges: ranges.list, freedAgain, initrd, memAt };
}

/**
 * The percpu allocations: from the allocation of pcpu_alloc_info (mm/percpu.c), which the first
 * memblock_phys_free after the `pcpu-alloc:` dump returns, to that free.
 */
function percpuSpan(lines, end) {
  const dump = lines.findIndex((l, i) => i < end && RE.pcpu.test(l));
  if (dump < 0) return undefined;
  const freeAt = lines.findIndex((l, i) => i > dump && i < end && RE.free.test(l));
  if (freeAt < 0) return undefined;
  const freed = range(RE.free.exec(lines[freeAt]));
  for (let i = dump; i >= 0; i--) {
    const m = RE.reserve.exec(lines[i]);
    if (m && range(m).s === freed.s) return { from: i - 1, to: freeAt };
  }
  return undefined;
}

/** The item a printed reserve belongs to, from its allocation line and the console line after it. */
function classify(r, alloc, i, lines, percpu) {
  if (r.e <= MiB) return ITEMS[0];
  if (!alloc) return 'other';
  if (alloc.fn === 'double_array') return 'other';
  const after = RE.hash.exec(nextOtherLine(lines, i));
  if (after && Number(after[2]) === alloc.bytes) return 'hash tables';
  // mm/sparse-vmemmap.c: with SPARSEMEM_VMEMMAP, the page tables mapping the memmap are single raw pages.
  if (/_raw$/.test(alloc.fn) && alloc.bytes === 4096 && alloc.align === 4096) return 'page tables';
  // mm/sparse.c: the section memmap (and sparse_buffer_init's buffer) come from memmap_alloc, the _raw allocators.
  if (/_raw$/.test(alloc.fn)) return 'memmap (struct page)';
  if (percpu && i > percpu.from && i < percpu.to) return 'percpu';
  // Page tables: whole pages, page-aligned (alloc_low_pages in arch/x86/mm/init.c, spp_getpage in init_64.c).
  if (alloc.align === 4096 && alloc.bytes % 4096 === 0) return 'page tables';
  return 'other';
}

/** Pure: RAM bytes in pages any reserved range touches; what memblock_free_all keeps (it frees whole pages only). */
function pageRoundedReserved(ranges, ram) {
  const pages = new Set();
  for (const r of ranges) {
    for (let p = Math.floor(r.s / 4096); p < Math.ceil(r.e / 4096); p++) if (inRam(ram, p * 4096, (p + 1) * 4096) === 4096) pages.add(p);
  }
  return pages.size * 4096;
}

// ---- input
for (let i = 0; i < args.length; i += 2) {
  if (!['--out', '--mem', '--keep-log'].includes(args[i])) refuse(`unknown argument ${args[i]}; usage: node bench/guest-memory.mjs --out DIR [--mem N] [--keep-log FILE]`);
  if (args[i + 1] === undefined || args[i + 1].startsWith('--')) refuse(`${args[i]} needs a value`);
}
if (!flag('--out')) refuse('--out DIR is required (a tinyx out dir: bzImage, initramfs.cpio.* or rootfs.squashfs, cmdline, report.json)');
const out = path.resolve(flag('--out'));
if (!(await stat(out).then((s) => s.isDirectory(), () => false))) refuse(`${out} is not a directory`);
const bzImage = await readFile(path.join(out, 'bzImage')).catch(() => refuse(`${out} has no bzImage`));
const header = bootHeader(bzImage);
if (header.error) refuse(`${path.join(out, 'bzImage')}: ${header.error}`);
const cmdlineText = await readFile(path.join(out, 'cmdline'), 'utf8').catch(() => refuse(`${out} has no cmdline`));
const reportText = await readFile(path.join(out, 'report.json'), 'utf8').catch(() => undefined);
let leastMiB;
if (reportText !== undefined) {
  try {
    leastMiB = JSON.parse(reportText).memory?.leastMiB;
  } catch (err) {
    refuse(`${path.join(out, 'report.json')} is not JSON: ${err.message}`);
  }
}
if (flag('--mem') !== undefined && !/^[1-9]\d*$/.test(flag('--mem'))) refuse(`--mem wants a whole number of MiB, received "${flag('--mem')}"`);
if (flag('--mem') === undefined) {
  if (reportText === undefined) refuse(`${out} has no report.json: pass --mem N`);
  if (!Number.isInteger(leastMiB)) refuse(`${path.join(out, 'report.json')} has no memory.leastMiB (no memory search ran): pass --mem N`);
}
const mem = flag('--mem') !== undefined ? Number(flag('--mem')) : leastMiB;
const root = await findRoot(out);
if (!root) refuse(`${out} has neither initramfs.cpio.* nor rootfs.squashfs`);
let disk;
if (root.kind === 'disk') {
  const runSh = await readFile(path.join(out, 'run.sh'), 'utf8').catch(() => refuse(`${out} boots from rootfs.squashfs but has no run.sh to take its disk arguments from`));
  disk = diskArgs(runSh);
  if (disk.error) refuse(`${path.join(out, 'run.sh')}: ${disk.error}`);
}
const program = process.env.TINYX_QEMU ?? 'qemu-system-x86_64';
const found = await execa('sh', ['-c', 'command -v "$1"', 'sh', program], { reject: false });
if (found.exitCode !== 0) refuse(`${program} is not on PATH (apt-get install qemu-system-x86)`);

// ---- 1. the boot window
console.log(`guest memory of ${out} at -m ${mem}M, figures taken under TCG`);
const { prefAddress, initSize, relocatable } = header;
const windowEnd = prefAddress + initSize;
console.log(`\nboot window (bzImage header, boot protocol ${header.version >> 8}.${header.version & 0xff}):`);
console.log(`  pref_address ${hex(prefAddress)} (${kib(prefAddress)} KiB), init_size ${hex(initSize)} (${kib(initSize)} KiB), relocatable: ${relocatable ? 'yes' : 'no'}`);
console.log(`  the decompressor owns [${hex(prefAddress)}-${hex(windowEnd)}) while it unpacks the kernel; anything QEMU put there is overwritten`);
if (root.kind === 'initrd') {
  const floor = Math.ceil((windowEnd + root.bytes + 128 * KiB) / MiB);
  console.log(`  ${root.file}: ${root.bytes} bytes (${kib(root.bytes)} KiB)`);
  console.log(`  floor with the initrd at the top of RAM (below QEMU's 128 KiB): ceil((${kib(prefAddress)} + ${kib(initSize)} + ${kib(root.bytes)} + 128) KiB / 1 MiB) = ${floor} MiB`);
  console.log(leastMiB === undefined ? '  report.json gives no memory.leastMiB: whether the floor binds is not known'
    : floor === leastMiB ? `  report.json memory.leastMiB ${leastMiB}: the floor binds (least = floor)`
    : `  report.json memory.leastMiB ${leastMiB}: the floor does not bind (${leastMiB > floor ? 'something else needs more' : 'least is below the floor?'})`);
} else {
  console.log(`  root on ${root.file} (a disk, no initrd): the initrd floor does not apply, nor do the initrd parts below`);
  console.log(`  the window alone ends at ${kib(windowEnd)} KiB (${Math.ceil(windowEnd / MiB)} MiB)`);
}

// ---- 2. the boot
tmp = await mkdtemp(path.join(tmpdir(), 'tinyx-guest-memory-'));
const log = path.join(tmp, 'console.log');
const cmdline = bootCmdline(cmdlineText);
const argv = [
  '-machine', 'pc', '-accel', 'tcg', '-m', `${mem}M`, '-smp', '1', '-no-reboot', '-nodefaults', '-no-user-config', '-display', 'none',
  '-serial', `file:${log}`, '-kernel', 'bzImage', ...(root.kind === 'initrd' ? ['-initrd', root.file] : []), '-append', cmdline,
  ...(disk ? disk.args : []), '-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0',
];
let run;
let text;
try {
  run = await boot(program, argv, out, log);
  text = await readFile(log, 'utf8').catch(() => '');
  if (flag('--keep-log')) await copyFile(log, path.resolve(flag('--keep-log')));
} finally {
  await cleanUp();
}
console.log(`\nboot at -m ${mem}M (cmdline: ${cmdline}):`);
for (const note of disk?.notes ?? []) console.log(`  ${note}`);
const lines = consoleLines(text);
const started = text.includes(APP_STARTED);
const failure = lines.find((l) => FAILURE.test(l));
const stopped = { 'app started': `stopped at ${APP_STARTED}`, 'failure line': 'stopped at a panic/OOM line', 'QEMU exited': `QEMU exited by itself (exit ${run.exitCode})`, 'time limit': `stopped at the ${BOOT_LIMIT_MS / 1000} s limit` }[run.how];
console.log(`  ${stopped} after ${run.seconds.toFixed(1)} s; ${lines.length} console lines${flag('--keep-log') ? `, kept in ${path.resolve(flag('--keep-log'))}` : ''}`);
if (!text.trim()) {
  console.log(`  the console is empty${run.stderr.trim() ? `; QEMU said: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
  process.exit(1);
}

// ---- 3. where the memory goes
const t = tally(lines, prefAddress);
const memLine = t.memAt >= 0 ? lines[t.memAt] : undefined;
const given = mem * MiB;
const ramBytes = t.ram.reduce((s, r) => s + r.e - r.s, 0);
if (!t.dumped) console.log('  no `MEMBLOCK configuration` dump on the console (memblock=debug not taken, or the log buffer wrapped): no tally');
if (t.ram.length) console.log(`  RAM: ${kib(given)} KiB given; ${kib(ramBytes)} KiB is memory to the kernel (memblock); ${kib(given - ramBytes)} KiB is not (e820 holes below 1 MiB, the top 128 KiB QEMU reserves)`);
if (root.kind === 'initrd' && t.initrd) {
  const gap = t.initrd.s - windowEnd;
  console.log(`  initrd placed at [${hex(t.initrd.s)}-${hex(t.initrd.e)}): ${gap >= 0 ? `${kib(gap)} KiB above the boot window's end` : `${kib(-gap)} KiB inside the boot window (the decompressor overwrote its start)`}`);
}
if (memLine) {
  const m = RE.memory.exec(memLine);
  const [free, phys, code, rwdata, rodata, init, bss, reserved] = m.slice(1, 9).map(Number);
  console.log(`  ${memLine}`);
  const items = new Map(ITEMS.map((name) => [name, { bytes: 0, srcs: [], at: new Set() }]));
  for (const r of t.ranges.sort((a, b) => a.at - b.at)) {
    const item = items.get(r.item);
    item.bytes += inRam(t.ram, r.s, r.e);
    if (!item.at.has(r.at)) item.srcs.push(r.src);
    item.at.add(r.at);
  }
  // Hash tables: name them by their own console line rather than by memblock's.
  const hashNames = lines.slice(0, t.memAt).filter((l) => RE.hash.test(l));
  if (hashNames.length && items.get('hash tables').bytes) items.get('hash tables').srcs = hashNames;
  console.log(`\n  ${'item'.padEnd(26)} ${'KiB'.padStart(8)}  source line`);
  let sum = 0;
  for (const [name, item] of items) {
    if (!item.bytes && name !== 'initrd' && name !== 'memmap (struct page)') continue;
    if (name === 'initrd' && root.kind !== 'initrd') continue;
    sum += item.bytes;
    const more = item.srcs.length > 1 ? ` (+${item.srcs.length - 1} more)` : '';
    console.log(`  ${name.padEnd(26)} ${kib(item.bytes).padStart(8)}  ${item.srcs[0] ?? '-'}${more}`);
  }
  const low = t.ranges.filter((r) => r.item === ITEMS[0]).reduce((s, r) => s + r.e - r.s, 0);
  console.log(`  ${''.padEnd(26)} ${''.padStart(8)}  low 1 MiB: reserves spanning ${kib(low)} KiB, ${kib(items.get(ITEMS[0]).bytes)} KiB of it RAM (the rest: e820 holes, not memory)`);
  const kernel = items.get('kernel image').bytes;
  const sections = code + rwdata + rodata + init + bss;
  const gaps = lines.slice(t.memAt + 1).filter((l) => /Freeing unused kernel image \(.*gap\)/.test(l)).reduce((s, l) => s + Number(RE.freeing.exec(l)[2]), 0);
  console.log(`  ${''.padEnd(26)} ${''.padStart(8)}  kernel image (that range less the reserves printed inside it): the Memory: line's ${code}K code + ${rwdata}K rwdata + ${rodata}K rodata + ${init}K init + ${bss}K bss = ${sections}K, `
    + `and ${kib(kernel - sections * KiB)} KiB in none of them${gaps ? ` (the alignment gaps freed after boot are ${gaps} KiB of it)` : ''}`);
  console.log(`  ${'sum'.padEnd(26)} ${kib(sum).padStart(8)}`);
  console.log(`  ${'Memory: reserved'.padEnd(26)} ${String(reserved).padStart(8)}`);
  const rounded = pageRoundedReserved(t.ranges, t.ram);
  const diff = reserved * KiB - sum;
  console.log(`  ${'difference'.padEnd(26)} ${`${diff >= 0 ? '+' : '-'}${kib(Math.abs(diff))}`.padStart(8)}  reserved minus sum; memblock_free_all frees whole pages only: the reserved ranges rounded out to pages are ${kib(rounded)} KiB (${rounded === reserved * KiB ? 'equal to reserved' : `reserved ${rounded > reserved * KiB ? '-' : '+'}${kib(Math.abs(reserved * KiB - rounded))} KiB off`})`);
  const after = phys - reserved - free;
  console.log(`  ${'taken after the handover'.padEnd(26)} ${String(after).padStart(8)}  ${phys}K - ${reserved}K reserved - ${free}K available: allocated between memblock_free_all and the Memory: line (x86: preallocate_vmalloc_pages)`);
  if (t.freedAgain.length) {
    console.log('\n  allocated and freed again before the handover (transient):');
    for (const f of t.freedAgain) console.log(`    ${kib(f.freed).padStart(8)} KiB${f.freed < f.e - f.s ? ` of ${kib(f.e - f.s)}` : ''}  ${f.item}: ${f.src}`);
  }
  const late = lines.slice(t.memAt + 1).filter((l) => RE.hash.test(l));
  if (late.length) {
    const bytes = late.reduce((s, l) => s + Number(RE.hash.exec(l)[2]), 0);
    console.log(`\n  hash tables after the handover (from the available memory, not in reserved): ${kib(bytes)} KiB`);
    for (const l of late) console.log(`    ${kib(Number(RE.hash.exec(l)[2])).padStart(8)} KiB  ${l}`);
  }
  const freeing = lines.slice(t.memAt + 1).filter((l) => RE.freeing.test(l));
  const freedK = freeing.reduce((s, l) => s + Number(RE.freeing.exec(l)[2]), 0);
  console.log(`\n  freed after boot: ${freedK} KiB${freeing.length ? '' : ' (no Freeing line: the boot stopped before)'}`);
  for (const l of freeing) console.log(`    ${RE.freeing.exec(l)[2].padStart(8)} KiB  ${l}`);
  if (freeing.length) console.log(`    reserved left after them: ${reserved - freedK} KiB`);
} else console.log('  no `Memory:` line on the console: the boot stopped before mem_init, no tally');

// ---- 4. the outcome
console.log(started ? `\nresult at -m ${mem}M: passed (the app started: ${APP_STARTED})`
  : `\nresult at -m ${mem}M: failed: ${failure ?? (run.how === 'time limit' ? `no ${APP_STARTED} and no panic/OOM line within ${BOOT_LIMIT_MS / 1000} s` : `QEMU exited (${run.exitCode}) with no failure line`)}`);
if (!started && failure) {
  const panic = lines.find((l) => /Kernel panic/.test(l));
  if (panic && panic !== failure) console.log(`  then: ${panic}`);
}
process.exitCode = started ? 0 : 1;
