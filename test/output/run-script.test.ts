// run.sh follows the profile (machine and its options, network card, extra arguments): run for real
// by sh against a stand-in qemu-system-x86_64 that prints the words it was given.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmLaunch } from '../../src/output/record.js';
import { runScript } from '../../src/output/run-script.js';
import { loadProfile } from '../../src/profile/load.js';
import { tempDir } from '../deps/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-run-script-');
  const bin = path.join(tmp.dir, 'bin');
  await mkdir(bin);
  await writeFile(path.join(bin, 'qemu-system-x86_64'), '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
  await chmod(path.join(bin, 'qemu-system-x86_64'), 0o755);
});
afterAll(async () => tmp?.cleanup());

/** The launch a run on `profileName` records (its qemu section), for the app's port. */
async function launch(profileName: string, port: number): Promise<VmLaunch> {
  const { qemu } = await loadProfile(profileName);
  return {
    machine: qemu.machine, memory: qemu.memory, netDevice: qemu.netDevice, extraArgs: qemu.extraArgs,
    port, initramfs: 'initramfs.cpio.xz', accel: 'tcg', reason: 'asked for',
  };
}

/** Writes run.sh and its cmdline into a fresh out dir, runs `./run.sh ...hostPort`, returns QEMU's argv. */
async function argv(vm: VmLaunch, name: string, ...hostPort: string[]): Promise<string[]> {
  const out = path.join(tmp.dir, name);
  await mkdir(out);
  await writeFile(path.join(out, 'run.sh'), runScript(vm));
  await writeFile(path.join(out, 'cmdline'), 'console=ttyS0 panic=-1 reboot=t\n');
  const env = { PATH: `${path.join(tmp.dir, 'bin')}:${process.env.PATH ?? ''}` };
  const { stdout } = await execa('sh', [path.join(out, 'run.sh'), ...hostPort], { env, stdin: 'ignore' });
  return stdout.split('\n');
}

const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('run.sh', () => {
  it('boots the microvm profile\'s machine, with its options, and its virtio-mmio network card', async () => {
    const args = await argv(await launch('qemu-microvm', 8080), 'microvm', '9123');
    expect(after(args, '-machine')).toBe('microvm,acpi=off');
    expect(after(args, '-netdev')).toBe('user,id=n0,hostfwd=tcp:127.0.0.1:9123-:8080');
    expect(after(args, '-device')).toBe('virtio-net-device,netdev=n0');
    expect(after(args, '-append')).toBe('console=ttyS0 panic=-1 reboot=t');
    expect(args).toContain('-no-reboot');
  });

  it('keeps the default profile\'s virtio-net-pci, also for a record without a network card (virtio-net-pci then)', async () => {
    expect(after(await argv(await launch('qemu-x86_64', 80), 'pc'), '-device')).toBe('virtio-net-pci,netdev=n0');
    const { netDevice: _, ...older } = await launch('qemu-x86_64', 80);
    expect(after(await argv(older, 'older'), '-device')).toBe('virtio-net-pci,netdev=n0');
  });

  it('passes the machine, memory and extra arguments as single words, however they are spelled', async () => {
    const vm = { ...(await launch('qemu-microvm', 0)), machine: 'microvm,acpi=off,rtc=on', memory: '64 M', extraArgs: ['-name', "it's"] };
    const args = await argv(vm, 'words');
    expect(after(args, '-machine')).toBe('microvm,acpi=off,rtc=on');
    expect(after(args, '-m')).toBe('64 M');
    expect(args.slice(-2)).toEqual(['-name', "it's"]);
    expect(args).not.toContain('-netdev');
  });
});
