// The run report's shape (report.json, stable keys) and its prose (report.md).
import type { TracedCalls } from '../deps/strace-calls.js';
import type { PartBytes } from '../packager/parts.js';
import type { Compression } from '../packager/compress.js';
import type { CompressionComparison } from '../search/compression.js';
import type { MemorySearch } from '../search/memory.js';
import type { ValueSearchResult } from '../search/values.js';
import type { BootSpeedResult } from '../search/boot-speed.js';
import type { PvhResult } from '../search/pvh.js';
import { prunedLine, type RootfsReduction } from '../search/rootfs.js';
import type { SearchSeries } from '../search/series.js';
import type { BootTiming } from '../tester/verdict.js';
import { compressionSection } from './compression-table.js';
import { callsSection, type CallsReport } from './calls-section.js';
import { imageSection, type ImageReport } from './image-section.js';

/** The picture report.md shows at its top (svg.ts draws it), a file beside it. */
export const SVG_FILE = 'report.svg';

/** The root file system against what installing the app's Debian packages takes. */
export interface RootfsFigures {
  /** The cpio archive, uncompressed and compressed (report.json's `initramfs.compression`), and its number of members. */
  uncompressedBytes: number;
  compressedBytes: number;
  entries: number;
  /** Files of the app's manifest (BusyBox and generated files not counted). */
  appFiles: number;
  /** Debian packages that own files of the manifest. */
  packages: string[];
  /** Their Depends/Pre-Depends closure as installed on this host. */
  packageClosure?: { packages: string[]; installedBytes: number; unresolved: string[]; rules: string };
  /** Guest paths the --trace run added beyond the static closure. */
  traceAdded: string[];
  /** The calls and socket families the --trace run saw the app use (absent without --trace). */
  traced?: TracedCalls;
  /** Host paths of a directory app left out (VCS data, secrets, editor debris, tinyx output), and why (absent before tinyx left them out). */
  excluded?: Array<{ path: string; why: string }>;
  /** How the app is started. */
  user?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** What the rootfs stage left out and stripped, and what that saved (absent with --no-prune and --no-strip, and before tinyx had the stage). */
  reduction?: RootfsReduction;
}

export interface SizeFigures {
  bzImageBytes: number;
  /** The uncompressed kernel the launch files boot by its PVH entry, when the PVH stage shipped one (final only). */
  vmlinuxBytes?: number;
  initramfsBytes: number;
  optionsEnabled: number;
}

/** One test of a first guess: the candidates it kept, how many options it removed at once, and its verdict. */
export interface GuessTest {
  kept: string[];
  removed: number;
  held: boolean;
  reason?: string;
}

export interface Report {
  tinyx: string;
  app: string;
  tests: string;
  profile: string;
  kernelVersion: string;
  /** The kernel tree's cache key (`<version>-<8 hex>`) and what it was made from ("debian linux-source-6.1 6.1.192-3 sha256:..."). */
  kernelTree: string;
  kernelSource: string;
  /** The QEMU accelerator the guests ran under, and why it was chosen. */
  accel: { accel: string; choice: string; reason: string };
  /** The guest's /init (`tinyx`: tinyx's own, no shell or BusyBox; `busybox`: BusyBox init and the rc), what --init asked and why (absent in reports from before it). */
  init?: { kind: string; choice: string; reason: string };
  /** A run from `--image`: the image beside the VM made of it (absent for an app from this host). */
  image?: ImageReport;
  /** What the app's binaries can call and what that means for the kernel (absent in reports from before it). */
  calls?: CallsReport;
  strategy: string;
  builds: number;
  /** Builds the classic one-at-a-time loop would need on the same start (the Kconfig model judging by this run's needed set). */
  oneAtATimeBuilds?: number;
  evaluations: number;
  wallSeconds: number;
  stages: Record<string, number>;
  /** The start config's figures; no bzImage when it was never built (the first guess passed). */
  start: Omit<SizeFigures, 'bzImageBytes'> & { bzImageBytes?: number };
  final: SizeFigures;
  candidates: number;
  removed: string[];
  kept: string[];
  keptReasons: Record<string, string>;
  /** Options kept without builds, needed by the harness to reach the app (the profile's `kernel.harness`), as enabled at the end. */
  harness: string[];
  noops: string[];
  /** The kernel search's rounds: the start config's candidates, then the options earlier removals freed, until none. */
  rounds: { candidates: string[]; removed: string[]; kept: string[]; builds: number; guess?: true }[];
  /** The first guess (none, --from's result, or learned from the profile's prior and finished runs) and whether it held. */
  guess: { source: 'none' | 'from' | 'learned' } & Partial<GuessTest> & {
    /** A learned guess made of an earlier finished run of this same app: that run (the app's path, `profile:NAME`). */
    own?: string;
    /** Why it kept each candidate it kept: the runs that needed it, the --trace run's calls (`trace: epoll_wait`). */
    keptFor?: Record<string, string[]>;
    /** When it failed: the guess with those of its removals that other runs needed left in (`added`), tried first. */
    widened?: GuessTest & { added: string[] };
    /** The guess tried again with what searching its removals found (when it failed), and its core (when it held). */
    repaired?: GuessTest;
    core?: GuessTest;
    /** When the core failed: the core with what the app's calls need kept too. */
    coreWithCalls?: GuessTest;
  };
  /** The closing check, each kept option removed alone from the final config: those evaluated, those it removed, its builds. */
  recheck: { checked: string[]; removed: string[]; builds: number };
  cmdline: string;
  cmdlineRemoved: string[];
  /**
   * `parts`: the uncompressed archive by part (app, libraries, init, other), summing to
   * `uncompressedBytes`; compression mixes the parts, so of `bytes` only the total is known.
   */
  initramfs: { compression: Compression; bytes: number; uncompressedBytes: number; entries: number; parts: PartBytes; disk?: true };
  /** The data volumes (--volume): where each is mounted, its device, its images in the out dir, and how to read what the tests wrote. */
  volumes?: Array<{ guest: string; host: string; device: string; file: string; tested: string; readBack: string }>;
  /** The kernel after each passing test of the search, the start config first (report.svg draws it). */
  searchSeries: SearchSeries;
  /** Candidates whose runs disagreed (failed, then passed): counted as failing, so their options stayed. */
  flaky: { label: string; detail: string }[];
  /** Remote worker events: dropped workers and re-queued candidates (empty without --worker). */
  workers: string[];
  rootfs: RootfsFigures;
  /**
   * Boot times, from QEMU's start (ms, host clock, under `accel`): `initMs` to the kernel starting
   * init, `appMs` to the app started, `readyMs` to its port answering; `guestInitMs` and `guestAppMs`
   * the same moments on the guest's clock, from the kernel's timekeeping start (tinyx's init prints
   * them; the firmware, the loader and the kernel's unpacking come before). The final VM's are the
   * median of its re-checks. TCG figures are emulation: KVM boots several times faster.
   */
  boot: { accel: string; start?: BootTiming; final?: BootTiming };
  /** What the value search (--values) lowered, left and tried (absent without it). */
  values?: ValueSearchResult;
  /** What the boot-speed search (--boot-speedups) added to the command line and tried (absent without it). */
  bootSpeed?: BootSpeedResult;
  /** The result's bzImage against its vmlinux booted by the PVH entry, side by side, and which the launch files boot (absent: no CONFIG_PVH). */
  pvh?: PvhResult;
  /** The least guest memory the final VM passed with, and what run.sh gives it (absent with --keep-memory). */
  memory?: MemorySearch;
  /**
   * The run's compression (kernel and initramfs alike) and what it was chosen from; the final VM
   * with each other compressor, built and booted: sizes, boot times, verdict (absent in a
   * report.json from before tinyx chose a compression: gzip then).
   */
  compression?: CompressionComparison;
}

/** The boot times and the least memory, as lines under the size table (report.json from before them has neither). */
function bootLines(r: Report): string[] {
  const secs = (ms?: number) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
  const b = r.boot;
  const m = r.memory;
  return [
    ...(b && (b.start || b.final) ? [
      `| boot to init (${b.accel.toUpperCase()}) | ${secs(b.start?.initMs)} | ${secs(b.final?.initMs)} |`,
      `| boot to app started | ${secs(b.start?.appMs)} | ${secs(b.final?.appMs)} |`,
      ...(b.start?.guestInitMs !== undefined || b.final?.guestInitMs !== undefined ? [`| kernel clock at init (the guest's) | ${secs(b.start?.guestInitMs)} | ${secs(b.final?.guestInitMs)} |`] : []),
      ...(b.start?.readyMs !== undefined || b.final?.readyMs !== undefined ? [`| boot to port answering | ${secs(b.start?.readyMs)} | ${secs(b.final?.readyMs)} |`] : []),
    ] : []),
    ...(m ? [`| guest memory | ${m.fromMiB} MiB | ${m.runMiB} MiB |`] : []),
    '',
    ...(m ? [`Least guest memory the result passed with: ${m.leastMiB} MiB (${m.probes.length} boots, ${m.probes.filter((p) => !p.passed).map((p) => `${p.mib}`).join(', ') || 'none'} MiB failed); run.sh gives it ${m.runMiB} MiB (+${m.marginPercent}%).`, ''] : []),
  ];
}

/** What the value search lowered, and why the rest stayed. */
function valuesSection(v: ValueSearchResult): string[] {
  return [
    '## Values',
    '',
    `The value search tried ${v.trials.length} value${v.trials.length === 1 ? '' : 's'}; each kept only if the tests passed and the kernel was lighter (fewer bytes, a smaller image in RAM, or a boot window ending lower).`,
    '',
    ...(v.lowered.length ? ['| option | from | to | saved |', '|---|---:|---:|---|', ...v.lowered.map((l) => `| \`${l.option}\` | ${l.from} | ${l.to} | ${l.detail} |`), ''] : ['No value was lowered.', '']),
    ...(v.kept.length ? ['Left as they were:', '', ...v.kept.map((k) => `- \`${k.option}\` = ${k.value}: ${k.why}`), ''] : []),
  ];
}

/** What the boot-speed search added, and how each try's boots compared. */
function bootSpeedSection(b: BootSpeedResult): string[] {
  const secs = (ms?: number) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
  return [
    '## Boot speedups',
    '',
    `Each boot option below was tried with ${b.runs} boots, and kept only if all passed and the median time to the app started was lower beyond the noise. Without any: ${secs(b.fromMs)}; with ${b.added.length ? b.added.map((a) => `\`${a}\``).join(' ') : 'none added'}: ${secs(b.toMs)}.`,
    '',
    ...(b.trials.length ? ['| option | median boot to app | kept | why |', '|---|---:|---|---|', ...b.trials.map((t) => `| \`${t.option}\` | ${secs(t.medianMs)} | ${t.kept ? 'yes' : 'no'} | ${t.detail} |`), ''] : ['The command line already set every one of them.', '']),
  ];
}

/** The kernel file an out dir's launch files boot: its vmlinux when the PVH stage shipped one, else its bzImage. */
export function shippedKernel(r: { final?: Pick<SizeFigures, 'vmlinuxBytes'> }): 'bzImage' | 'vmlinux' {
  return r.final?.vmlinuxBytes !== undefined ? 'vmlinux' : 'bzImage';
}

/** The bzImage and the vmlinux (PVH entry) booted side by side, and which ships. */
function pvhSection(p: PvhResult): string[] {
  const secs = (ms?: number) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
  const row = (name: string, w: PvhResult['bzImage']) => `| ${name} | ${secs(w.medianInitMs)} | ${secs(w.medianAppMs)} | ${secs(w.medianGuestInitMs)} | ${w.failed ? `failed ${w.failed}` : 'passed'} |`;
  return [
    '## Kernel entry: bzImage or vmlinux (PVH)',
    '',
    `The kernel has CONFIG_PVH, so its uncompressed vmlinux boots by the PVH entry without unpacking itself. Each way booted ${p.runs} times, in turn, the tests each time (medians; host clock from QEMU's start, guest clock from the kernel's timekeeping start, which comes after the bzImage's unpacking):`,
    '',
    '| kernel | boot to init | boot to app started | kernel clock at init | boots |',
    '|---|---:|---:|---:|---|',
    row('bzImage', p.bzImage),
    row('vmlinux (PVH)', p.vmlinux),
    '',
    `The vmlinux: ${p.detail}. The launch files boot the ${p.shipped}${p.shipped === 'vmlinux' ? ' (the bzImage is in the out dir too)' : ''}.`,
    '',
  ];
}

function rootfsSection(r: Report): string[] {
  const f = r.rootfs;
  const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(2)} MiB`;
  const c = f.packageClosure;
  const started = [f.user ? `as user \`${f.user}\`` : 'as root', `in \`${f.cwd ?? '/'}\``, ...(f.env ? [`with ${Object.keys(f.env).map((k) => `\`${k}\``).join(', ')} set`] : [])].join(', ');
  return [
    '## Root file system',
    '',
    '| | bytes | |',
    '|---|---:|---|',
    `| initramfs, uncompressed | ${f.uncompressedBytes} | ${mib(f.uncompressedBytes)}, ${f.entries} entries, ${f.appFiles} files for the app |`,
    `| initramfs, ${r.initramfs.compression ?? 'gzip'} | ${f.compressedBytes} | ${mib(f.compressedBytes)} |`,
    ...(c ? [`| Debian package closure, installed | ${c.installedBytes} | ${mib(c.installedBytes)}, ${c.packages.length} packages |`] : []),
    '',
    `The app starts ${started}.`,
    '',
    ...(r.init ? [`The guest's /init: ${r.init.kind === 'tinyx' ? 'tinyx\'s own (no shell or BusyBox in the guest)' : 'BusyBox init running the generated rc'} (${r.init.choice === 'auto' ? `auto: ${r.init.reason}` : 'asked for'}).`, ''] : []),
    ...(f.packages.length ? [`Packages the files come from: ${f.packages.map((p) => `\`${p}\``).join(', ')}.`, ''] : []),
    ...(c ? [
      `Their dependency closure (${c.rules}): ${c.packages.map((p) => `\`${p}\``).join(', ')}.`,
      ...(c.unresolved.length ? ['', `Not installed, so not counted: ${c.unresolved.map((u) => `\`${u}\``).join(', ')}.`] : []),
      '',
    ] : []),
    ...(f.excluded?.length ? ['Left out of the app directory (`--include PATH` puts one in):', '', ...f.excluded.map((x) => `- \`${x.path}\`: ${x.why}`), ''] : []),
    ...(f.traceAdded.length ? [`The --trace run added ${f.traceAdded.length} paths beyond the static closure: ${f.traceAdded.map((p) => `\`${p}\``).join(', ')}.`, ''] : []),
    ...(f.reduction ? reductionLines(f.reduction) : []),
  ];
}

/** What the rootfs stage left out and stripped, under the rootfs figures. */
function reductionLines(d: RootfsReduction): string[] {
  const code = (names: string[]) => names.map((n) => `\`${n}\``).join(', ');
  return [
    `### Left out and stripped by tests (${d.evaluations} boots of the first kernel that passed, no build)`,
    '',
    ...d.skipped.map((s) => `- Skipped: ${s}.`),
    `- Left out ${prunedLine(d)}, ${d.prunedBytes} bytes uncompressed${d.protectedFiles.length ? `; kept by --keep-files: ${code(d.protectedFiles)}` : ''}.`,
    ...d.pruned.map((p) => `  - \`${p.path}\` (${p.bytes} B): ${p.reason}`),
    ...(d.keptFiles.length ? [`- The tests fail without: ${code(d.keptFiles)}.`] : []),
    `- Stripped ${d.stripped.length} ELF file${d.stripped.length === 1 ? '' : 's'}, ${d.strippedSavedBytes} bytes saved uncompressed${d.notStripped.length ? `; the tests fail with these stripped: ${code(d.notStripped)}` : ''}.`,
    ...d.stripped.map((f) => `  - \`${f.path}\`: ${f.bytes} -> ${f.strippedBytes} B`),
    `- Archive ${d.uncompressedBytes.before} -> ${d.uncompressedBytes.after} bytes uncompressed${d.initramfsBytes ? `, ${d.initramfsBytes.before} -> ${d.initramfsBytes.after} bytes compressed` : ''}.`,
    '',
  ];
}

function roundsSection(r: Report): string[] {
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const code = (names: string[]) => names.map((n) => `\`${n}\``).join(', ');
  const c = r.recheck;
  return [
    '## Search rounds',
    '',
    guessLine(r),
    '',
    'Each round after the first searched the options that earlier removals freed (a removed option had selected them).',
    '',
    '| round | candidates | removed | kept | builds |',
    '|---:|---:|---:|---:|---:|',
    ...r.rounds.map((x, i) => `| ${i + 1}${x.guess ? ' (guess)' : ''} | ${x.candidates.length} | ${x.removed.length} | ${x.kept.length} | ${x.builds} |`),
    '',
    ...r.rounds.slice(1).flatMap((x, i) => [`Round ${i + 2}: ${code(x.candidates)}.`, '']),
    c.checked.length
      ? `Closing check on the final config: ${plural(c.checked.length, 'kept option')} removed alone, ${plural(c.builds, 'build')}${c.removed.length ? `; removed ${code(c.removed)}` : ''}.`
      : 'Closing check on the final config: every kept option was already seen failing alone on it (or the search trusted monotony).',
    '',
  ];
}

function guessLine(r: Report): string {
  // A report.json of a run before the guess existed has none.
  const g = r.guess ?? { source: 'none' };
  if (g.source === 'none' || g.held === undefined) return 'First guess: none.';
  const source = g.source === 'from' ? 'the --from result'
    : g.own ? `learned from this app's own finished run (${g.own})` : 'learned (the profile\'s search.prior and finished runs of this profile)';
  const what = `First guess: ${source}, keeping ${g.kept?.length ?? 0} candidates and removing ${g.removed} options in one test`;
  const searched = 'so its removals were searched with what it kept left in';
  const held = g.held ? `${what}: it held.` : `${what}: it failed (${g.reason})${g.widened ? '' : `, ${searched}`}.`;
  const more = [
    g.widened ? `Tried again with the ${g.widened.added.length} of its removals that other runs needed left in (${g.widened.added.map((n) => `\`${n}\``).join(', ')}): ${g.widened.held ? 'it held, and those were then searched as a group' : `it failed (${g.widened.reason}), ${searched}`}.` : '',
    g.repaired ? `Tried again with what that found, keeping ${g.repaired.kept.length}: ${g.repaired.held ? 'it held' : `it failed (${g.repaired.reason})`}.` : '',
    g.core ? `Its core (what more than half its runs needed), keeping ${g.core.kept.length}: ${g.core.held ? `held, removing ${g.core.removed} more in one test` : `failed (${g.core.reason})`}.` : '',
    g.coreWithCalls ? `The core with what the app's calls need, keeping ${g.coreWithCalls.kept.length}: ${g.coreWithCalls.held ? `held, removing ${g.coreWithCalls.removed} more in one test` : `failed (${g.coreWithCalls.reason})`}.` : '',
  ].filter(Boolean);
  const why = Object.entries(g.keptFor ?? {}).map(([n, by]) => `\`${n}\` (${by.join(', ')})`);
  return [held, ...more, 'What it kept was then tested option by option.', ...(why.length ? [`It kept ${why.join(', ')}.`] : [])].join(' ');
}

/** The data volumes: each one's mount, its images in the out dir, and how to read back what the tests wrote. */
function volumesSection(volumes: NonNullable<Report['volumes']>): string[] {
  return [
    '## Volumes',
    '',
    'Each volume is an ext4 disk seeded from its host directory, owners and modes kept; every boot got a fresh copy. `run.sh` boots the seeded one (and writes to it).',
    '',
    '| guest | device | seeded from | image | as the last re-check left it |',
    '|---|---|---|---|---|',
    ...volumes.map((v) => `| \`${v.guest}\` | /dev/${v.device} | \`${v.host}\` | \`${v.file}\` | \`${v.tested}\` |`),
    '',
    'To read what the tests wrote (no root needed), from the out dir:',
    '',
    ...volumes.map((v) => `    ${v.readBack}`),
    '',
  ];
}

export function renderMarkdown(r: Report): string {
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const pct = (a: number, b: number) => (a === 0 ? '' : ` (${(((b - a) / a) * 100).toFixed(1)}%)`);
  const lines = [
    `# tinyx report: ${r.app}`,
    '',
    `Profile \`${r.profile}\`, kernel ${r.kernelVersion}, strategy \`${r.strategy}\`, QEMU accelerator ${r.accel.accel.toUpperCase()} (${r.accel.choice === 'auto' ? `auto: ${r.accel.reason}` : 'asked for'}).`,
    `${r.builds} kernel builds, ${r.evaluations} evaluations, ${r.wallSeconds} s wall time.`,
    ...(r.oneAtATimeBuilds !== undefined ? [`The classic one-at-a-time loop would have needed ${r.oneAtATimeBuilds} builds on the same start (the Kconfig model judging by this run's needed set).`] : []),
    '',
    `![bzImage size and options =y after each passing test, and the final VM by part](${SVG_FILE})`,
    '',
    '| | start | final |',
    '|---|---:|---:|',
    `| bzImage | ${r.start.bzImageBytes !== undefined ? kb(r.start.bzImageBytes) : 'not built'} | ${kb(r.final.bzImageBytes)}${r.start.bzImageBytes !== undefined ? pct(r.start.bzImageBytes, r.final.bzImageBytes) : ''} |`,
    `| ${r.initramfs.disk ? 'root disk, squashfs' : 'initramfs'} (${r.initramfs.compression ?? 'gzip'}) | ${kb(r.start.initramfsBytes)} | ${kb(r.final.initramfsBytes)} |`,
    ...(r.final.vmlinuxBytes !== undefined ? [`| vmlinux, PVH entry (run.sh boots it) | - | ${kb(r.final.vmlinuxBytes)} |`] : []),
    `| options =y | ${r.start.optionsEnabled} | ${r.final.optionsEnabled} |`,
    ...bootLines(r),
    ...(r.start.bzImageBytes === undefined ? ['The start config was not built: the first guess passed first, so the app and its tests were shown to work on a smaller kernel without it.', ''] : []),
    `Boot command line: \`${r.cmdline}\`${r.cmdlineRemoved.length ? ` (removed: ${r.cmdlineRemoved.map((t) => `\`${t}\``).join(', ')})` : ''}.`,
    '',
    ...(r.image ? imageSection(r.image, r.final.bzImageBytes + r.final.initramfsBytes) : []),
    ...(r.values ? valuesSection(r.values) : []),
    ...(r.bootSpeed ? bootSpeedSection(r.bootSpeed) : []),
    ...(r.pvh ? pvhSection(r.pvh) : []),
    ...(r.calls ? callsSection(r.calls) : []),
    ...rootfsSection(r),
    ...(r.volumes?.length ? volumesSection(r.volumes) : []),
    ...(r.compression ? compressionSection(r.compression, shippedKernel(r) === 'vmlinux') : []),
    '## Time per stage',
    '',
    ...Object.entries(r.stages).map(([stage, s]) => `- ${stage}: ${s} s`),
    '',
    ...(r.flaky.length ? [
      '## Flaky verdicts',
      '',
      'These candidates failed and then passed; each counted as failing, so what it would have removed was kept.',
      '',
      ...r.flaky.map((f) => `- \`${f.label}\`: ${f.detail}`),
      '',
    ] : []),
    ...(r.workers.length ? ['## Workers', '', ...r.workers.map((w) => `- ${w}`), ''] : []),
    `## Kept (${r.kept.length} of ${r.candidates} candidates)`,
    '',
    ...r.kept.map((n) => `- \`${n}\`: ${r.keptReasons[n]}`),
    '',
    ...(r.harness.length ? [
      `Not candidates, kept: needed by the harness to reach the app (${r.harness.length} options, no builds): ${r.harness.map((n) => `\`${n}\``).join(', ')}.`,
      '',
    ] : []),
    `## Removed (${r.removed.length} options, candidates and what they took along)`,
    '',
    r.removed.length ? r.removed.map((n) => `\`${n}\``).join(', ') : '(none)',
    '',
    ...roundsSection(r),
  ];
  return lines.join('\n');
}
