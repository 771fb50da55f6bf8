// The run's result as an output record (plain data): the report, the defconfig, the kernels' sizes.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../deps/manifest.js';
import { attributePackages } from '../deps/packages.js';
import { CLOSURE_RULES, hostPackageClosure, type PackageClosure } from '../deps/pkgclosure.js';
import { enabledSymbols, formatDotConfig } from '../kconfig/dotconfig.js';
import type { KernelConfigTool } from '../kconfig/kernel.js';
import type { OutputRecord } from '../output/record.js';
import { harnessNeeds } from '../profile/harness.js';
import { initramfsFileName } from '../packager/compress.js';
import { volumeFileName } from '../packager/root-kind.js';
import { volumeReadBackHint } from '../packager/volume.js';
import { DISK_ROOT_FILE } from '../search/compression.js';
import type { Report } from '../output/report.js';
import { packageRoot } from '../util/paths.js';
import type { MinimizeResult } from './result.js';
import type { RunJson } from '../plan/record.js';

/** A finished run's result, before its output record is added. */
export type FoundResult = Omit<MinimizeResult, 'output'>;

/**
 * Everything the out dir gets, computed while the run context is open: `savedefconfig` runs in
 * the kconfig scratch dir that closing the context removes.
 */
export async function outputRecordOf(result: FoundResult, tool: KernelConfigTool, run: RunJson): Promise<OutputRecord> {
  const defconfig = await tool.savedefconfig(result.final.config);
  const sizes = {
    startBzImage: result.start.bzImage ? (await stat(result.start.bzImage)).size : undefined,
    finalBzImage: (await stat(result.final.bzImage)).size,
    finalVmlinux: result.final.vmlinux ? (await stat(result.final.vmlinux)).size : undefined,
  };
  const pkg = JSON.parse(await readFile(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const { profile } = result.plan.kernel;
  const { qemu } = profile;
  const volumes = result.volumes ?? [];
  return {
    bzImage: result.final.bzImage,
    ...(result.final.vmlinux ? { vmlinux: result.final.vmlinux } : {}),
    initramfs: result.initramfs.file,
    config: formatDotConfig(result.final.config),
    defconfig,
    cmdline: result.final.cmdline,
    launch: {
      machine: qemu.machine, memory: result.memory ? `${result.memory.runMiB}M` : result.guestMemory, netDevice: qemu.netDevice, extraArgs: qemu.extraArgs, network: result.plan.boot.network,
      initramfs: result.initramfs.disk ? DISK_ROOT_FILE : initramfsFileName(result.initramfs.compression), accel: result.accel.accel, reason: result.accel.reason, targets: profile.vm.targets,
      ...(result.final.vmlinux ? { kernel: 'vmlinux' as const } : {}), ...(result.initramfs.disk ? { rootDisk: true } : {}), ...(volumes.length ? { volumes: volumes.map((v) => volumeFileName(v.file)) } : {}),
    },
    volumes: volumes.map((v) => ({ seed: v.seed, tested: v.tested, testedName: volumeFileName(v.file, 'tested') })),
    report: makeReport(result, sizes, pkg.version, result.image ? imageRootfsFacts(result.manifest) : await rootfsFacts(result.manifest)),
    run,
  };
}

/** The Debian packages of the app's files and their installed dependency closure (empty off Debian). */
export async function rootfsFacts(manifest: Manifest): Promise<RootfsFacts> {
  const owners = await attributePackages(manifest);
  const packages = [...new Set([...owners.values()].flatMap((p) => p.package.split(', ')))].sort();
  return { packages, closure: await hostPackageClosure(packages) };
}

/** An image's files carry their packages from the image's own dpkg; the host's dpkg knows nothing of them. */
export function imageRootfsFacts(manifest: Manifest): RootfsFacts {
  return { packages: [...new Set(manifest.entries.flatMap((e) => (e.package ? e.package.split(', ') : [])))].sort() };
}

/** Everything the report says about the root file system that needs the host (dpkg) to know. */
export interface RootfsFacts {
  packages: string[];
  closure?: PackageClosure;
}

export function makeReport(result: FoundResult, sizes: { startBzImage?: number; finalBzImage: number; finalVmlinux?: number }, version: string, facts: RootfsFacts = { packages: [] }): Report {
  const { request, plan, kernel } = result;
  const { profile } = plan.kernel;
  const volumes = result.volumes ?? [];
  const stages: Record<string, number> = {};
  for (const s of result.stages) stages[s.stage] = Math.round((stages[s.stage] ?? 0) + s.seconds * 10) / 10;
  return {
    tinyx: version,
    app: request.app ?? request.image!,
    ...(result.image ? { image: result.image } : {}),
    ...(result.calls ? { calls: result.calls } : {}),
    tests: request.tests,
    profile: profile.name,
    kernelVersion: result.kernelVersion, kernelTree: result.kernelTree, kernelSource: result.kernelSource,
    accel: { accel: result.accel.accel, choice: result.accel.choice, reason: result.accel.reason },
    init: { kind: result.init.kind, choice: result.init.choice, reason: result.init.reason },
    strategy: plan.search.strategy,
    builds: result.builds,
    ...(result.oneAtATimeBuilds !== undefined ? { oneAtATimeBuilds: result.oneAtATimeBuilds } : {}),
    evaluations: result.evaluations,
    wallSeconds: Math.round(result.wallSeconds),
    stages,
    start: { ...(sizes.startBzImage !== undefined ? { bzImageBytes: sizes.startBzImage } : {}), initramfsBytes: result.rootfs?.initramfsBytes?.before ?? result.initramfs.bytes, optionsEnabled: enabledSymbols(result.start.config).length },
    final: { bzImageBytes: sizes.finalBzImage, ...(sizes.finalVmlinux !== undefined ? { vmlinuxBytes: sizes.finalVmlinux } : {}), initramfsBytes: result.initramfs.bytes, optionsEnabled: enabledSymbols(result.final.config).length },
    candidates: kernel.candidates.length,
    removed: kernel.removed,
    kept: kernel.kept,
    keptReasons: Object.fromEntries(kernel.kept.map((n) => [n, kernel.reasons[n] ?? 'no verdict recorded'])),
    harness: harnessNeeds(profile, plan.search.network, result.initramfs.compression, { rootDisk: result.initramfs.disk === true, volumes: volumes.length > 0 }).filter((n) => !kernel.candidates.includes(n) && result.final.config.get(n) === 'y'),
    noops: kernel.noops,
    rounds: kernel.rounds,
    guess: kernel.guess ?? { source: 'none' },
    recheck: kernel.recheck,
    cmdline: result.final.cmdline,
    cmdlineRemoved: result.cmdlineRemoved,
    initramfs: { compression: result.initramfs.compression, bytes: result.initramfs.bytes, uncompressedBytes: result.initramfs.uncompressedBytes, entries: result.initramfs.entries, parts: result.initramfs.parts, ...(result.initramfs.disk ? { disk: true as const } : {}) },
    ...(volumes.length ? {
      volumes: volumes.map((v) => {
        const tested = volumeFileName(v.file, 'tested');
        return { guest: v.guest, host: v.host, device: v.device, file: volumeFileName(v.file), tested, readBack: volumeReadBackHint(tested) };
      }),
    } : {}),
    searchSeries: result.searchSeries,
    flaky: result.flaky,
    workers: result.workerEvents
      .filter((e) => e.type === 'executor-dropped' || e.type === 'requeue')
      .map((e) => JSON.stringify(e)),
    boot: { accel: result.accel.accel, ...(result.boot.start ? { start: result.boot.start } : {}), ...(result.boot.final ? { final: result.boot.final } : {}) },
    ...(result.values ? { values: result.values } : {}),
    ...(result.bootSpeed ? { bootSpeed: result.bootSpeed } : {}),
    ...(result.pvh ? { pvh: result.pvh } : {}),
    ...(result.memory ? { memory: result.memory } : {}),
    compression: result.compression,
    rootfs: {
      uncompressedBytes: result.initramfs.uncompressedBytes,
      compressedBytes: result.initramfs.bytes,
      entries: result.initramfs.entries,
      appFiles: result.manifest.entries.filter((e) => e.kind === 'file').length,
      packages: facts.packages,
      ...(facts.closure ? {
        packageClosure: { packages: facts.closure.packages, installedBytes: facts.closure.installedBytes, unresolved: facts.closure.unresolved, rules: CLOSURE_RULES },
      } : {}),
      traceAdded: result.manifest.entries.filter((e) => e.reason.includes('at run time (strace)')).map((e) => e.guestPath),
      ...(result.manifest.traced ? { traced: result.manifest.traced } : {}),
      excluded: result.manifest.excluded ?? [],
      ...(request.user ? { user: request.user } : {}),
      ...(request.cwd ? { cwd: request.cwd } : {}),
      ...(request.env ? { env: request.env } : {}),
      ...(result.rootfs ? { reduction: result.rootfs } : {}),
    },
  };
}
