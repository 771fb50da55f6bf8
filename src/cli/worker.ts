// tinyx worker check: connects to worker hosts and tells what they have and lack for taking jobs.
import { parseArgs } from 'node:util';
import { isTinyxError, TinyxError } from '../errors.js';
import { checkWorker, formatCheckTable, usable } from '../remote/check.js';
import { connectWorker } from '../remote/connect.js';
import { loadWorkersFile, type WorkerSpec } from '../remote/workers-file.js';

const HELP = `Usage: tinyx worker check ssh://user@host[:port]... [options]
       tinyx worker check --workers workers.yaml

Connects to each worker over SSH and checks what building and booting candidates there needs:
the kernel source (or the linux-source tarball), qemu-system-x86_64, make, gcc, ccache, flex,
bison, bc, tar, xz, flock, timeout, and free disk space. Exit 0 only when every worker is usable.

Options:
  --identity KEY        private key file (default: the SSH agent, ~/.ssh/id_ed25519, ~/.ssh/id_rsa)
  --known-hosts FILE    known_hosts file to verify host keys against (default ~/.ssh/known_hosts)
  --fingerprint SHA256:...  pinned host key fingerprint instead of known_hosts
  --kernel-src DIR      kernel tree on the worker (default: /usr/src/linux-source-*.tar.xz)
  --workers FILE        check every worker listed in a workers.yaml
  --timeout SECONDS     connect timeout (default 10)
`;

export async function workerCommand(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      identity: { type: 'string' }, 'known-hosts': { type: 'string', multiple: true }, fingerprint: { type: 'string' },
      'kernel-src': { type: 'string' }, workers: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [sub, ...urls] = positionals;
  if (values.help || !sub) {
    io.stdout(HELP);
    return values.help ? 0 : 2;
  }
  if (sub !== 'check') throw new TinyxError('TINYX_USAGE', `Unknown worker subcommand "${sub}" (expected check).`, { advice: 'Run tinyx worker --help.' });
  const timeout = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!(timeout > 0)) throw new TinyxError('TINYX_USAGE', `--timeout must be a positive number of seconds, got ${values.timeout}.`);
  const workers: WorkerSpec[] = [
    ...(values.workers ? await loadWorkersFile(values.workers) : []),
    ...urls.map((url) => ({
      url, slots: 1, identity: values.identity, kernelSrc: values['kernel-src'], knownHosts: values['known-hosts'], fingerprint: values.fingerprint,
    })),
  ];
  if (workers.length === 0) throw new TinyxError('TINYX_USAGE', 'No worker to check.', { advice: 'Pass ssh://user@host[:port] or --workers FILE.' });
  let allUsable = true;
  for (const worker of workers) allUsable = (await checkOne(worker, timeout * 1000, io)) && allUsable;
  return allUsable ? 0 : 1;
}

async function checkOne(worker: WorkerSpec, connectTimeoutMs: number, io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<boolean> {
  let session;
  try {
    session = await connectWorker({ ...worker, connectTimeoutMs });
  } catch (error) {
    if (!isTinyxError(error) || !error.code.startsWith('TINYX_WORKER_')) throw error;
    io.stdout(`worker ${worker.url}\n  MISSING  connection  ${error.message}\n${worker.url}: not usable\n\n`);
    io.stderr(`tinyx: ${error.message}\n${error.advice ? `  ${error.advice}\n` : ''}  (${error.code})\n`);
    return false;
  }
  try {
    const items = await checkWorker(session, { kernelSrc: worker.kernelSrc });
    io.stdout(formatCheckTable(session.name, items));
    return usable(items);
  } finally {
    session.close();
  }
}
