// The sanity stage's error when the start VM fails: what its console shows, and the advice for that.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { TinyxError } from '../../errors.js';
import { KIND_PHRASES, startAdvice, type StartFacts } from '../../tester/start-advice.js';
import { classifyStartFailure } from '../../tester/start-failure.js';
import type { Verdict } from '../../tester/verdict.js';

/**
 * TINYX_START_FAILS for a verdict that is not a pass: the whole console log is read (its tail may
 * have lost the kernel's early lines), the failure classified, and its kind put in `details.kind`.
 * The host (or the image's root, with `hostHas`) is asked whether it has a missing file
 * (`--include` can add it then, and a --trace run would).
 */
export async function startFailsError(v: Verdict, facts: Omit<StartFacts, 'hostHas'> & { hostHas?: StartFacts['hostHas'] }, work: string): Promise<TinyxError> {
  const hostHas = facts.hostHas ?? existsSync;
  const booted = v.status !== 'build-error';
  const console = booted && v.consoleLog ? await readFile(v.consoleLog, 'latin1').catch(() => v.consoleTail) : '';
  const failure = booted ? classifyStartFailure(console || v.consoleTail, facts.initKind, facts.initramfs.disk === true) : { kind: 'unknown' as const };
  const shows = booted ? `The console shows ${KIND_PHRASES[failure.kind]}${failure.evidence ? `: ${failure.evidence}` : ''}.\n` : '';
  return new TinyxError('TINYX_START_FAILS', `The tests fail on the unreduced VM (${v.status}: ${v.reason}); nothing was reduced.\n${shows}${v.consoleTail}`, {
    advice: `${startAdvice(failure, { ...facts, hostHas })} Logs: ${v.consoleLog ?? v.buildLog ?? work}`,
    // A missing file the host (or the image) has: what a --trace run adds (see traceRetry).
    details: { kind: failure.kind, ...(failure.kind === 'missing-file' && failure.path ? { path: failure.path, available: hostHas(failure.path) ? 'yes' : 'no' } : {}) },
  });
}
