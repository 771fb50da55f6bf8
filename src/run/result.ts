// What a minimize run returns: the start and final kernels, what each stage found, and the out dir's record.
import type { Manifest } from '../deps/manifest.js';
import type { DotConfig } from '../kconfig/dotconfig.js';
import type { OutputRecord } from '../output/record.js';
import type { CallsReport } from '../output/calls-section.js';
import type { ImageReport } from '../output/image-section.js';
import type { Compression } from '../packager/compress.js';
import type { InitDecision } from '../packager/init-kind.js';
import type { PartBytes } from '../packager/parts.js';
import type { PoolEvent } from '../remote/pool.js';
import type { AccelDecision } from '../vm/accel.js';
import type { BootTiming } from '../tester/verdict.js';
import type { Verdict } from '../tester/verdict.js';
import type { CompressionComparison } from '../search/compression.js';
import type { Stage } from '../search/events.js';
import type { MemorySearch } from '../search/memory.js';
import type { ValueSearchResult } from '../search/values.js';
import type { BootSpeedResult } from '../search/boot-speed.js';
import type { PvhResult } from '../search/pvh.js';
import type { RunPlan, RunRequest } from '../plan/plan.js';
import type { KernelSearchResult } from '../search/phases.js';
import type { RootfsReduction } from '../search/rootfs.js';
import type { SearchSeries } from '../search/series.js';

export interface StageTime {
  stage: Stage;
  seconds: number;
}

export interface MinimizeResult {
  /** What the run was asked (its out dir, signal and listener aside), and the plan made of it. */
  request: RunRequest;
  plan: RunPlan;
  /** With --image: the image beside the VM. */
  image?: ImageReport;
  /** What the app's binaries can call, what the start config gained for it, what the search removed that they can reach. */
  calls?: CallsReport;
  kernelVersion: string;
  /** The tree's cache key and what it was made from (see KernelSource). */
  kernelTree: string;
  kernelSource: string;
  /** What the rootfs stage left out and stripped, and what it saved (absent with --no-prune and --no-strip). */
  rootfs?: RootfsReduction;
  /** What the value search (--values) lowered and tried. */
  values?: ValueSearchResult;
  /** What the boot-speed search (--boot-speedups) added and tried. */
  bootSpeed?: BootSpeedResult;
  /** The bzImage against the vmlinux by its PVH entry (a kernel with CONFIG_PVH), and which ships. */
  pvh?: PvhResult;
  /** The least guest memory the result passes with (absent with --keep-memory, or a qemu.memory it cannot read). */
  memory?: MemorySearch;
  /** The guest memory the run's boots had, as QEMU's -m spells it: the profile's, or more for a large root. */
  guestMemory: string;
  /** The run's compression (kernel and initramfs), what it was chosen from, and the other compressors' VMs built and booted for comparison. */
  compression: CompressionComparison;
  /** How long the start VM and the final VM took to boot (the final: median of its re-checks). */
  boot: { start?: BootTiming; final?: BootTiming };
  /** The accelerator the guests ran under (and run.sh uses). */
  accel: AccelDecision;
  /** The start config; its verdict and kernel only when it was built (the first guess failed, or there was none, or a kernel trace ran). */
  start: { config: DotConfig; verdict?: Verdict; bzImage?: string };
  /** `vmlinux`: the stored uncompressed kernel, shipped beside the bzImage and booted by the launch files (the PVH stage found it faster). */
  final: { config: DotConfig; verdict: Verdict; bzImage: string; vmlinux?: string; cmdline: string };
  kernel: KernelSearchResult;
  cmdlineRemoved: string[];
  /** The root: an initramfs, or with `disk` a read-only squashfs image. */
  initramfs: { file: string; compression: Compression; bytes: number; uncompressedBytes: number; entries: number; parts: PartBytes; disk?: true };
  /** The data volumes: each one's seeded image and, after the last re-check, the image as its tests left it. */
  volumes?: Array<{ host: string; guest: string; device: string; file: string; seed: string; tested: string }>;
  /** The kernel after each passing test of the search, the start first (for the report's picture). */
  searchSeries: SearchSeries;
  /** What went into the guest for the app, and why. */
  manifest: Manifest;
  /** The guest's init (tinyx's own or BusyBox's), as --init chose it, and why. */
  init: InitDecision;
  evaluations: number;
  builds: number;
  /** Candidates whose runs disagreed; each was counted as failing. */
  flaky: { label: string; detail: string }[];
  wallSeconds: number;
  /** Executor pool events (dispatch, re-queue, dropped workers), for the report; empty without workers. */
  workerEvents: PoolEvent[];
  stages: StageTime[];
  /** What the out dir gets, as plain data (src/output writes it). */
  output: OutputRecord;
  /** Builds the classic one-at-a-time loop would need on the same start, the Kconfig model judging by this run's needed set (no model: undefined). */
  oneAtATimeBuilds?: number;
}
