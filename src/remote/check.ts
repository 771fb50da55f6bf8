// What a worker host has and lacks for taking jobs: kernel source, build tools, QEMU, disk space.
import path from 'node:path/posix';
import type { SshConnection } from './connection.js';
import { kvmProbeArgv } from '../vm/accel.js';
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
  // One line per item, its free-form value last (a path with spaces stays whole); printf, not echo, so
  // backslashes stay as they are. The kernel tree's path is not echoed back: this side has it.
  const lines = [
    ...REQUIRED_TOOLS.map((tool) => `p=$(command -v ${quote(tool)}) && printf 'tool %s ok %s\\n' ${quote(tool)} "$p" || printf 'tool %s missing\\n' ${quote(tool)}`),
    options.kernelSrc
      ? `if [ -f ${quote(path.join(options.kernelSrc, 'Makefile'))} ] && [ -d ${quote(path.join(options.kernelSrc, 'scripts/kconfig'))} ]; then echo 'src tree ok'; else echo 'src tree missing'; fi`
      : `t=$(${findTarballCommand('/usr/src', options.package)}); if [ -n "$t" ]; then printf 'src tarball ok /usr/src/%s\\n' "$t"; else echo 'src tarball missing'; fi`,
    `d=${quote(cacheRoot)}; while [ ! -d "$d" ]; do d=$(dirname "$d"); done; printf 'disk %s %s\\n' "$(df -Pk "$d" | awk 'NR==2 {print $4}')" "$d"`,
    // The same probe as this host's: a KVM that opens but runs no guest counts as absent.
    `a=$(${command(kvmProbeArgv({ qemu: 'qemu-system-x86_64', machine: 'pc' }))}); [ "$a" = kvm ] && echo 'kvm ok' || printf 'kvm missing %s\\n' "$a"`,
    'echo "cpus $(nproc)"',
  ];
  const out = await ssh.run(lines.join('\n'));
  const items: CheckItem[] = [];
  let cpus = '?';
  for (const line of out.split('\n')) {
    const [kind] = words(line, 1);
    if (kind === 'tool') {
      const [, name = '', status, where = ''] = words(line, 3);
      items.push({ name, ok: status === 'ok', required: true, detail: status === 'ok' ? where : 'not on PATH' });
    }
    if (kind === 'src') {
      const [, what, status, where = ''] = words(line, 3);
      const tree = what === 'tree';
      items.push({
        name: tree ? 'kernel source' : 'kernel source (linux-source tarball)', ok: status === 'ok', required: true,
        detail: tree ? (status === 'ok' ? String(options.kernelSrc) : `${options.kernelSrc} is not a kernel tree (no Makefile or scripts/kconfig)`)
          : status === 'ok' ? where : `no /usr/src/${options.package ?? 'linux-source-*'}.tar.xz (apt-get install ${options.package ?? 'linux-source-6.1'})`,
      });
    }
    if (kind === 'disk') {
      const [, kib, where] = words(line, 2);
      const freeGiB = Number(kib) / 1024 / 1024;
      items.push({ name: 'free disk', ok: freeGiB >= minFree, required: true, detail: `${freeGiB.toFixed(1)} GiB free at ${where || '?'} (need ${minFree})` });
    }
    if (kind === 'kvm') {
      const [, status, why = ''] = words(line, 2);
      items.push({ name: 'kvm', ok: status === 'ok', required: false, detail: status === 'ok' ? 'a probe guest ran under KVM' : `QEMU uses TCG (slower boots): ${why.replace(/^tcg: /, '') || 'no /dev/kvm'}` });
    }
    if (kind === 'cpus') cpus = words(line, 1)[1] || cpus;
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

/** The first `count` space-separated words of a line, then the rest of it as it is. */
function words(line: string, count: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (out.length < count && rest) {
    const at = rest.indexOf(' ');
    out.push(at < 0 ? rest : rest.slice(0, at));
    rest = at < 0 ? '' : rest.slice(at + 1);
  }
  return [...out, rest];
}
