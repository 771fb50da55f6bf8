// The real pipeline on the bundled example: real kernel builds, real QEMU boots, the real probe.
import { execa } from 'execa';
import { mkdtemp, readFile, readdir, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../helpers/capture.js';
import { runMain } from '../../src/cli/main.js';
import { freePort } from '../../src/tester/ports.js';
import { OUTPUT_FILES } from '../../src/output/write.js';
import { filesOf } from '../helpers/newc.js';

const root = path.resolve(__dirname, '../..');
const server = path.join(root, 'examples/hello-http/build/server');
const probe = path.join(root, 'examples/hello-http/probe.sh');

describe('tinyx minimize on hello-http (real builds and boots)', () => {
  let out: string;
  let exitCode: number;
  let log: ReturnType<typeof capture>;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'tinyx-e2e-'));
    log = capture();
    // A bounded search: VIRTIO_NET is needed (no eth0 without it), SIGNALFD and RSEQ are not (the two
    // together shrink the bzImage by more than its 512-byte steps). After it, the result is also built
    // and booted with gzip (auto picks xz for this app) for the compression table. Two values are
    // searched: the printk buffer's size (a smaller one makes the unpacked kernel smaller, so its
    // boot window ends lower) and the page allocator's batch scale (a constant in one file: the
    // kernel weighs the same).
    exitCode = await runMain(['minimize', '--app', server, '--tests', probe, '--out', out, '--candidates', 'VIRTIO_NET,SIGNALFD,RSEQ', '--compare-compression', 'gzip', '--values', 'LOG_BUF_SHIFT,PCP_BATCH_SCALE_MAX'], log.io);
  });

  it('succeeds and writes every output file', async () => {
    expect(exitCode, log.err.join('')).toBe(0);
    const files = await readdir(out);
    for (const name of OUTPUT_FILES) expect(files).toContain(name);
    expect(files).toContain('initramfs.cpio.xz');
  });

  it('keeps what the app needs and removes what it does not', async () => {
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.kept).toContain('VIRTIO_NET');
    expect(report.removed).toContain('SIGNALFD');
    expect(report.keptReasons.VIRTIO_NET).toMatch(/^fail/);
    expect(report.final.optionsEnabled).toBeLessThan(report.start.optionsEnabled);
    expect(report.final.bzImageBytes).toBeLessThan(report.start.bzImageBytes);
    expect(report.builds).toBeGreaterThanOrEqual(0);
    expect(typeof report.wallSeconds).toBe('number');
    expect(report.cmdline).toContain('console=ttyS0');
    const config = await readFile(path.join(out, 'config'), 'utf8');
    expect(config).toContain('CONFIG_VIRTIO_NET=y');
    expect(config).toContain('# CONFIG_SIGNALFD is not set');
    const defconfig = await readFile(path.join(out, 'defconfig'), 'utf8');
    expect(defconfig).toContain('CONFIG_VIRTIO_NET=y');
    const md = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('`VIRTIO_NET`: fail');
  });

  it('lowers a value that makes the kernel lighter and leaves one that does not', async () => {
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const { values } = report;
    expect(values.lowered).toEqual([{ option: 'LOG_BUF_SHIFT', from: '17', to: '12', detail: expect.stringMatching(/boot window -\d+ KiB/) }]);
    expect(values.trials.map((t: { option: string; value: string }) => `${t.option}=${t.value}`)).toEqual(['LOG_BUF_SHIFT=12', 'PCP_BATCH_SCALE_MAX=0']);
    expect(values.kept).toEqual([{ option: 'PCP_BATCH_SCALE_MAX', value: '5', why: expect.stringMatching(/^0 passes and weighs no less/) }]);
    expect(values.weight).toEqual(values.trials[0].weight);
    expect(await readFile(path.join(out, 'config'), 'utf8')).toContain('CONFIG_LOG_BUF_SHIFT=12\n');
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toMatch(/\| `LOG_BUF_SHIFT` \| 17 \| 12 \| .*boot window -\d+ KiB/);
  });

  it('says which first guess it used', async () => {
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    // The shipped prior (hello-http needs nothing beyond the harness) removes both candidates at once, which fails (no eth0).
    expect(report.guess).toMatchObject({ source: 'learned', held: false });
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('First guess: learned');
  });

  it('finds the least guest memory the result passes with (one MiB less failed) and gives run.sh that plus the margin', async () => {
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const m = report.memory;
    expect(m.fromMiB).toBe(256);
    expect(m.leastMiB).toBeGreaterThan(8);
    expect(m.leastMiB).toBeLessThan(256);
    // Real boots: the least passed, one MiB less failed (each failure confirmed).
    expect(m.probes.find((p: { mib: number }) => p.mib === m.leastMiB)).toMatchObject({ passed: true });
    expect(m.probes.find((p: { mib: number }) => p.mib === m.leastMiB - 1)).toMatchObject({ passed: false });
    expect(m.runMiB).toBe(Math.min(256, Math.ceil(m.leastMiB * 1.25)));
    expect(await readFile(path.join(out, 'run.sh'), 'utf8')).toContain(`-m ${m.runMiB}M`);
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain(`Least guest memory the result passed with: ${m.leastMiB} MiB`);
  });

  it('reports how long the start and the final VM took to boot, under the accelerator it names', async () => {
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.boot.accel).toBe(report.accel.accel);
    for (const vm of [report.boot.start, report.boot.final]) {
      expect(vm.initMs).toBeGreaterThan(0);
      expect(vm.appMs).toBeGreaterThanOrEqual(vm.initMs);
      expect(vm.readyMs).toBeGreaterThanOrEqual(vm.appMs);
      // tinyx's init prints the guest's clock: it starts with the kernel, after the firmware and the unpacking QEMU's clock counts.
      expect(vm.guestInitMs).toBeGreaterThan(0);
      expect(vm.guestInitMs).toBeLessThan(vm.initMs);
      expect(vm.guestAppMs).toBeGreaterThanOrEqual(vm.guestInitMs);
    }
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toMatch(/\| boot to init \((TCG|KVM)\) \| \d+\.\d\d s \| \d+\.\d\d s \|/);
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toMatch(/\| kernel clock at init \(the guest's\) \| \d+\.\d\d s \| \d+\.\d\d s \|/);
  });

  it('compresses kernel and initramfs with the smallest (xz), and compares the VM with gzip, built and booted', async () => {
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const c = report.compression;
    expect(c).toMatchObject({ asked: 'auto', used: 'xz' });
    expect(c.initramfs[0].compression).toBe('xz');
    expect(c.initramfs.map((s: { compression: string }) => s.compression).sort()).toEqual(['gzip', 'lz4', 'xz', 'zstd']);
    expect(c.rows.map((r: { compression: string; shipped: boolean }) => [r.compression, r.shipped])).toEqual([['xz', true], ['gzip', false]]);
    const gzip = c.rows[1];
    expect(gzip.status).toBe('pass');
    expect(gzip.bzImageBytes).toBeGreaterThan(0);
    expect(gzip.initramfsBytes).toBeGreaterThan(c.rows[0].initramfsBytes);
    expect(gzip.totalBytes).toBe(gzip.bzImageBytes + gzip.initramfsBytes);
    expect(gzip.boot.appMs).toBeGreaterThan(0);
    expect(await readFile(path.join(out, 'config'), 'utf8')).toContain('CONFIG_KERNEL_XZ=y');
    expect(await readFile(path.join(out, 'run.sh'), 'utf8')).toContain('-initrd initramfs.cpio.xz');
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toMatch(/\| gzip \| \d+ KiB \| \d+ KiB \| \d+ KiB \|/);
  });

  it('leaves out the files the probe passes without and strips the server, by real boots of the start kernel', async () => {
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const d = report.rootfs.reduction;
    // The tinyx init's guest: the app and the /etc files tinyx writes are all there is; only /etc is a candidate.
    expect(d.candidates).toBeGreaterThan(0);
    expect(d.pruned.length + d.keptFiles.length).toBe(d.candidates);
    expect(d.pruned.length).toBeGreaterThan(0);
    expect(d.evaluations).toBeGreaterThan(0);
    expect(d.stripped).toEqual([expect.objectContaining({ path: '/app/server' })]);
    expect(d.stripped[0].strippedBytes).toBeLessThan(d.stripped[0].bytes);
    expect(d.strippedSavedBytes).toBe(d.stripped[0].bytes - d.stripped[0].strippedBytes);
    expect(d.initramfsBytes.after).toBeLessThan(d.initramfsBytes.before);
    expect(report.final.initramfsBytes).toBe(d.initramfsBytes.after);
    expect(report.start.initramfsBytes).toBe(d.initramfsBytes.before);
    // The shipped initramfs is the reduced one: no pruned file, the stripped server.
    const files = filesOf(Buffer.from((await execa('xz', ['-dc', path.join(out, 'initramfs.cpio.xz')], { encoding: 'buffer' })).stdout));
    for (const p of d.pruned) expect(files.has(p.path), p.path).toBe(false);
    for (const p of d.keptFiles) expect(files.has(p), p).toBe(true);
    expect(files.get('/app/server')!.length).toBe(d.stripped[0].strippedBytes);
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('### Left out and stripped by tests');
  });

  it('run.sh boots the minimized VM and the probe passes against it', async () => {
    const port = await freePort();
    const vm = execa(path.join(out, 'run.sh'), [String(port)], { reject: false, stdin: 'ignore', all: true });
    try {
      const result = await execa(probe, [], { reject: false, env: { TINYX_HOST: '127.0.0.1', TINYX_PORT: String(port) }, timeout: 120_000 });
      // The probe retries for ~10 s; a TCG boot can take longer, so give it a few tries.
      let ok = result.exitCode === 0;
      for (let i = 0; i < 6 && !ok; i++) {
        ok = (await execa(probe, [], { reject: false, env: { TINYX_HOST: '127.0.0.1', TINYX_PORT: String(port) } })).exitCode === 0;
      }
      expect(ok).toBe(true);
    } finally {
      vm.kill('SIGKILL');
      await vm;
    }
  });

  it('resumes from the journal: a second run with the same --out builds nothing', async () => {
    const again = capture();
    const code = await runMain(['minimize', '--app', server, '--tests', probe, '--out', out, '--candidates', 'VIRTIO_NET,SIGNALFD,RSEQ', '--compare-compression', 'gzip', '--values', 'LOG_BUF_SHIFT,PCP_BATCH_SCALE_MAX'], again.io);
    expect(code, again.err.join('')).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.builds).toBe(0);
    expect(report.kept).toContain('VIRTIO_NET');
    expect(again.err.join('')).toMatch(/resuming: \d+ verdicts/);
  });

  it('verify re-boots the result and confirms every kept option is needed', async () => {
    const check = capture();
    const code = await runMain(['verify', out], check.io);
    const table = check.out.join('');
    expect(code, table + check.err.join('')).toBe(0);
    expect(table).toContain('boot + tests: pass');
    // Kept options are re-tested with the final (minimized) command line: a new pair, unless the
    // boot option search removed nothing.
    expect(table).toMatch(/VIRTIO_NET\s+fails\s+(journal|run)\s+fail: tests exited with 1/);
    // The value left as it was, one step lower: the search's own kernel (booted again when the boot
    // option search changed the command line).
    expect(table).toMatch(/PCP_BATCH_SCALE_MAX=5\s+0\s+holds\s+(journal|run)\s+passes, /);
    expect(table).toContain('verified: boots, passes, 1-minimal, no value one step lower passes lighter');
  });

  it('refuses to reduce when the tests fail on the start VM', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-e2e-bad-'));
    const failing = path.join(dir, 'fail.sh');
    await writeFile(failing, '#!/bin/sh\necho always fails >&2\nexit 3\n');
    await chmod(failing, 0o755);
    const bad = capture();
    const code = await runMain(['minimize', '--app', server, '--tests', failing, '--out', path.join(dir, 'out'), '--candidates', 'SIGNALFD'], bad.io);
    expect(code).toBe(1);
    expect(bad.err.join('')).toContain('TINYX_START_FAILS');
    expect(bad.err.join('')).toContain('tests exited with 3');
    // The example is an ELF app, so its guest runs tinyx's own init: the advice names the shell-less guest.
    expect(bad.err.join('')).toMatch(/no shell and no BusyBox.*--init busybox/);
  });
});
