// Effectful shell: boot the start kernel once with QEMU logging the kernel code it runs.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { canonicalDotConfig, enabledSymbols, parseDotConfig, type DotConfig } from '../kconfig/dotconfig.js';
import { bootAndTest, type BootOutcome, type BootRequest } from '../tester/boot.js';
import { readKernelImage } from './image.js';
import { inAsmLogArgs, readTraceLog } from './log.js';
import type { ObjectMap } from './objects.js';
import { coverage, type Coverage } from './rank.js';

/** A boot-and-test request (the run's usual timeouts: the trace doubles them) plus what the trace needs to read the image. */
export interface KernelTraceRequest extends BootRequest {
  /** The O= dir the bzImage was built in, untouched since (System.map, vmlinux.a, the .o files). */
  buildDir: string;
  /** The kernel source tree (its Makefiles say which option builds which object). */
  srcDir: string;
  /** The config the bzImage was built from: checked against the build dir's .config. */
  config?: DotConfig;
  /** Keep QEMU's log (tens of MB) in logDir; default false. */
  keepLog?: boolean;
}

export interface KernelTraceResult extends Coverage {
  objectMap: ObjectMap;
  /** Image objects no Makefile rule accounts for. */
  unresolved: Record<string, string>;
  /** Functions whose object stayed ambiguous (duplicate static names) / that no object defines. */
  ambiguousFunctions: number;
  orphanFunctions: number;
  boot: BootOutcome;
  log: { file: string; bytes: number; lines: number; addresses: number };
  durationMs: number;
}

export async function traceStartKernel(request: KernelTraceRequest): Promise<KernelTraceResult> {
  const started = Date.now();
  const built = parseDotConfig(await readFile(path.join(request.buildDir, '.config'), 'utf8').catch(() => ''));
  if (request.config && canonicalDotConfig(built) !== canonicalDotConfig(request.config)) {
    throw new TinyxError('TINYX_TRACE_FAILED', `${request.buildDir} no longer holds the build of the traced config.`, {
      advice: 'Trace right after the start config was built in this dir, before another candidate is built there.',
    });
  }
  // Read the build dir before booting: the slot may be reused as soon as the trace is over.
  const image = await readKernelImage({ buildDir: request.buildDir, srcDir: request.srcDir, enabled: new Set(enabledSymbols(request.config ?? built)) });

  await mkdir(request.logDir, { recursive: true });
  const logFile = path.join(request.logDir, 'qemu-in_asm.log');
  await rm(logFile, { force: true });
  const boot = await bootAndTest({
    bzImage: request.bzImage, initramfs: request.initramfs, cmdline: request.cmdline, network: request.network, tests: request.tests,
    qemu: { ...request.qemu, extraArgs: [...request.qemu.extraArgs, ...inAsmLogArgs(logFile)] },
    logDir: request.logDir,
    // -d in_asm logs what TCG translates: under KVM the guest's code is never translated.
    accel: 'tcg',
    // Logging slows TCG down about 1.5x: the usual timeouts, doubled.
    bootTimeoutMs: request.bootTimeoutMs * 2,
    readyTimeoutMs: request.readyTimeoutMs * 2,
    testTimeoutMs: request.testTimeoutMs * 2,
    signal: request.signal,
  });
  if (boot.status !== 'pass') {
    throw new TinyxError('TINYX_TRACE_FAILED', `The traced boot of the start kernel did not pass (${boot.status}: ${boot.reason}).`, {
      advice: `The untraced boot passed, so logging may be too slow here; see ${boot.consoleLog}, or search without the trace.`,
    });
  }
  const log = await readTraceLog(logFile);
  if (!request.keepLog) await rm(logFile, { force: true });
  return {
    ...coverage(image.symbols.functions, log.addresses),
    objectMap: image.objectMap,
    unresolved: image.unresolved,
    ambiguousFunctions: image.symbols.ambiguous,
    orphanFunctions: image.symbols.orphans,
    boot,
    log: { file: logFile, bytes: log.bytes, lines: log.lines, addresses: log.addresses.size },
    durationMs: Date.now() - started,
  };
}
