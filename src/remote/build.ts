// Builds a candidate's bzImage on a worker (its slot's O= dir, ccache), or finds it in the worker's store.
import { randomBytes } from 'node:crypto';
import path from 'node:path/posix';
import { canonicalDotConfig, formatDotConfig, parseDotConfig, type DotConfig } from '../kconfig/dotconfig.js';
import { MIN_KERNEL_BYTES, buildEnv, type BuildRequest, type BuildResult } from '../tester/build.js';
import { classifyBuildFailure } from '../tester/buildfail.js';
import type { SshConnection } from './connection.js';
import { command, envPrefix, quote, watched } from './shell.js';

/** buildKernel()'s request with every path on the worker (logFile too); make -j is the worker's. */
export interface RemoteBuildRequest extends Omit<BuildRequest, 'jobs' | 'force'> {
  jobs: number;
}

/** Same contract as buildKernel(), with every path on the worker. */
export async function remoteBuild(ssh: SshConnection, request: RemoteBuildRequest): Promise<BuildResult> {
  const started = Date.now();
  const bzImage = path.join(request.artifactDir, 'bzImage');
  // Stored whole, or not a hit (as cachedKernel() says).
  if ((await ssh.exec(`[ "$(stat -c %s ${quote(bzImage)} 2>/dev/null || echo 0)" -ge ${MIN_KERNEL_BYTES} ]`)).code === 0) {
    return { ok: true, built: false, bzImage, durationMs: 0, reason: 'cached', logTail: '' };
  }
  await ssh.run(`mkdir -p ${quote(request.slotDir)} ${quote(path.dirname(request.logFile))}`);
  await ssh.writeFile(path.join(request.slotDir, '.config'), formatDotConfig(request.config));
  const seconds = Math.ceil((request.timeoutMs ?? 90 * 60_000) / 1000);
  const make = command(['timeout', '-k', '5', String(seconds), 'make', '-C', request.srcDir, `O=${request.slotDir}`, 'CC=ccache gcc', `-j${request.jobs}`, 'olddefconfig', 'bzImage']);
  const env = envPrefix({ ...buildEnv(request), ...request.env });
  const result = await ssh.exec(watched(`${env}${make} >${quote(request.logFile)} 2>&1`), { holdStdin: true, signal: request.signal });
  const logTail = (await ssh.exec(`tail -n 30 ${quote(request.logFile)}`)).stdout.replace(/\n$/, '');
  const durationMs = Date.now() - started;
  if (request.signal?.aborted) return { ok: false, built: true, durationMs, reason: 'canceled', logTail };
  if (result.code === 124) return { ok: false, built: true, durationMs, reason: 'build timed out', infrastructure: true, logTail };
  if (result.code !== 0) {
    const log = (await ssh.exec(`tail -n 2000 ${quote(request.logFile)}`)).stdout;
    const failure = classifyBuildFailure(log, result.code ?? undefined, result.code === null ? result.signal ?? 'a signal' : undefined);
    return { ok: false, built: true, durationMs, reason: failure.reason, infrastructure: failure.kind === 'infrastructure', logTail };
  }

  const used = parseDotConfig((await ssh.readFile(path.join(request.slotDir, '.config'))).toString());
  if (canonicalDotConfig(used) !== canonicalDotConfig(request.config)) {
    return { ok: false, built: true, durationMs, reason: 'the kernel changed the config while building (not normalized)', logTail };
  }
  // Store it the way buildKernel() does: each file copied to a unique temp name, synced and renamed
  // into place, the config first, the bzImage last.
  const dir = quote(request.artifactDir);
  const tmp = `${randomBytes(4).toString('hex')}.tmp`;
  const store = (from: string, name: string) => `cp ${quote(from)} ${dir}/${name}.${tmp} && sync ${dir}/${name}.${tmp} && mv ${dir}/${name}.${tmp} ${dir}/${name}`;
  await ssh.run([`mkdir -p ${dir}`, store(path.join(request.slotDir, '.config'), 'config'), store(path.join(request.slotDir, 'arch/x86/boot/bzImage'), 'bzImage')].join(' && '));
  return { ok: true, built: true, bzImage, durationMs, reason: 'built', logTail };
}
