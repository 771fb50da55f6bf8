// Cancelling or timing out a build stops make and everything it started (its process group).
import { execa } from 'execa';
import { access, mkdir, mkdtemp, readdir, readFile, utimes, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILDING_MARKER, MIN_KERNEL_BYTES, buildKernel, cachedKernel, storedVmlinux } from '../../src/tester/build.js';
import type { BuildProgress } from '../../src/tester/make-progress.js';
import { runTests } from '../../src/tester/probe.js';
import { formatDotConfig } from '../../src/kconfig/dotconfig.js';
import { parseIdentity, processIdentity, sameProcessAlive } from '../../src/util/proc.js';

const slowTree = path.resolve(__dirname, '../fixtures/tester/slow-tree');
const stampTree = path.resolve(__dirname, '../fixtures/tester/stamp-tree');
const kbuildTree = path.resolve(__dirname, '../fixtures/tester/kbuild-tree');
const present = (file: string) => access(file).then(() => true, () => false);

async function sleepers(): Promise<number> {
  const r = await execa('pgrep', ['-f', '^sleep 6[01]$'], { reject: false });
  return r.stdout.split('\n').filter(Boolean).length;
}

describe('stopping long work', () => {
  it('cancels a build with its sub-makes and returns promptly', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    const controller = new AbortController();
    const before = await sleepers();
    const started = Date.now();
    const building = buildKernel({
      srcDir: slowTree, slotDir: path.join(dir, 'slot'), config: new Map([['A', 'y']]), artifactDir: path.join(dir, 'art'),
      ccacheDir: path.join(dir, 'ccache'), ccacheBase: dir, logFile: path.join(dir, 'build.log'), signal: controller.signal,
    });
    // While make runs, the slot's marker names make itself, the leader of the build's process group.
    const marker = path.join(dir, 'slot', BUILDING_MARKER);
    await new Promise((r) => setTimeout(r, 1_500));
    const leader = parseIdentity(await readFile(marker, 'utf8'));
    expect(leader && (await readFile(`/proc/${leader.pid}/stat`, 'utf8')).includes('(make)')).toBe(true);
    expect(leader && (await sameProcessAlive(leader))).toBe(true);
    controller.abort();
    const result = await building;
    expect(result.ok).toBe(false);
    expect(result.reason).toBe('canceled');
    expect(Date.now() - started).toBeLessThan(15_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await sleepers()).toBe(before);
    // make did not finish on its own: the slot stays marked as interrupted.
    expect(parseIdentity(await readFile(marker, 'utf8'))).toEqual(leader);
    expect(await sameProcessAlive(leader!)).toBe(false);
  });

  it('after a build killed hard, stops its orphaned make and drops what it wrote before building again in that slot', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    const slot = path.join(dir, 'slot');
    await mkdir(slot, { recursive: true });
    const old = new Date(Date.now() - 3_600_000);
    await writeFile(path.join(slot, 'kept.o'), 'from a finished build');
    await utimes(path.join(slot, 'kept.o'), old, old);
    // The killed build's make, orphaned and still running in its own process group.
    const orphan = execa('sleep', ['61'], { detached: true, reject: false });
    await writeFile(path.join(slot, BUILDING_MARKER), `${JSON.stringify(await processIdentity(orphan.pid!))}\n`);
    await utimes(path.join(slot, BUILDING_MARKER), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await writeFile(path.join(slot, 'half.o'), 'half-written by the killed build');
    const result = await buildKernel({
      srcDir: stampTree, slotDir: slot, config: new Map([['A', 'y']]), artifactDir: path.join(dir, 'art'),
      ccacheDir: path.join(dir, 'ccache'), ccacheBase: dir, logFile: path.join(dir, 'build.log'),
    });
    expect(result.ok).toBe(true);
    expect(await present(path.join(slot, 'half.o'))).toBe(false);
    expect(await present(path.join(slot, 'kept.o'))).toBe(true);
    expect(await present(path.join(slot, 'fresh.o'))).toBe(true);
    expect(await present(path.join(slot, BUILDING_MARKER))).toBe(false);
    expect(await readFile(path.join(dir, 'build.log'), 'utf8')).toContain('removed the 1 files it wrote');
    expect((await orphan).signal).toBe('SIGKILL');
  });

  it('leaves alone a process that only has the pid named in the marker (as after a reboot), still dropping what was written since', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    // Another program, in a process group of its own, that now has the pid the killed build's make had.
    const other = execa('sleep', ['30'], { detached: true, reject: false });
    const identity = (await processIdentity(other.pid!))!;
    try {
      const markers = { 'wrong-start': JSON.stringify({ ...identity, startTime: identity.startTime - 1 }), 'bare-pid': String(identity.pid) };
      for (const [name, content] of Object.entries(markers)) {
        const slot = path.join(dir, name);
        await mkdir(slot, { recursive: true });
        await writeFile(path.join(slot, BUILDING_MARKER), `${content}\n`);
        await utimes(path.join(slot, BUILDING_MARKER), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
        await writeFile(path.join(slot, 'half.o'), 'half-written by the killed build');
        const result = await buildKernel({
          srcDir: stampTree, slotDir: slot, config: new Map([['A', 'y']]), artifactDir: path.join(dir, 'art', name),
          ccacheDir: path.join(dir, 'ccache'), ccacheBase: dir, logFile: path.join(dir, `${name}.log`),
        });
        expect(result.ok).toBe(true);
        expect(await present(path.join(slot, 'half.o'))).toBe(false);
        expect(await sameProcessAlive(identity)).toBe(true);
      }
    } finally {
      other.kill('SIGKILL');
    }
    expect((await other).signal).toBe('SIGKILL');
  });

  it('stores the kernel of one config built by several runs at once whole, with its config, its symbol map and no temp files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    const config = new Map([['A', 'y']]);
    const artifactDir = path.join(dir, 'art');
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => buildKernel({
      srcDir: stampTree, slotDir: path.join(dir, `slot-${i}`), config, artifactDir,
      ccacheDir: path.join(dir, 'ccache'), ccacheBase: dir, logFile: path.join(dir, `build-${i}.log`),
    })));
    expect(results.map((r) => r.ok)).toEqual(Array(6).fill(true));
    expect((await readdir(artifactDir)).sort()).toEqual(['System.map', 'bzImage', 'config']);
    expect(await readFile(path.join(artifactDir, 'bzImage'), 'utf8')).toBe('image\n');
    expect(await readFile(path.join(artifactDir, 'System.map'), 'utf8')).toBe('ffffffff81000000 T _text\n');
    expect(await readFile(path.join(artifactDir, 'config'), 'utf8')).toBe(formatDotConfig(config));
  });

  it('takes a stored bzImage that is missing, empty or implausibly small for no stored kernel: the config is built again', async () => {
    for (const bytes of [undefined, 0, 1000]) {
      const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
      const artifactDir = path.join(dir, 'art');
      await mkdir(artifactDir, { recursive: true });
      if (bytes !== undefined) await writeFile(path.join(artifactDir, 'bzImage'), Buffer.alloc(bytes));
      expect(await cachedKernel(artifactDir)).toBeUndefined();
      const result = await buildKernel({
        srcDir: stampTree, slotDir: path.join(dir, 'slot'), config: new Map([['A', 'y']]), artifactDir,
        ccacheDir: path.join(dir, 'ccache'), ccacheBase: dir, logFile: path.join(dir, 'build.log'),
      });
      expect({ built: result.built, reason: result.reason }).toEqual({ built: true, reason: 'built' });
      expect(await readFile(path.join(artifactDir, 'bzImage'), 'utf8')).toBe('image\n');
    }
    // One of a kernel's size is a hit.
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    await writeFile(path.join(dir, 'bzImage'), Buffer.alloc(MIN_KERNEL_BYTES));
    expect(await cachedKernel(dir)).toBe(path.join(dir, 'bzImage'));
  });

  it('times out a build the same way', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    const result = await buildKernel({
      srcDir: slowTree, slotDir: path.join(dir, 'slot'), config: new Map([['A', 'y']]), artifactDir: path.join(dir, 'art'),
      ccacheDir: path.join(dir, 'ccache'), ccacheBase: dir, logFile: path.join(dir, 'build.log'), timeoutMs: 1_500,
    });
    expect(result.reason).toBe('build timed out');
    expect(result.logTail).toContain('building');
  });

  it('times out tests whose children would hold the output open', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-probe-'));
    const tests = path.join(dir, 'probe.sh');
    await writeFile(tests, '#!/bin/sh\nsleep 60 &\nsleep 61\n');
    await chmod(tests, 0o755);
    const started = Date.now();
    const result = await runTests({ tests, host: '127.0.0.1', port: 1, consoleLog: '/dev/null', logFile: path.join(dir, 'test.log'), timeoutMs: 1_000 });
    expect(result.passed).toBe(false);
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('progress of a build', () => {
  it('reports the objects make compiled, and for a build in an empty slot the count of the last full build', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    const fullBuildFile = path.join(dir, 'full-build.json');
    const build = async (slot: string, n: number) => {
      const seen: BuildProgress[] = [];
      const result = await buildKernel({
        srcDir: kbuildTree, slotDir: path.join(dir, slot), config: new Map([['A', 'y']]), artifactDir: path.join(dir, 'art', String(n)),
        ccacheDir: path.join(dir, 'ccache'), ccacheBase: dir, logFile: path.join(dir, `build-${n}.log`), fullBuildFile, onProgress: (p) => seen.push(p),
      });
      expect(result.ok).toBe(true);
      return seen.at(-1);
    };
    // The first build of a slot has nothing to go by; it records its count.
    expect(await build('slot-0', 1)).toEqual({ compiled: 3 });
    expect(JSON.parse(await readFile(fullBuildFile, 'utf8'))).toEqual({ objects: 3 });
    // An incremental build: what the full one compiled says nothing of what make rebuilds.
    expect(await build('slot-0', 2)).toEqual({ compiled: 3 });
    // Another empty slot: about as many as the last full build.
    expect(await build('slot-1', 3)).toEqual({ compiled: 3, expected: 3 });
    // A slot a build was killed in: cleaning it drops the O=/Makefile that build wrote, yet the slot
    // keeps the objects of the builds before: neither an estimate nor a count to record.
    await writeFile(fullBuildFile, JSON.stringify({ objects: 9 }));
    await writeFile(path.join(dir, 'slot-0', BUILDING_MARKER), '\n');
    await writeFile(path.join(dir, 'slot-0', 'Makefile'), '# generated\n');
    expect(await build('slot-0', 4)).toEqual({ compiled: 3 });
    expect(JSON.parse(await readFile(fullBuildFile, 'utf8'))).toEqual({ objects: 9 });
  });
});

describe('a kernel with the PVH entry', () => {
  const pvhTree = path.resolve(__dirname, '../fixtures/tester/pvh-tree');
  const build = (dir: string, config: Map<string, string>) => buildKernel({
    srcDir: pvhTree, slotDir: path.join(dir, 'slot'), config, artifactDir: path.join(dir, 'art'),
    ccacheDir: path.join(dir, 'ccache'), ccacheBase: dir, logFile: path.join(dir, 'build.log'),
  });

  it('stores its vmlinux stripped beside the bzImage; a kernel without CONFIG_PVH stores none', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    expect((await build(dir, new Map([['PVH', 'y']]))).ok).toBe(true);
    const vmlinux = await storedVmlinux(path.join(dir, 'art'));
    expect(vmlinux).toBe(path.join(dir, 'art', 'vmlinux'));
    expect((await execa('readelf', ['-S', '-W', path.join(dir, 'slot', 'vmlinux')])).stdout).toContain('.symtab');
    const sections = (await execa('readelf', ['-S', '-W', vmlinux!])).stdout;
    expect(sections).toContain('.text');
    expect(sections).not.toContain('.symtab');
    const other = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    expect((await build(other, new Map([['PVH', 'n']]))).ok).toBe(true);
    expect(await storedVmlinux(path.join(other, 'art'))).toBeUndefined();
    expect(await present(path.join(other, 'art', 'bzImage'))).toBe(true);
  });

  it('builds again a stored PVH kernel that has no vmlinux (stored by an older tinyx); one without CONFIG_PVH stays stored', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-build-'));
    await mkdir(path.join(dir, 'art'), { recursive: true });
    await writeFile(path.join(dir, 'art', 'bzImage'), Buffer.alloc(MIN_KERNEL_BYTES, 1));
    expect(await build(dir, new Map([['PVH', 'n']]))).toMatchObject({ ok: true, built: false, reason: 'cached' });
    expect(await build(dir, new Map([['PVH', 'y']]))).toMatchObject({ ok: true, built: true });
    expect(await storedVmlinux(path.join(dir, 'art'))).toBeDefined();
    expect(await build(dir, new Map([['PVH', 'y']]))).toMatchObject({ ok: true, built: false, reason: 'cached' });
  });
});
