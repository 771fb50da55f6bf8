// The microVM target end to end: the qemu-microvm profile's start config (virtio-mmio, no PCI, no ACPI) builds,
// boots under QEMU's microvm machine, serves hello-http to its probe through virtio-net-device, a bounded minimize
// runs through on it, its run.sh boots the result as the profile says, and a guest whose init ends the VM makes
// QEMU exit (reboot=t under -no-reboot), as under pc. Its kernel has the PVH entry: the bzImage and the vmlinux are
// booted side by side and the faster ships.
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../helpers/capture.js';
import { runMain } from '../../src/cli/main.js';
import { resolveApp } from '../../src/deps/index.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { MARKER_APP_EXITED } from '../../src/packager/markers.js';
import { loadProfile } from '../../src/profile/load.js';
import { freePort } from '../../src/tester/ports.js';
import { startGuest } from '../../src/tester/guest.js';
import { vmSpec } from '../../src/vm/spec.js';

const root = path.resolve(__dirname, '../..');
const server = path.join(root, 'examples/hello-http/build/server');
const probe = path.join(root, 'examples/hello-http/probe.sh');

describe('tinyx minimize --profile qemu-microvm on hello-http (real builds and boots)', () => {
  let out: string;
  let exitCode: number;
  let log: ReturnType<typeof capture>;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'tinyx-e2e-microvm-'));
    log = capture();
    // One leaf candidate (SIGNALFD: hello-http does not use it): the start kernel and one small build. The memory
    // search runs (a few boots), for the pc/microvm figures the report gives; so do the boot speedups the
    // profile's command line does not set yet (5 boots each, no build).
    exitCode = await runMain(['minimize', '--app', server, '--tests', probe, '--out', out, '--profile', 'qemu-microvm',
      '--candidates', 'SIGNALFD', '--compare-compression', 'none', '--keep-cmdline', '--final-runs', '1', '--boot-speedups'], log.io);
  });

  it('builds a kernel without PCI, boots it under microvm and passes the probe through virtio-mmio networking', async () => {
    expect(exitCode, log.err.join('')).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.profile).toBe('qemu-microvm');
    expect(report.removed).toEqual(['SIGNALFD']);
    expect(report.harness).toEqual(expect.arrayContaining(['VIRTIO_MMIO', 'VIRTIO_MMIO_CMDLINE_DEVICES', 'VIRTIO_NET']));
    const config = await readFile(path.join(out, 'config'), 'utf8');
    expect(config).toContain('# CONFIG_PCI is not set');
    expect(config).toContain('CONFIG_VIRTIO_MMIO=y');
    expect(config).not.toMatch(/^CONFIG_ACPI=y$/m);
    expect(report.boot.final.readyMs).toBeGreaterThan(0);
    expect(report.memory.leastMiB).toBeGreaterThan(8);
    expect(await readFile(path.join(out, 'cmdline'), 'utf8')).toContain('reboot=t');
    process.stderr.write(`[microvm] bzImage ${report.final.bzImageBytes} B, initramfs ${report.final.initramfsBytes} B, least memory ${report.memory.leastMiB} MiB, `
      + `boot (${report.boot.accel}) init/app/ready ${report.boot.final.initMs}/${report.boot.final.appMs}/${report.boot.final.readyMs} ms\n`);
  });

  it('tries each boot speedup the command line does not set yet with 5 boots, and ships the command line with those kept', async () => {
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const profile = await loadProfile('qemu-microvm');
    const set = new Set(profile.boot.cmdline.split(' ').map((t) => t.split('=')[0]));
    const tried = profile.boot.speedups.filter((o) => !set.has(o.split('=')[0]!));
    expect(tried.length).toBeGreaterThan(0);
    expect(report.bootSpeed.runs).toBe(5);
    expect(report.bootSpeed.trials.map((t: { option: string }) => t.option)).toEqual(tried);
    for (const t of report.bootSpeed.trials) expect(t.detail).toMatch(/faster|slower|fails/);
    const kept = report.bootSpeed.trials.filter((t: { kept: boolean }) => t.kept).map((t: { option: string }) => t.option);
    expect(report.bootSpeed.added).toEqual(kept);
    expect((await readFile(path.join(out, 'cmdline'), 'utf8')).trim()).toBe([profile.boot.cmdline, ...kept].join(' '));
    expect(report.cmdline).toBe([profile.boot.cmdline, ...kept].join(' '));
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('## Boot speedups');
    process.stderr.write(`[microvm] boot speedups: ${report.bootSpeed.trials.map((t: { option: string; detail: string }) => `${t.option}: ${t.detail}`).join('; ')}\n`);
  });

  it('boots the PVH kernel\'s bzImage and its vmlinux 5 times each, and ships the vmlinux when it is faster (run.sh boots it)', async () => {
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const config = await readFile(path.join(out, 'config'), 'utf8');
    expect(config).toContain('CONFIG_PVH=y');
    const { pvh } = report;
    expect(pvh.runs).toBe(5);
    expect(pvh.bzImage.appMs).toHaveLength(5);
    expect(pvh.bzImage.failed).toBeUndefined();
    expect(pvh.vmlinux.failed, pvh.vmlinux.failed).toBeUndefined();
    expect(pvh.vmlinux.appMs).toHaveLength(5);
    for (const way of [pvh.bzImage, pvh.vmlinux]) expect(way.medianGuestInitMs).toBeGreaterThan(0);
    const script = await readFile(path.join(out, 'run.sh'), 'utf8');
    const names = await readdir(out);
    if (pvh.shipped === 'vmlinux') {
      expect(names).toContain('vmlinux');
      expect(script).toContain('-kernel vmlinux ');
      expect(report.final.vmlinuxBytes).toBe((await stat(path.join(out, 'vmlinux'))).size);
    } else {
      expect(names).not.toContain('vmlinux');
      expect(script).toContain('-kernel bzImage ');
    }
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('## Kernel entry: bzImage or vmlinux (PVH)');
    process.stderr.write(`[microvm] PVH: bzImage to init/app ${pvh.bzImage.medianInitMs}/${pvh.bzImage.medianAppMs} ms (guest ${pvh.bzImage.medianGuestInitMs}), `
      + `vmlinux ${pvh.vmlinux.medianInitMs}/${pvh.vmlinux.medianAppMs} ms (guest ${pvh.vmlinux.medianGuestInitMs}); ${pvh.detail}; ships the ${pvh.shipped}; vmlinux ${report.final.vmlinuxBytes ?? '-'} B\n`);
  });

  it('run.sh starts QEMU as the profile says (microvm, virtio-net-device) and the probe passes against it', async () => {
    const script = await readFile(path.join(out, 'run.sh'), 'utf8');
    expect(script).toContain('-machine microvm,acpi=off');
    expect(script).toContain('virtio-net-device,netdev=n0');
    expect(script).not.toContain('virtio-net-pci');
    const port = await freePort();
    const vm = execa(path.join(out, 'run.sh'), [String(port)], { reject: false, stdin: 'ignore', all: true });
    try {
      let ok = false;
      for (let i = 0; i < 8 && !ok; i++) {
        ok = (await execa(probe, [], { reject: false, env: { TINYX_HOST: '127.0.0.1', TINYX_PORT: String(port) }, timeout: 60_000 })).exitCode === 0;
      }
      expect(ok, (vm as unknown as { all?: string }).all).toBe(true);
    } finally {
      vm.kill('SIGKILL');
      await vm;
    }
  });

  it('a guest whose app cannot start ends the VM and QEMU exits (reboot=t under -no-reboot)', async () => {
    const profile = await loadProfile('qemu-microvm');
    const manifest = await resolveApp(server);
    const broken = { ...manifest, entries: manifest.entries.filter((e) => !e.guestPath.endsWith('/ld-linux-x86-64.so.2')) };
    const { file } = await buildInitramfs({
      manifest: broken, init: { appGuestPath: manifest.app.guestPath, appArgs: [], kind: 'tinyx' }, outFile: path.join(out, 'broken.cpio.xz'), compression: 'xz',
    });
    const vm = vmSpec({ ...profile.qemu, extraArgs: [] }, { kernel: path.join(out, 'bzImage'), initramfs: file, cmdline: profile.boot.cmdline, hostPort: 0 });
    const guest = await startGuest({ vm, consoleLog: path.join(out, 'broken.console'), accel: 'tcg' });
    try {
      expect(await guest.waitFor([new RegExp(`^${MARKER_APP_EXITED} 127`)], 60_000), guest.console()).toBeDefined();
      const ended = await Promise.race([guest.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('still running'), 20_000))]);
      expect(ended, guest.console()).toBe('exited');
    } finally {
      await guest.stop();
    }
  });
});
