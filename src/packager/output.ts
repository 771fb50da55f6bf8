// Writes the output directory: kernel, initramfs, configs, cmdline, run script, reports.
import { copyFile, chmod, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatDotConfig } from '../kconfig/dotconfig.js';
import type { MinimizeResult } from '../search/minimize.js';
import { writeFileAtomic } from '../util/fsx.js';
import { packageRoot } from '../util/paths.js';
import type { Manifest } from '../deps/manifest.js';
import { attributePackages } from '../deps/packages.js';
import { hostPackageClosure } from '../deps/pkgclosure.js';
import { makeReport, renderMarkdown, type Report, type RootfsFacts } from './report.js';

export const OUTPUT_FILES = ['bzImage', 'initramfs.cpio.gz', 'config', 'defconfig', 'cmdline', 'run.sh', 'report.json', 'report.md'] as const;

export async function writeOutput(result: MinimizeResult, out: string): Promise<Report> {
  await mkdir(out, { recursive: true });
  await copyFile(result.final.bzImage, path.join(out, 'bzImage'));
  await copyFile(result.initramfs.file, path.join(out, 'initramfs.cpio.gz'));
  await writeFileAtomic(path.join(out, 'config'), formatDotConfig(result.final.config));
  await writeFileAtomic(path.join(out, 'defconfig'), await result.tool.savedefconfig(result.final.config));
  await writeFileAtomic(path.join(out, 'cmdline'), `${result.final.cmdline}\n`);
  await writeFileAtomic(path.join(out, 'run.sh'), runScript(result));
  await chmod(path.join(out, 'run.sh'), 0o755);
  const sizes = {
    startBzImage: (await stat(result.start.bzImage)).size,
    finalBzImage: (await stat(result.final.bzImage)).size,
  };
  const pkg = JSON.parse(await readFile(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const report = makeReport(result, sizes, pkg.version, await rootfsFacts(result.manifest));
  await writeFileAtomic(path.join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  await writeFileAtomic(path.join(out, 'report.md'), renderMarkdown(report));
  return report;
}

/** The Debian packages of the app's files and their installed dependency closure (empty off Debian). */
export async function rootfsFacts(manifest: Manifest): Promise<RootfsFacts> {
  const owners = await attributePackages(manifest);
  const packages = [...new Set([...owners.values()].flatMap((p) => p.package.split(', ')))].sort();
  return { packages, closure: await hostPackageClosure(packages) };
}

/** A script that boots the result: ./run.sh [host-port] forwards 127.0.0.1:host-port to the app. */
export function runScript(result: Pick<MinimizeResult, 'options' | 'accel'>): string {
  const { qemu } = result.options.profile;
  const port = result.options.port;
  const net = port > 0
    ? ` \\\n  -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$HOST_PORT-:${port}" -device virtio-net-pci,netdev=n0`
    : '';
  const extra = qemu.extraArgs.map((a) => ` '${a.replace(/'/g, `'\\''`)}'`).join('');
  return `#!/bin/sh
# Boots the minimized VM made by tinyx. Usage: ./run.sh [host-port]
# ${port > 0 ? `The app's port ${port} in the guest is reachable at 127.0.0.1:<host-port> (default 8080).` : 'No network device (--port 0): the app talks through the console only.'}
# The serial console is this terminal; stop with Ctrl-A X.
set -e
HOST_PORT="\${1:-8080}"
# The accelerator tinyx found working on the host that made this VM (${result.accel.accel}: ${result.accel.reason.replace(/\s+/g, ' ')}).
# TINYX_ACCEL=kvm or TINYX_ACCEL=tcg overrides it (a KVM guest on a host without nested virtualization prints nothing).
case "\${TINYX_ACCEL:-${result.accel.accel}}" in
  kvm) ACCEL="-accel kvm -cpu host" ;;
  *) ACCEL="-accel tcg" ;;
esac
cd "$(dirname "$0")"
exec qemu-system-x86_64 -machine ${qemu.machine} $ACCEL -m ${qemu.memory} -smp 1 -no-reboot \\
  -nodefaults -no-user-config -display none -serial mon:stdio \\
  -kernel bzImage -initrd initramfs.cpio.gz -append "$(cat cmdline)"${net}${extra}
`;
}
