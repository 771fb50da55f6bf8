// tinyx worker check: connects to worker hosts and tells what they have and lack for taking jobs.
import { isTinyxError, TinyxError } from '../errors.js';
import { checkWorker, formatCheckTable, usable } from '../remote/check.js';
import { connectWorker } from '../remote/connect.js';
import { checkWorkers } from '../remote/inputs.js';
import { loadWorkersFile, type WorkerSpec } from '../remote/workers-file.js';
import { WORKER_FLAGS, WORKER_USAGE } from '../flags/commands.js';
import { parseFlags } from '../flags/flag.js';
import { renderHelp } from '../flags/render.js';
import { DEFAULT_PROFILE, loadProfile } from '../profile/load.js';

export async function workerCommand(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const { values, positionals } = parseFlags(WORKER_FLAGS, argv, true);
  const [sub, ...urls] = positionals;
  if (values.help || !sub) {
    io.stdout(renderHelp(WORKER_USAGE, WORKER_FLAGS));
    return values.help ? 0 : 2;
  }
  if (sub !== 'check') throw new TinyxError('TINYX_USAGE', `Unknown worker subcommand "${sub}" (expected check).`, { advice: 'Run tinyx worker --help.' });
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new TinyxError('TINYX_USAGE', `--timeout must be a positive number of seconds, got ${values.timeout}.`);
  const workers: WorkerSpec[] = [
    ...(values.workers ? await loadWorkersFile(values.workers) : []),
    ...urls.map((url) => ({
      url, slots: 1, identity: values.identity, kernelSrc: values['kernel-src'], knownHosts: values['known-hosts'], fingerprint: values.fingerprint,
    })),
  ];
  if (workers.length === 0) throw new TinyxError('TINYX_USAGE', 'No worker to check.', { advice: 'Pass ssh://user@host[:port] or --workers FILE.' });
  await checkWorkers(workers);
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
    const items = await checkWorker(session, { kernelSrc: worker.kernelSrc, package: (await loadProfile(DEFAULT_PROFILE)).kernel.source });
    io.stdout(formatCheckTable(session.name, items));
    return usable(items);
  } finally {
    session.close();
  }
}
