// Benchmark 1 on the real x86 Kconfig model: the default profile's start config, its real
// candidates, and a hidden "required" set; the model decides pass/fail instantly.
// Run after `npx tsc -p .`: node bench/search-kconfig.mjs [--parallel N] [--seeds N] [--profile NAME]
//
// The search runs through the same searchKernel() as `tinyx minimize`: no-ops are skipped by the
// engine, every tried config is normalized (here by the engine's olddefconfig, which agrees with
// the kernel's on every symbol) and each distinct normalized config is "built" once. A verdict is
// pass iff every required option is still =y after normalization, so removing an option that a
// required one depends on fails too, as it would for real.
import { canonicalDotConfig, enabledSymbols } from '../dist/kconfig/dotconfig.js';
import { withValues } from '../dist/kconfig/kernel.js';
import { loadKconfig } from '../dist/kconfig/engine.js';
import { makeStartConfig } from '../dist/kconfig/start.js';
import { loadProfile, DEFAULT_PROFILE } from '../dist/profile/load.js';
import { planCandidates } from '../dist/search/candidates.js';
import { searchKernel } from '../dist/search/phases.js';
import { STRATEGY_NAMES } from '../dist/search/strategy.js';
import { openKernel } from '../dist/search/session.js';
import { sha256 } from '../dist/util/hash.js';
import { rng } from './rng.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const PARALLEL = Number(flag('--parallel', 1));
const SEEDS = Number(flag('--seeds', 4));
const profile = await loadProfile(flag('--profile', DEFAULT_PROFILE));

const { source, tool } = await openKernel({});
const model = await loadKconfig(source.dir, { arch: 'x86' });
const start = (await makeStartConfig(tool, profile)).config;
const plan = planCandidates(start, profile, model);
const live = plan.candidates.filter((c) => !plan.isNoop(c.name));
console.log(`kernel ${source.version}, profile ${profile.name}: ${enabledSymbols(start).length} options =y at the start, ` +
  `${plan.candidates.length} candidates, ${plan.candidates.length - live.length} no-ops, ${live.length} live`);

/**
 * What an app can need: not a gate over options that are all off (NET_VENDOR_*, WLAN_VENDOR_*:
 * menus whose drivers the start config does not build), which compiles no code of its own.
 */
const gates = new Set(live.filter((c) => {
  const under = model.subtree(c.name).filter((n) => n !== c.name);
  return under.length > 0 && under.every((n) => start.get(n) !== 'y');
}).map((c) => c.name));
const pool = live.filter((c) => !gates.has(c.name));
console.log(`${gates.size} candidates gate only options that are off (never needed here); hidden sets are drawn from the other ${pool.length}`);

/** `count` candidates drawn at random from the pool (with the parents they need, as removing a parent removes them). */
function hiddenSet(seed, count) {
  const random = rng(seed);
  const parentOf = new Map(live.map((c) => [c.name, c.parent]));
  const required = new Set();
  while (required.size < count) {
    for (let n = pool[Math.floor(random() * pool.length)].name; n; n = parentOf.get(n)) required.add(n);
  }
  return required;
}

/** The evaluator's side, with the model as the judge: normalize, cache by config hash, count builds. */
function fakeEvaluator(required) {
  const normalized = new Map();
  const verdicts = new Map();
  const e = {
    builds: 0,
    normalize(config) {
      const key = sha256(canonicalDotConfig(config));
      if (!normalized.has(key)) {
        const resolved = model.resolve(config);
        normalized.set(key, { config: resolved, hash: sha256(canonicalDotConfig(resolved)) });
      }
      return Promise.resolve(normalized.get(key));
    },
    passes(config) {
      for (const name of required) if (config.get(name) !== 'y') return false;
      return true;
    },
    evaluate(candidate) {
      if (!verdicts.has(candidate.hash)) {
        e.builds++;
        const pass = e.passes(candidate.config);
        verdicts.set(candidate.hash, pass ? { status: 'pass', reason: 'ok' } : { status: 'fail', reason: 'a required option is off' });
      }
      return new Promise((resolve) => setImmediate(() => resolve(verdicts.get(candidate.hash))));
    },
  };
  return e;
}

async function measure(strategy, required, candidates = plan.candidates) {
  const evaluator = fakeEvaluator(required);
  const startNorm = await evaluator.normalize(start);
  const result = await searchKernel({
    evaluator, start: startNorm, cmdline: '', candidates, isNoop: plan.isNoop, strategy, parallel: PARALLEL, emit: () => undefined,
  });
  const passes = evaluator.passes(result.final.config);
  // 1-minimal: removing any single remaining candidate fails or changes nothing.
  const minimal = passes && result.kept.every((name) => {
    const without = model.resolve(withValues(result.final.config, [name], 'n'));
    return sha256(canonicalDotConfig(without)) === result.final.hash || !evaluator.passes(without);
  });
  return { builds: evaluator.builds, enabled: enabledSymbols(result.final.config).length, minimal };
}

/**
 * A network server on QEMU's virtio-net, as the bundled example: the networking stack and the
 * virtio-net driver path are needed (so the vendor gates under them must be decided one by one by
 * the classic loop), plus `extra` needs drawn at random.
 */
const SERVER = ['NET', 'INET', 'UNIX', 'NETDEVICES', 'NET_CORE', 'VIRTIO_NET', 'PCI', 'VIRTIO_MENU', 'VIRTIO_PCI', 'PROC_FS', 'DEVTMPFS', 'FUTEX', 'EPOLL', 'SHMEM'];
function serverSet(seed, extra) {
  const required = new Set(SERVER.filter((n) => live.some((c) => c.name === n)));
  for (const n of hiddenSet(seed, extra)) required.add(n);
  return required;
}

const scenarios = [];
for (const extra of [0, 5, 10]) {
  for (let seed = 1; seed <= SEEDS; seed++) scenarios.push({ label: `server+${extra} s${seed}`, required: serverSet(seed * 104729 + extra, extra) });
}
for (const count of [5, 10, 20, 40]) {
  for (let seed = 1; seed <= SEEDS; seed++) scenarios.push({ label: `${count} random s${seed}`, required: hiddenSet(seed * 7919 + count, count) });
}

const ratio = (x, ref) => (x / ref).toFixed(2);
console.log(`\nbuilds per strategy (ratio to one-at-a-time), options =y at the end, 1-minimal; parallel=${PARALLEL}`);
console.log(['scenario'.padEnd(16), 'need', ...STRATEGY_NAMES.map((n) => n.padStart(22))].join(' '));
const totals = Object.fromEntries(STRATEGY_NAMES.map((n) => [n, 0]));
const ratios = Object.fromEntries(STRATEGY_NAMES.map((n) => [n, []]));
for (const { label, required } of scenarios) {
  const runs = [];
  for (const name of STRATEGY_NAMES) runs.push(await measure(name, required));
  const ref = runs[0].builds;
  runs.forEach((r, i) => {
    totals[STRATEGY_NAMES[i]] += r.builds;
    ratios[STRATEGY_NAMES[i]].push(r.builds / ref);
  });
  const cells = runs.map((r) => `${r.builds} (${ratio(r.builds, ref)}) ${r.enabled}y ${r.minimal ? 'ok' : 'NO'}`.padStart(22));
  console.log([label.padEnd(16), String(required.size).padStart(4), ...cells].join(' '));
}
console.log('\nall scenarios: total builds (ratio), worst ratio');
for (const name of STRATEGY_NAMES) {
  console.log(`  ${name.padEnd(14)} ${String(totals[name]).padStart(6)} (${ratio(totals[name], totals[STRATEGY_NAMES[0]])}), worst ${Math.max(...ratios[name]).toFixed(2)}`);
}
