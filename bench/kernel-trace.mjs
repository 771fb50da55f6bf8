// Trace-guided ordering on the real start kernel: how many candidate options the trace marks
// executed / not executed / unknown, and what the in_asm logging costs in boot + test time.
// Run after `npx tsc -p .`:
//   node bench/kernel-trace.mjs --build-dir DIR [--runs N] [--kernel-src DIR] [--save FILE]
// --save FILE writes the candidate order `minimize --kernel-trace` would search in (the format of
// its `.work/kernel-trace.json`), for `bench/search-kconfig.mjs --kernel-trace FILE`.
// DIR: a finished O= build of the default profile's start config (System.map, vmlinux.a, *.o),
// which nothing else is building in. The example app is examples/hello-http with its probe.
import { execa } from 'execa';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveApp } from '../dist/deps/index.js';
import { canonicalDotConfig, enabledSymbols, parseDotConfig } from '../dist/kconfig/dotconfig.js';
import { loadKconfig } from '../dist/kconfig/engine.js';
import { KernelConfigTool } from '../dist/kconfig/kernel.js';
import { makeStartConfig } from '../dist/profile/start-config.js';
import { buildInitramfs } from '../dist/packager/initramfs.js';
import { loadProfile } from '../dist/profile/load.js';
import { planCandidates } from '../dist/search/candidates.js';
import { bootAndTest } from '../dist/tester/boot.js';
import { rankCandidates, summarize } from '../dist/kernel-trace/rank.js';
import { traceStartKernel } from '../dist/kernel-trace/run.js';
import { guideCandidates } from '../dist/kernel-trace/guide.js';
import { selectMap } from '../dist/kernel-trace/selects.js';
import { DEFAULT_TIMEOUTS } from '../dist/plan/timeouts.js';
import { cacheRoot } from '../dist/util/paths.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const buildDir = opt('--build-dir');
const runs = Number(opt('--runs', '1'));
const srcDir = opt('--kernel-src', path.join(cacheRoot(), 'kernel/linux-source-6.1'));
const save = opt('--save');
if (!buildDir) {
  console.error('usage: node bench/kernel-trace.mjs --build-dir DIR [--runs N] [--kernel-src DIR] [--save FILE]');
  process.exit(2);
}
const repo = path.resolve(import.meta.dirname, '..');
const tmp = await mkdtemp(path.join(tmpdir(), 'tinyx-bench-trace-'));
const secs = (ms) => (ms / 1000).toFixed(1);

try {
  const profile = await loadProfile();
  const config = parseDotConfig(await readFile(path.join(buildDir, '.config'), 'utf8'));
  // xz: the compression auto picks for hello-http, so the start config is the one its runs build.
  const start = await makeStartConfig(new KernelConfigTool(srcDir, path.join(tmp, 'kconfig')), profile, 'xz');
  const isStart = canonicalDotConfig(start.config) === canonicalDotConfig(config);
  console.log(`build dir: ${buildDir} (${isStart ? 'the' : 'NOT the'} start config of profile ${profile.name})`);

  const model = await loadKconfig(srcDir);
  const planned = planCandidates(config, profile, model, { network: { guestPort: 80 }, compression: 'xz' }).candidates;
  const candidates = planned.map((c) => c.name);
  const live = candidates.filter((name) => model.disable(config, [name]).changed.length > 0);

  await execa('make', ['-s', '-C', path.join(repo, 'examples/hello-http')]);
  const manifest = await resolveApp(path.join(repo, 'examples/hello-http/build/server'));
  const initramfs = await buildInitramfs({
    manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, compression: 'xz', outFile: path.join(tmp, 'initramfs.cpio.xz'),
  });
  const bzImage = path.join(tmp, 'bzImage');
  await copyFile(path.join(buildDir, 'arch/x86/boot/bzImage'), bzImage);
  const tests = path.join(repo, 'examples/hello-http/probe.sh');
  const common = { bzImage, initramfs: initramfs.file, cmdline: profile.boot.cmdline, qemu: profile.qemu, network: { guestPort: 80 }, tests, ...DEFAULT_TIMEOUTS };

  const plain = [];
  const traced = [];
  let trace;
  for (let i = 0; i < runs; i++) {
    const outcome = await bootAndTest({ ...common, logDir: path.join(tmp, `plain-${i}`) });
    if (outcome.status !== 'pass') throw new Error(`untraced boot: ${outcome.status}: ${outcome.reason}`);
    plain.push(outcome.bootMs + outcome.testMs);
    trace = await traceStartKernel({ ...common, buildDir, srcDir, config, logDir: path.join(tmp, `traced-${i}`) });
    traced.push({ guestMs: trace.boot.bootMs + trace.boot.testMs, totalMs: trace.durationMs });
  }

  const plainRank = rankCandidates(trace, candidates, trace.objectMap);
  const withSelects = rankCandidates(trace, candidates, trace.objectMap, selectMap(model, new Set(enabledSymbols(config))));
  // What minimize --kernel-trace searches by: with selects, and parents of executed options lifted.
  const guided = guideCandidates(trace, config, planned, model);
  const ranked = guided.ranked;
  const rankedLive = ranked.filter((r) => live.includes(r.name));
  const statuses = Object.values(trace.objects);
  const count = (s) => statuses.filter((x) => x === s).length;
  console.log(`image: ${Object.keys(trace.objectMap).length} objects (${Object.keys(trace.unresolved).length} without a Makefile rule), ` +
    `${trace.totalFunctions} functions (${trace.ambiguousFunctions} ambiguous statics, ${trace.orphanFunctions} linker labels)`);
  console.log(`trace: ${(trace.log.bytes / 1e6).toFixed(1)} MB in_asm log, ${trace.log.lines} lines, ${trace.log.addresses} distinct kernel instructions, ` +
    `${trace.executedFunctions} functions ran; objects ran ${count('ran')}, idle ${count('idle')}, unsure ${count('unsure')}`);
  const line = (label, list) => {
    const s = summarize(list);
    console.log(`${label}: ${list.length} options -> executed ${s.executed}, not executed ${s.notExecuted}, unknown ${s.unknown}`);
  };
  line('candidates, own objects only', plainRank);
  line('candidates, with what they select', withSelects);
  line('candidates, with selects and parents of executed options', ranked);
  line('candidates that are not olddefconfig no-ops', rankedLive);
  console.log(`not executed (tried first): ${rankedLive.filter((r) => r.executed === false).map((r) => r.name).join(' ')}`);
  console.log(`unknown with no object of their own or of what they select: ${ranked.filter((r) => r.evidence === 'none').length}`);
  if (save) {
    await writeFile(save, JSON.stringify({ candidates: guided.candidates, summary: guided.summary }) + '\n');
    console.log(`saved the trace-guided candidate order to ${save}: ${JSON.stringify(guided.summary)}`);
  }
  for (let i = 0; i < runs; i++) {
    console.log(`run ${i + 1}: boot+test without logging ${secs(plain[i])} s, with in_asm logging ${secs(traced[i].guestMs)} s ` +
      `(x${(traced[i].guestMs / plain[i]).toFixed(2)}); whole trace incl. nm/System.map/Makefiles and log read ${secs(traced[i].totalMs)} s`);
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
