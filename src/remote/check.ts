// What a worker host has and lacks for taking jobs: kernel source, build tools, QEMU, disk space.
import path from 'node:path/posix';
import type { SshConnection } from './connection.js';
import { kvmProbeArgv } from '../tester/accel.js';
import { command, quote } from '../util/shell.js';
import { findTarballCommand, remoteCacheRoot } from './source.js';

export interface CheckItem {
  name: string;
  ok: boolean;
  /** Informational items (e.g. KVM) never make a worker unusable. */
  required: boolean;
  detail: string;
}

export const REQUIRED_TOOLS = ['qemu-system-x86_64', 'make', 'gcc', 'ccache', 'flex', 'bison', 'bc', 'tar', 'xz', 'flock', 'timeout'];

/** What a worker has; without a kernelSrc, the tarball of `package` (the package runs name: the default profile's kernel.source). */
export async function checkWorker(ssh: SshConnection, options: { kernelSrc?: string; package?: string; minFreeGiB?: number } = {}): Promise<CheckItem[]> {
  const cacheRoot = await remoteCacheRoot(ssh);
  const minFree = options.minFreeGiB ?? 4;
  const lines = [
    ...REQUIRED_TOOLS.map((tool) => `p=$(command -v ${tool}) && echo "tool ${tool} ok $p" || echo "tool ${tool} missing"`),
    options.kernelSrc
      ? `if [ -f ${quote(path.join(options.kernelSrc, 'Makefile'))} ] && [ -d ${quote(path.join(options.kernelSrc, 'scripts/kconfig'))} ]; then echo "src tree ok ${options.kernelSrc}"; else echo "src tree missing ${options.kernelSrc}"; fi`
      : `t=$(${findTarballCommand('/usr/src', options.package)}); if [ -n "$t" ]; then echo "src tarball ok /usr/src/$t"; else echo "src tarball missing"; fi`,
    `d=${quote(cacheRoot)}; while [ ! -d "$d" ]; do d=$(dirname "$d"); done; echo "disk $(df -Pk "$d" | awk 'NR==2 {print $4}') $d"`,
    // The same probe as this host's: a KVM that opens but runs no guest counts as absent.
    `a=$(${command(kvmProbeArgv({ qemu: 'qemu-system-x86_64', machine: 'pc' }))}); [ "$a" = kvm ] && echo "kvm ok" || echo "kvm missing $a"`,
    'echo "cpus $(nproc)"',
  ];
  const out = await ssh.run(lines.join('\n'));
  const items: CheckItem[] = [];
  let cpus = '?';
  for (const line of out.split('\n')) {
    const [kind, a, b, ...rest] = line.trim().split(' ');
    if (kind === 'tool' && a) items.push({ name: a, ok: b === 'ok', required: true, detail: b === 'ok' ? rest.join(' ') : 'not on PATH' });
    if (kind === 'src') {
      const where = rest.join(' ');
      items.push({
        name: a === 'tree' ? 'kernel source' : 'kernel source (linux-source tarball)', ok: b === 'ok', required: true,
        detail: b === 'ok' ? where : a === 'tree' ? `${where} is not a kernel tree (no Makefile or scripts/kconfig)` : `no /usr/src/${options.package ?? 'linux-source-*'}.tar.xz (apt-get install ${options.package ?? 'linux-source-6.1'})`,
      });
    }
    if (kind === 'disk') {
      const freeGiB = Number(a) / 1024 / 1024;
      items.push({ name: 'free disk', ok: freeGiB >= minFree, required: true, detail: `${freeGiB.toFixed(1)} GiB free at ${b ?? '?'} (need ${minFree})` });
    }
    if (kind === 'kvm') {
      const why = [b, ...rest].join(' ').replace(/^tcg: /, '');
      items.push({ name: 'kvm', ok: a === 'ok', required: false, detail: a === 'ok' ? 'a probe guest ran under KVM' : `QEMU uses TCG (slower boots): ${why || 'no /dev/kvm'}` });
    }
    if (kind === 'cpus' && a) cpus = a;
  }
  items.push({ name: 'cpus', ok: true, required: false, detail: cpus });
  return items;
}

export function usable(items: CheckItem[]): boolean {
  return items.every((item) => item.ok || !item.required);
}

export function formatCheckTable(worker: string, items: CheckItem[]): string {
  const width = Math.max(...items.map((i) => i.name.length));
  const rows = items.map((i) => `  ${i.ok ? 'ok     ' : i.required ? 'MISSING' : 'absent '}  ${i.name.padEnd(width)}  ${i.detail}`);
  const missing = items.filter((i) => !i.ok && i.required).map((i) => i.name);
  const summary = missing.length === 0 ? `${worker}: usable` : `${worker}: not usable, missing: ${missing.join(', ')}`;
  return [`worker ${worker}`, ...rows, summary, ''].join('\n');
}
