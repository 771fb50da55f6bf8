// Builds a candidate's bzImage on a worker (its slot's O= dir, ccache), or finds it in the worker's store.
import { randomBytes } from 'node:crypto';
import path from 'node:path/posix';
import { canonicalDotConfig, formatDotConfig, parseDotConfig, type DotConfig } from '../kconfig/dotconfig.js';
import { BUILDING_MARKER, MIN_KERNEL_BYTES, buildEnv, type BuildRequest, type BuildResult } from '../tester/build.js';
import { classifyBuildFailure } from '../tester/buildfail.js';
import { command, envPrefix, quote } from '../util/shell.js';
import type { SshConnection } from './connection.js';
import { watched } from './shell.js';

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
  const marker = path.join(request.slotDir, BUILDING_MARKER);
  const dropped = Number((await ssh.run(settleScript(request.slotDir))).trim()) || 0;
  if (dropped > 0) await ssh.writeFile(request.logFile, `tinyx: the last build in this slot was killed; removed the ${dropped} files it wrote\n`);
  await ssh.writeFile(path.join(request.slotDir, '.config'), formatDotConfig(request.config));
  const seconds = Math.ceil((request.timeoutMs ?? 90 * 60_000) / 1000);
  const make = command(['timeout', '-k', '5', String(seconds), 'make', '-C', request.srcDir, `O=${request.slotDir}`, 'CC=ccache gcc', `-j${request.jobs}`, 'olddefconfig', 'bzImage']);
  const env = command(['env', ...Object.entries({ ...buildEnv(request), ...request.env }).map(([k, v]) => `${k}=${v}`)]);
  // make runs as this shell's process group (exec keeps its pid), which the marker names, dated a
  // second back so that everything the build writes is newer.
  const identity = `printf '%s %s %s\\n' $$ "$(cut -d' ' -f22 /proc/$$/stat)" "$(cat /proc/sys/kernel/random/boot_id)" >${quote(marker)}`;
  const script = `${identity} && touch -d '1 second ago' ${quote(marker)} && exec ${env} ${make} >>${quote(request.logFile)} 2>&1`;
  const result = await ssh.exec(watched(script), { holdStdin: true, signal: request.signal });
  const logTail = (await ssh.exec(`tail -n 30 ${quote(request.logFile)}`)).stdout.replace(/\n$/, '');
  const durationMs = Date.now() - started;
  if (request.signal?.aborted) return { ok: false, built: true, durationMs, reason: 'canceled', logTail };
  if (result.code === 124) return { ok: false, built: true, durationMs, reason: 'build timed out', infrastructure: true, logTail };
  const failure = result.code === 0 ? undefined : classifyBuildFailure(
    (await ssh.exec(`tail -n 2000 ${quote(request.logFile)}`)).stdout, result.code ?? undefined, result.code === null ? result.signal ?? 'a signal' : undefined,
  );
  // As in buildKernel(): only a make that ended on its own, for its config or with success, unmarks the slot.
  if (failure?.kind !== 'infrastructure') await ssh.run(`rm -f ${quote(marker)}`);
  if (failure) return { ok: false, built: true, durationMs, reason: failure.reason, infrastructure: failure.kind === 'infrastructure', logTail };

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

/**
 * Settles a slot whose last build was cut short (the marker is still there), as buildKernel() does:
 * stops that build's process group if it still runs, removes every file written since the marker.
 * Prints how many it removed.
 */
function settleScript(slotDir: string): string {
  return [
    `cd ${quote(slotDir)} || exit 1`,
    `m=${BUILDING_MARKER}`,
    '[ -e "$m" ] || { echo 0; exit 0; }',
    'read -r pid start boot <"$m"',
    'if [ -n "$pid" ] && [ "$boot" = "$(cat /proc/sys/kernel/random/boot_id)" ] && [ "$(cut -d\' \' -f22 /proc/$pid/stat 2>/dev/null)" = "$start" ]; then',
    '  kill -KILL -- "-$pid" 2>/dev/null',
    '  n=0; while kill -0 -- "-$pid" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done',
    'fi',
    'find . \\( -type f -o -type l \\) -newer "$m" ! -path "./$m" -print -exec rm -f {} + | wc -l',
  ].join('\n');
}
