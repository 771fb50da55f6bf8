// Builds a candidate's bzImage on a worker (its slot's O= dir, ccache), or finds it in the worker's store.
import path from 'node:path/posix';
import { canonicalDotConfig, formatDotConfig, parseDotConfig, type DotConfig } from '../kconfig/dotconfig.js';
import { buildEnv, type BuildRequest, type BuildResult } from '../tester/build.js';
import type { Session } from './session.js';
import { command, envPrefix, quote, watched } from './shell.js';

/** buildKernel()'s request with every path on the worker (logFile too); make -j is the worker's. */
export interface RemoteBuildRequest extends Omit<BuildRequest, 'jobs' | 'force'> {
  jobs: number;
}

/** Same contract as buildKernel(), with every path on the worker. */
export async function remoteBuild(session: Session, request: RemoteBuildRequest): Promise<BuildResult> {
  const started = Date.now();
  const bzImage = path.join(request.artifactDir, 'bzImage');
  if ((await session.exec(`test -f ${quote(bzImage)}`)).code === 0) {
    return { ok: true, built: false, bzImage, durationMs: 0, reason: 'cached', logTail: '' };
  }
  await session.run(`mkdir -p ${quote(request.slotDir)} ${quote(path.dirname(request.logFile))}`);
  await session.writeFile(path.join(request.slotDir, '.config'), formatDotConfig(request.config));
  const seconds = Math.ceil((request.timeoutMs ?? 90 * 60_000) / 1000);
  const make = command(['timeout', '-k', '5', String(seconds), 'make', '-C', request.srcDir, `O=${request.slotDir}`, 'CC=ccache gcc', `-j${request.jobs}`, 'olddefconfig', 'bzImage']);
  const env = envPrefix({ ...buildEnv(request), ...request.env });
  const result = await session.exec(watched(`${env}${make} >${quote(request.logFile)} 2>&1`), { holdStdin: true, signal: request.signal });
  const logTail = (await session.exec(`tail -n 30 ${quote(request.logFile)}`)).stdout.replace(/\n$/, '');
  const durationMs = Date.now() - started;
  if (request.signal?.aborted) return { ok: false, built: true, durationMs, reason: 'canceled', logTail };
  if (result.code === 124) return { ok: false, built: true, durationMs, reason: 'build timed out', logTail };
  if (result.code !== 0) return { ok: false, built: true, durationMs, reason: `make exited with ${result.code ?? result.signal}`, logTail };

  const used = parseDotConfig((await session.readFile(path.join(request.slotDir, '.config'))).toString());
  if (canonicalDotConfig(used) !== canonicalDotConfig(request.config)) {
    return { ok: false, built: true, durationMs, reason: 'the kernel changed the config while building (not normalized)', logTail };
  }
  // Store it the way buildKernel() does: config first, bzImage renamed into place last.
  const dir = quote(request.artifactDir);
  await session.run(`mkdir -p ${dir} && cp ${quote(path.join(request.slotDir, 'arch/x86/boot/bzImage'))} ${dir}/bzImage.tmp.$$ && cp ${quote(path.join(request.slotDir, '.config'))} ${dir}/config && mv ${dir}/bzImage.tmp.$$ ${dir}/bzImage`);
  return { ok: true, built: true, bzImage, durationMs, reason: 'built', logTail };
}
