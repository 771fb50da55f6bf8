// What a minimize run knows so far: each stage reads what the stages before it set, and sets its own part.
import type { Manifest } from '../deps/index.js';
import type { KconfigModel } from '../kconfig/engine.js';
import type { Compressed } from '../packager/compress.js';
import type { InitramfsResult, PackedArchive, PlannedArchive } from '../packager/initramfs.js';
import type { VolumeImage } from '../packager/root-kind.js';
import type { InitDecision } from '../packager/init-kind.js';
import type { RunPlan } from '../plan/plan.js';
import type { OpenedImage } from '../image/index.js';
import type { SearchCandidate } from '../kconfig/candidate.js';
import type { CandidatePlan } from '../search/candidates.js';
import type { CompressionComparison, CompressionPlan } from '../search/compression.js';
import type { KernelTree, SearchContext } from '../search/context.js';
import type { Normalized } from '../search/evaluator.js';
import type { EventListener } from '../search/events.js';
import type { Guess } from '../search/guess.js';
import type { GuessTrial } from '../search/try-guess.js';
import type { AppNeeds } from '../syscalls/needs.js';
import type { KnowledgeRun } from '../search/knowledge.js';
import type { MemorySearch } from '../search/memory.js';
import type { KernelSearchResult } from '../search/phases.js';
import type { Previous } from '../search/previous.js';
import type { RootfsReduction } from '../search/rootfs.js';
import type { SeriesCollector } from '../search/series.js';
import type { ValueSearchResult } from '../search/values.js';
import type { BootSpeedResult } from '../search/boot-speed.js';
import type { PvhResult } from '../search/pvh.js';
import type { BootTiming, Verdict } from '../tester/verdict.js';
import type { MinimizeOptions } from './options.js';
import type { MinimizeResult } from './result.js';

/** The fields past the first group are set by the stage named above them; a stage reads only what an earlier one set. */
export class RunState {
  readonly began = Date.now();

  constructor(
    readonly options: MinimizeOptions,
    readonly emit: EventListener,
    readonly series: SeriesCollector,
  ) {}

  // inputs: the plan (a setting out of range is refused first), the checked paths, the out dir's scratch, the kernel tree, what --from and --candidates bring.
  plan!: RunPlan;
  app!: string;
  entry?: string;
  tests!: string;
  out!: string;
  work!: string;
  scratch!: string;
  compressionPlan!: CompressionPlan;
  previous?: Previous;
  /** With --image: the unpacked image, what the run read of its files, and its default run. */
  image?: OpenedImage;
  kernelTree!: KernelTree;
  earlyModel?: KconfigModel;
  // deps
  manifest!: Manifest;
  // initramfs
  init!: InitDecision;
  planned!: PlannedArchive;
  /** The archive the root was last written from (the rootfs stage's result, once it ran): a disk root's final image is written from it. */
  packed!: PackedArchive;
  /** Each data volume's seeded image (every boot gets a fresh copy). */
  volumes: VolumeImage[] = [];
  initramfs!: InitramfsResult;
  otherInitramfs!: InitramfsResult[];
  initramfsSizes!: Compressed[];
  // syscalls
  needs?: AppNeeds;
  // start-config (the context stays open until the run ends)
  context?: SearchContext;
  /** `added`: what the app's calls need that the profile leaves off. */
  startConfig!: { config: Normalized['config']; added: string[] };
  /** The start config, normalized; built only when the sanity stage runs. */
  start!: Normalized;
  // sanity (before the candidates with a kernel trace, which boots the start kernel; else only when the first guess fails or there is none)
  startVerdict?: Verdict;
  // first-guess
  guessTrial?: GuessTrial;
  /** The first kernel that passed: the first guess's, else the start config's. The rootfs stage boots it. */
  reference!: { kind: 'guess' | 'start'; config: Normalized; verdict: Verdict };
  // rootfs
  rootfs?: RootfsReduction;
  // candidates
  model?: KconfigModel;
  candidatePlan!: CandidatePlan;
  candidates!: SearchCandidate[];
  guess?: Guess;
  // kernel-search
  kernel!: KernelSearchResult;
  learned!: KnowledgeRun;
  oneAtATimeBuilds?: number;
  // values
  values?: ValueSearchResult;
  // cmdline-search
  cmdline!: { cmdline: string; removed: string[] };
  // boot-speed
  bootSpeed?: BootSpeedResult;
  // pvh
  pvh?: PvhResult;
  // verify
  finalVerdict!: Verdict;
  finalTiming?: BootTiming;
  /** The profile's guest memory in MiB, where the memory search starts (undefined: not a plain size, no search). */
  memoryFromMiB?: number;
  // memory
  memory?: MemorySearch;
  // compression
  compression!: CompressionComparison;
  // output
  result!: MinimizeResult;

  /** The run context, once the start-config stage opened it. */
  get ctx(): SearchContext {
    if (!this.context) throw new Error('the run context is not open yet');
    return this.context;
  }
}
