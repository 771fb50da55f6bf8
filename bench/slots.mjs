// Wall time of one bounded minimize run with one local slot vs one local slot + one remote slot.
// The worker is a real sshd on loopback (this machine, sharing its cache root), so on one machine
// this measures the cost of the second slot competing for the same cores, not a second machine's
// gain. Before each run the kernels of the candidates' removals are dropped from the store, so
// both runs build the same kernels. Run after `npx tsc -p .`, with no other kernel build running:
//   node bench/slots.mjs [--candidates VIRTIO_NET,SIGNALFD] [--first local|remote]
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KernelConfigTool, withValues } from '../dist/kconfig/kernel.js';
import { makeStartConfig } from '../dist/profile/start-config.js';
import { resolveKernelSource } from '../dist/profile/kernel-source.js';
import { loadProfile } from '../dist/profile/load.js';
import { hashConfig } from '../dist/search/evaluator.js';
import { minimize } from '../dist/run/minimize.js';
import { freePort } from '../dist/tester/ports.js';
import { Workspace } from '../dist/tester/workspace.js';
import { cacheRoot } from '../dist/util/paths.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const candidates = opt('--candidates', 'VIRTIO_NET,SIGNALFD').split(',');
const first = opt('--first', 'local');
const repo = path.resolve(import.meta.dirname, '..');
const tmp = await mkdtemp(path.join(tmpdir(), 'tinyx-bench-slots-'));
const secs = (ms) => (ms / 1000).toFixed(0);

/** Every non-empty subset of the candidates: each removal the search may build. */
const subsets = (names) => names.reduce((all, name) => [...all, ...all.map((s) => [...s, name]), [name]], []);

/** A loopback sshd for root with its own host and client keys; sessions see TINYX_CACHE. */
async function startSshd(dir) {
  const port = await freePort();
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host')]);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'client')]);
  await writeFile(path.join(dir, 'authorized_keys'), await readFile(path.join(dir, 'client.pub')));
  const [type, key] = (await readFile(path.join(dir, 'host.pub'), 'utf8')).trim().split(/\s+/);
  await writeFile(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${type} ${key}\n`);
  await writeFile(path.join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host`, `PidFile ${dir}/sshd.pid`, 'UsePAM no', 'StrictModes no',
    'PermitRootLogin prohibit-password', `AuthorizedKeysFile ${dir}/authorized_keys`, 'PasswordAuthentication no',
    'Subsystem sftp internal-sftp', 'MaxSessions 30', 'LogLevel ERROR', `SetEnv SHLVL=1 "TINYX_CACHE=${cacheRoot()}"`, '',
  ].join('\n'));
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const child = execa('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { reject: false, stdin: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, worker: { url: `ssh://root@127.0.0.1:${port}`, identity: path.join(dir, 'client'), knownHosts: [path.join(dir, 'known_hosts')], slots: 1 } };
}

const profile = await loadProfile();
const source = await resolveKernelSource();
const workspace = new Workspace(source.key);
const tool = new KernelConfigTool(source.dir, path.join(tmp, 'kconfig'));
// xz: what auto picks for hello-http (its initramfs: xz 1.27 MiB, zstd 1.35, gzip 1.96, lz4 2.18 with BusyBox's init), pinned so the removals' hashes match.
const start = (await makeStartConfig(tool, profile, 'xz')).config;
const removals = await Promise.all(subsets(candidates).map(async (names) => hashConfig(await tool.olddefconfig(withValues(start, names, 'n')))));
const sshd = await startSshd(await mkdtemp(path.join(tmp, 'sshd-')));

async function run(mode) {
  for (const hash of new Set(removals)) await rm(workspace.artifactDir(hash), { recursive: true, force: true });
  const began = Date.now();
  const result = await minimize({
    app: path.join(repo, 'examples/hello-http/build/server'), appArgs: [], tests: path.join(repo, 'examples/hello-http/probe.sh'),
    port: 80, profile, out: path.join(tmp, mode), candidates, keepCmdline: true, finalRuns: 1, jobs: 1, compression: 'xz', compareCompression: [],
    workers: mode === 'remote' ? [sshd.worker] : undefined,
  });
  const wallMs = Date.now() - began;
  const onWorker = result.workerEvents.filter((e) => e.type === 'dispatch' && e.executor !== 'local').length;
  const search = result.stages.find((s) => s.stage === 'kernel-search')?.seconds ?? 0;
  console.log(`${mode === 'remote' ? 'local + remote' : 'local only    '}: ${secs(wallMs)} s wall (kernel search ${search.toFixed(0)} s), `
    + `${result.evaluations} evaluations, ${result.builds} builds, ${onWorker} jobs on the worker; kept ${result.kernel.kept.join(',') || '-'}`);
  return wallMs;
}

try {
  console.log(`candidates ${candidates.join(',')}; ${removals.length} removals dropped from the store before each run`);
  const order = first === 'remote' ? ['remote', 'local'] : ['local', 'remote'];
  const wall = {};
  for (const mode of order) wall[mode] = await run(mode);
  console.log(`ratio (local only / local + remote): ${(wall.local / wall.remote).toFixed(2)}`);
} finally {
  sshd.child.kill('SIGKILL');
  await sshd.child;
  await rm(tmp, { recursive: true, force: true });
}
