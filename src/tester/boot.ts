// Boots one kernel + initramfs, waits for the app, runs the tests, stops the guest: a verdict.
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { isTinyxError, type TinyxError } from '../errors.js';
import { freePort, waitForPort } from './ports.js';
import { runTests } from './probe.js';
import type { AccelChoice } from '../profile/types.js';
import { recordAccel, resolveAccel, type Accel } from '../vm/accel.js';
import { findQemu } from '../vm/qemu.js';
import { vmSpec } from '../vm/spec.js';
import { startGuest, type Guest } from './guest.js';
import { settleVolume } from '../packager/volume.js';
import { guestFailure } from './guest-end.js';
import { watchBoot } from './watch-boot.js';
import type { BootOutcome, BootRequest, GuestHost } from './boot-types.js';

export { KVM_SILENCE_MS } from './watch-boot.js';
export type { BootOutcome, BootRequest, GuestHost } from './boot-types.js';

export const localHost = (request: BootRequest, consoleLog: string): GuestHost => ({
  pickPort: freePort,
  startGuest: (spec) => startGuest(spec, request.signal),
  waitForPort: (hostPort, timeoutMs, signal) => waitForPort('127.0.0.1', hostPort, timeoutMs, signal),
  runTests: (hostPort, testLog) => runTests({
    tests: request.tests, host: '127.0.0.1', port: hostPort, consoleLog, logFile: testLog, timeoutMs: request.testTimeoutMs, signal: request.signal,
  }),
});

export async function bootAndTest(request: BootRequest): Promise<BootOutcome> {
  const host = localHost(request, path.join(request.logDir, 'console.log'));
  if (request.accel) return bootAndTestOn(host, request);
  const probe = { choice: request.qemu.accel, qemu: await findQemu(), machine: request.qemu.machine };
  const decision = await resolveAccel(probe);
  return withTcgFallback(decision.choice, decision.accel, (accel) => bootAndTestOn(host, { ...request, accel }), async (error) => {
    await recordAccel(probe, 'tcg', error.message);
    request.warn?.(`${error.message}; using TCG from now on (remembered for this host)`);
  });
}

/**
 * `boot` under `accel`; when `auto` trusted KVM after its probe (a firmware-only guest) and a real
 * guest printed nothing, as on a VM whose /dev/kvm opens but runs nothing, `onTcg` is told and the
 * boot runs again under TCG. The local host and each worker use it.
 */
export async function withTcgFallback<T>(choice: AccelChoice, accel: Accel, boot: (accel: Accel) => Promise<T>, onTcg: (error: TinyxError) => void | Promise<void>): Promise<T> {
  try {
    return await boot(accel);
  } catch (error) {
    if (!isTinyxError(error, 'TINYX_ACCEL_SILENT') || choice !== 'auto') throw error;
    await onTcg(error);
    return boot('tcg');
  }
}

/** Boot, wait for the app's marker, wait for its port, run the tests, stop the guest. */
export async function bootAndTestOn(host: GuestHost, request: BootRequest): Promise<BootOutcome> {
  const logs = { consoleLog: path.join(request.logDir, 'console.log'), testLog: path.join(request.logDir, 'test.log') };
  for (let attempt = 1; ; attempt++) {
    const hostPort = request.network ? await host.pickPort() : 0;
    const started = Date.now();
    const accel = request.accel ?? 'tcg';
    const volumes = await freshVolumes(request);
    const vm = vmSpec(request.qemu, { kernel: request.bzImage, initramfs: request.initramfs, cmdline: request.cmdline, network: request.network, hostPort, rootDisk: request.rootDisk, volumes });
    let guest: Guest;
    try {
      guest = await host.startGuest({ vm, consoleLog: logs.consoleLog, accel });
    } catch (error) {
      await dropVolumes(volumes);
      throw error;
    }
    try {
      const outcome = await watchBoot(host, guest, request, { ...logs, hostPort, started, accel, lastAttempt: attempt >= 4 });
      if (outcome === 'port-taken') continue;
      // A boot that QEMU did not survive, or whose console could not be written, is no verdict.
      const failed = await guestFailure(guest, outcome.status === 'pass', request.signal);
      if (failed) throw failed;
      return outcome;
    } finally {
      await guest.stop();
      await (request.keepVolumes ? keepVolumes(volumes, request.keepVolumes) : dropVolumes(volumes));
    }
  }
}

/** Fresh copies of the seeded volume images for one boot, sparse as the seeds are. */
async function freshVolumes(request: BootRequest): Promise<string[]> {
  if (!request.volumes?.length) return [];
  const dir = path.join(request.logDir, 'volumes');
  await mkdir(dir, { recursive: true });
  const copies = request.volumes.map((seed) => path.join(dir, path.basename(seed)));
  for (const [i, seed] of request.volumes.entries()) await execa('cp', ['--sparse=always', '-f', seed, copies[i]!], { cancelSignal: request.signal });
  return copies;
}

async function dropVolumes(copies: readonly string[]): Promise<void> {
  await Promise.all(copies.map((file) => rm(file, { force: true })));
}

/** The boot's volume copies, their journals replayed (settleVolume), moved into `dir` (each replacing the one of an earlier boot). */
async function keepVolumes(copies: readonly string[], dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const file of copies) {
    await settleVolume(file);
    await rename(file, path.join(dir, path.basename(file)));
  }
}
