// run.sh follows the profile (machine and its options, network card, extra arguments): run for real
// by sh against a stand-in qemu-system-x86_64 that prints the words it was given; nothing in the record
// or the host-port argument is ever run, and a bad host port starts nothing.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '../../src/vm/run-script.js';
import type { GuestNetwork } from '../../src/packager/markers.js';
import type { VmLaunch } from '../../src/vm/spec.js';
import { loadProfile } from '../../src/profile/load.js';
import { recordAccel, resolveAccel } from '../../src/vm/accel.js';
import { tempDir } from '../deps/helpers.js';
import { exists, hostileValues } from '../helpers/hostile.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let marker: string;
beforeAll(async () => {
  tmp = await tempDir('tinyx-run-script-');
  marker = path.join(tmp.dir, 'MARKER');
  const bin = path.join(tmp.dir, 'bin');
  await mkdir(bin);
  await writeFile(path.join(bin, 'qemu-system-x86_64'), '#!/bin/sh\nprintf "%s\\0" "$@"\n');
  await chmod(path.join(bin, 'qemu-system-x86_64'), 0o755);
});
afterAll(async () => tmp?.cleanup());

/** The launch a run on `profileName` records (its qemu section), for the app's port. */
async function launch(profileName: string, network?: GuestNetwork): Promise<VmLaunch> {
  const { qemu, vm } = await loadProfile(profileName);
  return {
    machine: qemu.machine, memory: qemu.memory, netDevice: qemu.netDevice, extraArgs: qemu.extraArgs,
    network, initramfs: 'initramfs.cpio.xz', accel: 'tcg', reason: 'asked for', targets: vm.targets,
  };
}

/** Writes run.sh and its cmdline into a fresh out dir and runs `./run.sh ...hostPort`. */
async function runIt(vm: VmLaunch, name: string, ...hostPort: string[]) {
  const out = path.join(tmp.dir, name);
  await mkdir(out);
  await writeFile(path.join(out, 'run.sh'), runScript(vm));
  await writeFile(path.join(out, 'cmdline'), 'console=ttyS0 panic=-1 reboot=t\n');
  const env = { PATH: `${path.join(tmp.dir, 'bin')}:${process.env.PATH ?? ''}`, TINYX_ACCEL: '' };
  return execa('sh', [path.join(out, 'run.sh'), ...hostPort], { env, stdin: 'ignore', reject: false, stripFinalNewline: false });
}

/** QEMU's argv, as the stand-in received it (NUL-separated: a word may hold a newline). */
async function argv(vm: VmLaunch, name: string, ...hostPort: string[]): Promise<string[]> {
  const { stdout, exitCode, stderr } = await runIt(vm, name, ...hostPort);
  expect(exitCode, stderr).toBe(0);
  return stdout.split('\0').slice(0, -1);
}

const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('run.sh', () => {
  it('boots the microvm profile\'s machine, with its options, and its virtio-mmio network card', async () => {
    const args = await argv(await launch('qemu-microvm', { guestPort: 8080 }), 'microvm', '9123');
    expect(after(args, '-machine')).toBe('microvm,acpi=off');
    expect(after(args, '-netdev')).toBe('user,id=n0,hostfwd=tcp:127.0.0.1:9123-:8080');
    expect(after(args, '-device')).toBe('virtio-net-device,netdev=n0');
    expect(after(args, '-append')).toBe('console=ttyS0 panic=-1 reboot=t');
    expect(args).toContain('-no-reboot');
  });

  it('boots the bzImage, or the vmlinux (PVH entry) when the run shipped one', async () => {
    expect(after(await argv(await launch('qemu-microvm', { guestPort: 8080 }), 'bz'), '-kernel')).toBe('bzImage');
    expect(after(await argv({ ...(await launch('qemu-microvm', { guestPort: 8080 })), kernel: 'vmlinux' }, 'pvh'), '-kernel')).toBe('vmlinux');
  });

  it('keeps the default profile\'s virtio-net-pci, also for a record without a network card (virtio-net-pci then)', async () => {
    expect(after(await argv(await launch('qemu-x86_64', { guestPort: 80 }), 'pc'), '-device')).toBe('virtio-net-pci,netdev=n0');
    const { netDevice: _, ...older } = await launch('qemu-x86_64', { guestPort: 80 });
    expect(after(await argv(older, 'older'), '-device')).toBe('virtio-net-pci,netdev=n0');
  });

  it('passes the machine, memory and extra arguments as single words, however they are spelled', async () => {
    const vm = { ...(await launch('qemu-microvm')), machine: 'microvm,acpi=off,rtc=on', memory: '64 M', extraArgs: ['-name', "it's"] };
    const args = await argv(vm, 'words');
    expect(after(args, '-machine')).toBe('microvm,acpi=off,rtc=on');
    expect(after(args, '-m')).toBe('64 M');
    expect(args.slice(-2)).toEqual(['-name', "it's"]);
    expect(args).not.toContain('-netdev');
  });

  it('hands QEMU every field of the record byte for byte and runs none of them', async () => {
    const values = hostileValues(marker);
    for (const [i, v] of values.entries()) {
      const vm = { ...(await launch('qemu-x86_64', { guestPort: 80 })), machine: v, memory: v, netDevice: v, extraArgs: [v, v], initramfs: v, reason: v };
      const args = await argv(vm, `hostile-${i}`);
      expect(after(args, '-machine')).toBe(v);
      expect(after(args, '-m')).toBe(v);
      expect(after(args, '-initrd')).toBe(v);
      expect(after(args, '-device')).toBe(`${v},netdev=n0`);
      expect(args.slice(-2)).toEqual([v, v]);
    }
    expect(await exists(marker)).toBe(false);
  });

  it('runs nothing from a hostile accelerator in the per-host cache: the VM gets TCG', async () => {
    const options = { qemu: 'qemu-system-x86_64', machine: 'pc', choice: 'auto' as const };
    const honest = path.join(tmp.dir, 'accel-honest');
    const forged = path.join(tmp.dir, 'accel-forged');
    await mkdir(forged);
    await recordAccel({ ...options, cache: honest }, 'tcg', 'a probe');
    const known = JSON.parse(await readFile(path.join(honest, 'accel.json'), 'utf8')) as Record<string, { accel: string }>;
    for (const answer of Object.values(known)) answer.accel = `kvm$(touch ${marker})`;
    await writeFile(path.join(forged, 'accel.json'), JSON.stringify(known));
    const decision = await resolveAccel({ ...options, cache: forged });
    expect(decision.accel).toBe(`kvm$(touch ${marker})`);
    const args = await argv({ ...(await launch('qemu-x86_64', { guestPort: 80 })), accel: decision.accel, reason: decision.reason }, 'forged-accel');
    expect(after(args, '-accel')).toBe('tcg');
    expect(await exists(marker)).toBe(false);
  });

  it('refuses a host port that is not a number from 1 to 65535, with exit 2 and nothing started', async () => {
    const vm = await launch('qemu-x86_64', { guestPort: 80 });
    const bad = ['8080-:80,hostfwd=tcp:0.0.0.0:9999', '0', '65536', '080', ' 80', '80\n', '-1', '1e3', '99999999999999999999', ...hostileValues(marker).filter(Boolean)];
    for (const [i, port] of bad.entries()) {
      const { exitCode, stdout, stderr } = await runIt(vm, `bad-port-${i}`, port);
      expect(exitCode, port).toBe(2);
      expect(stdout, port).toBe('');
      expect(stderr).toBe(`run.sh: the host port must be a number from 1 to 65535, received "${port}".\n`);
    }
    expect(await exists(marker)).toBe(false);
    for (const port of ['1', '65535']) expect(after(await argv(vm, `port-${port}`, port), '-netdev')).toBe(`user,id=n0,hostfwd=tcp:127.0.0.1:${port}-:80`);
    expect(after(await argv(vm, 'port-default'), '-netdev')).toBe('user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80');
  });

  it('hands QEMU this exact command line, under either accelerator', async () => {
    expect(await argv(await launch('qemu-microvm', { guestPort: 8080 }), 'exact-microvm', '9123')).toEqual([
      '-machine', 'microvm,acpi=off', '-accel', 'tcg', '-m', '256M', '-smp', '1', '-no-reboot',
      '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'mon:stdio',
      '-kernel', 'bzImage', '-initrd', 'initramfs.cpio.xz', '-append', 'console=ttyS0 panic=-1 reboot=t',
      '-netdev', 'user,id=n0,hostfwd=tcp:127.0.0.1:9123-:8080', '-device', 'virtio-net-device,netdev=n0',
    ]);
    const vm = { ...(await launch('qemu-x86_64')), accel: 'kvm' as const, extraArgs: ['-name', 'x'] };
    expect(await argv(vm, 'exact-pc')).toEqual([
      '-machine', 'pc', '-accel', 'kvm', '-cpu', 'host', '-m', '256M', '-smp', '1', '-no-reboot',
      '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'mon:stdio',
      '-kernel', 'bzImage', '-initrd', 'initramfs.cpio.xz', '-append', 'console=ttyS0 panic=-1 reboot=t', '-name', 'x',
    ]);
  });
});
