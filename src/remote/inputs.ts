// Checks a run's workers and distcc hosts before any work: each address, the key and known_hosts files it names, the host list.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { TinyxError } from '../errors.js';
import { parseDistccHosts } from './distcc.js';
import { parseWorkerUrl } from './url.js';
import type { WorkerSpec } from './workers-file.js';

/** Throws TINYX_USAGE for the first worker address, identity or known_hosts file, or distcc host list that cannot be used. */
export async function checkWorkers(workers: readonly WorkerSpec[], distcc?: string): Promise<void> {
  for (const worker of workers) {
    parseWorkerUrl(worker.url);
    if (worker.identity) {
      await readableFile(worker.identity, `The identity file ${worker.identity} (for ${worker.url})`, 'Pass --identity (or identity: in workers.yaml) a readable private key file.');
    }
    for (const file of worker.knownHosts ?? []) {
      await readableFile(file, `The known_hosts file ${file} (for ${worker.url})`, 'Pass --known-hosts (or knownHosts: in workers.yaml) a readable known_hosts file, e.g. from ssh-keyscan.');
    }
  }
  if (distcc !== undefined) parseDistccHosts(distcc);
}

async function readableFile(file: string, what: string, advice: string): Promise<void> {
  const problem = await stat(file).then(
    (info) => (info.isFile() ? access(file, constants.R_OK).then(() => undefined, (error: NodeJS.ErrnoException) => `cannot be read (${error.code})`) : 'is not a file'),
    (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 'does not exist' : `cannot be read (${error.code})`),
  );
  if (problem) throw new TinyxError('TINYX_USAGE', `${what} ${problem}.`, { advice });
}
