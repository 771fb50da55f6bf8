// run-cloud-hypervisor.sh: run for real by sh against a stand-in cloud-hypervisor that prints the words it
// was given; every option and sub-option must be one Cloud Hypervisor documents (test/fixtures/vm).
// Cloud Hypervisor needs KVM, so nothing here boots it.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudHypervisorTarget } from '../../src/vm/cloud-hypervisor.js';
import type { GuestNetwork } from '../../src/packager/markers.js';
import type { VmLaunch } from '../../src/vm/spec.js';
import { REPO, tempDir } from '../deps/helpers.js';
import { exists, hostileValues } from '../helpers/hostile.js';

/** --option -> its help text, from the fixture. */
const documented = new Map((await readFile(path.join(REPO, 'test/fixtures/vm/cloud-hypervisor-options.txt'), 'utf8'))
  .split('\n').filter((l) => l.startsWith('--')).map((l) => l.split('\t') as [string, string]));

/** Why `option value` is not what Cloud Hypervisor documents, if it is not. */
function undocumented(option: string, value: string): string[] {
  const help = documented.get(option);
  if (help === undefined) return [`${option} is not documented`];
  const syntax = /"(.*)"/.exec(help)?.[1] ?? help;
  // Options without a key=value syntax take a path or text.
  if (!/\w=/.test(syntax)) return [];
  const keys = new Map([...syntax.matchAll(/(?:^|[,|])(\w+)=(<[^>]*>|[\w|-]+)/g)].map((m) => [m[1]!, m[2]!]));
  const words = syntax.split(/[,|]/).filter((w) => /^\w+$/.test(w));
  return value.split(',').flatMap((part) => {
    const [key, given] = part.split(/=(.*)/s) as [string, string | undefined];
    if (given === undefined) return words.includes(key) ? [] : [`${option} ${part}: not one of ${words.join(', ')}`];
    const form = keys.get(key);
    if (form === undefined) return [`${option} ${part}: ${key} is no sub-option`];
    if (!form.startsWith('<') && !form.split('|').includes(given)) return [`${option} ${part}: expected ${form}`];
    if (key === 'size' && !/^\d+[KMG]?$/.test(given)) return [`${option} ${part}: not a size`];
    return [];
  });
}

let tmp: Awaited<ReturnType<typeof tempDir>>;
let marker: string;
beforeAll(async () => {
  tmp = await tempDir('tinyx-cloud-hypervisor-');
  marker = path.join(tmp.dir, 'MARKER');
  await mkdir(path.join(tmp.dir, 'bin'));
  await writeFile(path.join(tmp.dir, 'bin', 'cloud-hypervisor'), '#!/bin/sh\nprintf "%s\\0" "$@"\n');
  await chmod(path.join(tmp.dir, 'bin', 'cloud-hypervisor'), 0o755);
});
afterAll(async () => tmp?.cleanup());

const launch = (network: GuestNetwork | undefined, initramfs = 'initramfs.cpio.xz'): VmLaunch => ({
  machine: 'pc', memory: '38M', netDevice: 'virtio-net-pci', extraArgs: ['-name', 'qemu only'], network,
  initramfs, accel: 'tcg', reason: 'asked for', targets: ['qemu', 'cloud-hypervisor'],
});

/** Writes the script and a cmdline file into a fresh out dir, runs it: the argv Cloud Hypervisor got. */
async function argv(vm: VmLaunch, name: string, cmdline = 'console=ttyS0 panic=-1'): Promise<string[]> {
  const out = path.join(tmp.dir, name);
  await mkdir(out);
  const file = cloudHypervisorTarget.launchFile(vm, cmdline);
  expect(file).toMatchObject({ name: 'run-cloud-hypervisor.sh', executable: true });
  await writeFile(path.join(out, file.name), file.text);
  await writeFile(path.join(out, 'cmdline'), `${cmdline}\n`);
  const env = { PATH: `${path.join(tmp.dir, 'bin')}:${process.env.PATH ?? ''}` };
  const { stdout, exitCode, stderr } = await execa('sh', [path.join(out, file.name)], { env, stdin: 'ignore', reject: false });
  expect(exitCode, stderr).toBe(0);
  return stdout.split('\0').slice(0, -1);
}

/** `--option value` pairs, in order. */
const pairs = (args: string[]) => args.flatMap((a, i) => (i % 2 === 0 ? [[a, args[i + 1]!] as const] : []));

describe('run-cloud-hypervisor.sh', () => {
  it('gives Cloud Hypervisor only options and sub-options it documents, with a network card and without', async () => {
    for (const network of [{ guestPort: 8080 }, undefined]) {
      const args = await argv(launch(network), `documented-${network?.guestPort ?? 0}`);
      expect(args.length % 2).toBe(0);
      expect(pairs(args).flatMap(([option, value]) => undocumented(option, value))).toEqual([]);
    }
  });

  it('boots the out dir\'s bzImage and initramfs with the cmdline file, on the serial console, with the guest\'s gateway on the TAP device', async () => {
    expect(await argv(launch({ guestPort: 8080 }), 'exact')).toEqual([
      '--kernel', 'bzImage', '--initramfs', 'initramfs.cpio.xz', '--cmdline', 'console=ttyS0 panic=-1',
      '--cpus', 'boot=1', '--memory', 'size=38M', '--serial', 'tty', '--console', 'off',
      '--net', 'tap=tinyx0,ip=10.0.2.2,mask=255.255.255.0,mac=52:54:00:12:34:56',
    ]);
    expect(await argv(launch(undefined), 'no-network')).not.toContain('--net');
  });

  it('hands over the initramfs name and the cmdline file byte for byte and runs none of them', async () => {
    for (const [i, v] of hostileValues(marker).filter(Boolean).entries()) {
      const args = await argv(launch({ guestPort: 80 }, v), `hostile-${i}`, `console=ttyS0 ${v}`);
      expect(args[args.indexOf('--initramfs') + 1]).toBe(v);
      expect(args[args.indexOf('--cmdline') + 1]).toBe(`console=ttyS0 ${v}`.replace(/\n+$/, ''));
    }
    expect(await exists(marker)).toBe(false);
  });

  it('has an option check that finds what Cloud Hypervisor does not document', () => {
    expect(undocumented('--cpus', 'boot=1,bogus=2')).toEqual(['--cpus bogus=2: bogus is no sub-option']);
    expect(undocumented('--serial', 'ttyS0')).toEqual(['--serial ttyS0: not one of off, null, pty, tty']);
    expect(undocumented('--console', 'iommu=maybe')).toEqual(['--console iommu=maybe: expected on|off']);
    expect(undocumented('--memory', 'size=38MiB')).toEqual(['--memory size=38MiB: not a size']);
    expect(undocumented('--smp', '1')).toEqual(['--smp is not documented']);
  });
});
