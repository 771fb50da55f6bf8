// Test fixture: a real OpenSSH server on a free loopback port, its own host key, config and client key.
import { execa, type ResultPromise } from 'execa';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../src/tester/ports.js';
import { tempDir } from '../deps/helpers.js';

export interface Sshd {
  dir: string;
  port: number;
  url: string;
  identity: string;
  knownHosts: string;
  hostPublicKey: string;
  child: ResultPromise;
  /** SIGKILL the server and every process it started (sessions included). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Environment for every session (sshd's SetEnv), e.g. TINYX_CACHE for a worker sharing this machine's cache. */
  env?: Record<string, string>;
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const tmp = await tempDir('tinyx-sshd-');
  const dir = tmp.dir;
  const port = await freePort();
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_ed25519')]);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'client'), '-C', 'tinyx-test']);
  await writeFile(path.join(dir, 'authorized_keys'), await readFile(path.join(dir, 'client.pub')));
  const hostPublicKey = (await readFile(path.join(dir, 'host_ed25519.pub'), 'utf8')).trim();
  const [type, key] = hostPublicKey.split(/\s+/);
  await writeFile(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${type} ${key}\n`);
  await writeFile(path.join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host_ed25519`, `PidFile ${dir}/sshd.pid`,
    'UsePAM no', 'StrictModes no', 'PermitRootLogin prohibit-password', `AuthorizedKeysFile ${dir}/authorized_keys`,
    'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'Subsystem sftp internal-sftp',
    'MaxSessions 30', 'LogLevel ERROR',
    // Debian's bash sources ~/.bashrc for ssh commands unless SHLVL says it is nested; root's here is
    // slow (pyenv init: ~60 s under load), and a worker does not need it.
    `SetEnv SHLVL=1${Object.entries(options.env ?? {}).map(([k, v]) => ` ${JSON.stringify(`${k}=${v}`)}`).join('')}`, '',
  ].join('\n'));
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const child = execa('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { reject: false, detached: true, stdin: 'ignore' });
  // A test run that is killed must not leave its sshd listening.
  const onExit = () => child.pid !== undefined && tryKill(child.pid);
  process.once('exit', onExit);
  await waitForListen(port, 10_000);
  const kill = async () => {
    const pids = child.pid === undefined ? [] : await descendants(child.pid);
    for (const pid of [...pids].reverse()) tryKill(pid);
    if (child.pid !== undefined) tryKill(child.pid);
    await child;
  };
  return {
    dir, port, url: `ssh://root@127.0.0.1:${port}`, identity: path.join(dir, 'client'), knownHosts: path.join(dir, 'known_hosts'),
    hostPublicKey, child, kill,
    stop: async () => {
      process.removeListener('exit', onExit);
      await kill();
      await tmp.cleanup();
    },
  };
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Every live process below `root`, parents first (from /proc/<pid>/stat). */
export async function descendants(root: number): Promise<number[]> {
  const parent = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parent.set(Number(entry), ppid);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, ppid] of parent) if (ppid === pid) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

async function waitForListen(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not listen on ${port}`);
}
