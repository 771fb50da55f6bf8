// Benchmark 1 on the real x86 Kconfig model: the default profile's start config, its real
// candidates, and a hidden "required" set; the model decides pass/fail instantly.
// Run after `npx tsc -p .`:
//   node bench/search-kconfig.mjs [--parallel N] [--seeds N] [--profile NAME] [--port N] [--kernel-trace FILE]
//
// --port N: the app's port, as `tinyx minimize --port` (default 80): with a port, the profile's
// network harness (kernel.harness.network) is kept out of the candidates, as minimize does, for
// every strategy alike; --port 0 searches it too.
//
// --kernel-trace FILE: the `.work/kernel-trace.json` a `tinyx minimize --kernel-trace` run wrote (the real
// start kernel booted once under QEMU's in_asm log while the real tests ran), for the same profile
// and candidate list. It adds a `bisect+trace` column (the search `--kernel-trace` runs) and
// scenarios whose extra needs are drawn from the options the trace saw running.
// bench/data/kernel-trace-hello-http.json is one: the bundled example on Debian's 6.1.192 with the
// default profile, written by `node bench/kernel-trace.mjs --build-dir <start kernel's build dir> --save FILE`.
// Each strategy also runs with `monotone` (no closing re-check of kept options; 1-minimal only if
// removing more never turns a failure into a pass, which holds for this model's oracle).
//
// The search runs through the same searchKernel() as `tinyx minimize`, rounds included (after each
// round the candidates of the config it reached are planned again, and options that became free,
// such as what a removed option selected, make another round): no-ops are skipped by the
// engine, every tried config is normalized (here by the engine's olddefconfig, which agrees with
// the kernel's on every symbol) and each distinct normalized config is "built" once. A verdict is
// pass iff every required option is still =y after normalization, so removing an option that a
// required one depends on fails too, as it would for real.
import { readFile } from 'node:fs/promises';
import { canonicalDotConfig, enabledSymbols } from '../dist/kconfig/dotconfig.js';
import { withValues } from '../dist/kconfig/kernel.js';
import { loadKconfig } from '../dist/kconfig/engine.js';
import { makeStartConfig } from '../dist/kconfig/start.js';
import { loadProfile, DEFAULT_PROFILE } from '../dist/profile/load.js';
import { harnessNeeds } from '../dist/profile/harness.js';
import { planCandidates } from '../dist/search/candidates.js';
import { searchKernel } from '../dist/search/phases.js';
import { growth } from '../dist/search/fixpoint.js';
import { openKernel } from '../dist/search/context.js';
import { sha256 } from '../dist/util/hash.js';
import { rng } from '../dist/util/rng.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const PARALLEL = Number(flag('--parallel', 1));
const TRACE = flag('--kernel-trace');
const SEEDS = Number(flag('--seeds', 4));
const PORT = Number(flag('--port', 80));
const profile = await loadProfile(flag('--profile', DEFAULT_PROFILE));

const { source, tool } = await openKernel({});
const model = await loadKconfig(source.dir, { arch: 'x86' });
const start = (await makeStartConfig(tool, profile)).config;
const plan = planCandidates(start, profile, model, { port: PORT });
const live = plan.candidates.filter((c) => !plan.isNoop(c.name));
console.log(`kernel ${source.version}, profile ${profile.name}: ${enabledSymbols(start).length} options =y at the start, ` +
  `${plan.candidates.length} candidates, ${plan.candidates.length - live.length} no-ops, ${live.length} live ` +
  `(port ${PORT}: ${harnessNeeds(profile, PORT).length} options kept for the harness)`);

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

/**
 * The trace's candidate order and groups, as minimize --kernel-trace uses them. A trace recorded
 * before the harness was kept out lists its options too: they are not this run's candidates.
 */
const planned = new Set(plan.candidates.map((c) => c.name));
const traced = TRACE ? JSON.parse(await readFile(TRACE, 'utf8')).candidates.filter((c) => planned.has(c.name)) : undefined;
if (traced) {
  const names = (list) => list.map((c) => c.name).sort().join(' ');
  if (names(traced) !== names(plan.candidates)) throw new Error(`${TRACE}: its candidates are not this profile's ${plan.candidates.length}`);
  const groups = {};
  for (const c of traced) groups[c.menuPath[0]] = (groups[c.menuPath[0]] ?? 0) + 1;
  console.log(`trace ${TRACE}: ${Object.entries(groups).map(([g, n]) => `${g} ${n}`).join(', ')}`);
}
const groupOf = new Map((traced ?? []).map((c) => [c.name, c.menuPath[0].replace('trace:', '')]));

const COLUMNS = [
  { label: 'one-at-a-time', strategy: 'one-at-a-time' },
  { label: 'ddmin', strategy: 'ddmin' },
  { label: 'bisect', strategy: 'bisect' },
  ...(traced ? [{ label: 'bisect+trace', strategy: 'bisect', candidates: traced }] : []),
  { label: 'one-at-a-time/mono', strategy: 'one-at-a-time', monotone: true },
  { label: 'bisect/mono', strategy: 'bisect', monotone: true },
  ...(traced ? [{ label: 'bisect+trace/mono', strategy: 'bisect', candidates: traced, monotone: true }] : []),
];

/** `count` candidates drawn at random from the pool (with the parents they need, as removing a parent removes them). */
function hiddenSet(seed, count, from = pool) {
  const random = rng(seed);
  const parentOf = new Map(live.map((c) => [c.name, c.parent]));
  const required = new Set();
  while (required.size < count) {
    for (let n = from[Math.floor(random() * from.length)].name; n; n = parentOf.get(n)) required.add(n);
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

async function measure({ strategy, candidates = plan.candidates, monotone = false }, required) {
  const evaluator = fakeEvaluator(required);
  const startNorm = await evaluator.normalize(start);
  const result = await searchKernel({
    evaluator, start: startNorm, cmdline: '', candidates, isNoop: plan.isNoop, strategy, parallel: PARALLEL, monotone, emit: () => undefined,
    // As minimize: after each round, the candidates of the config it reached; what became free makes the next round.
    replan: (config) => planCandidates(config, profile, model, { port: PORT }),
  });
  const passes = evaluator.passes(result.final.config);
  // 1-minimal: removing any single candidate of the final config (planned afresh) fails, changes
  // nothing, or turns on more options than it turns off (EXPERT: no reduction, as the search sees it).
  const minimal = passes && planCandidates(result.final.config, profile, model, { port: PORT }).candidates.every(({ name }) => {
    const without = model.resolve(withValues(result.final.config, [name], 'n'));
    return sha256(canonicalDotConfig(without)) === result.final.hash || !evaluator.passes(without) || growth({ config: without }, result.final) !== undefined;
  });
  return {
    builds: evaluator.builds, enabled: enabledSymbols(result.final.config).length, minimal,
    rounds: result.rounds.length, later: result.rounds.slice(1).reduce((sum, r) => sum + r.builds, 0), recheck: result.recheck.builds,
  };
}

/**
 * A network server on QEMU's virtio-net, as the bundled example: the networking stack and the
 * virtio-net driver path are needed (so the vendor gates under them must be decided one by one by
 * the classic loop), plus `extra` needs drawn at random. With a port, that path is the profile's
 * network harness and no candidate: only the server's other needs (UNIX, PROC_FS...) are hidden.
 */
const SERVER = ['NET', 'INET', 'UNIX', 'NETDEVICES', 'NET_CORE', 'VIRTIO_NET', 'PCI', 'VIRTIO_MENU', 'VIRTIO_PCI', 'PROC_FS', 'DEVTMPFS', 'FUTEX', 'EPOLL', 'SHMEM'];
function serverSet(seed, extra, from = pool) {
  const required = new Set(SERVER.filter((n) => live.some((c) => c.name === n)));
  for (const n of hiddenSet(seed, extra, from)) required.add(n);
  return required;
}
if (traced) console.log(`trace groups of the server set: ${SERVER.map((n) => `${n} ${groupOf.get(n) ?? '-'}`).join(', ')}`);
/** Needs an app can have given the trace: options whose code ran while the tests ran. */
const ran = pool.filter((c) => groupOf.get(c.name) === 'executed');

const scenarios = [];
for (const extra of [0, 5, 10]) {
  for (let seed = 1; seed <= SEEDS; seed++) scenarios.push({ label: `server+${extra} s${seed}`, required: serverSet(seed * 104729 + extra, extra) });
}
if (traced) {
  for (const extra of [5, 10]) {
    for (let seed = 1; seed <= SEEDS; seed++) scenarios.push({ label: `server+${extra}ran s${seed}`, required: serverSet(seed * 104729 + extra, extra, ran) });
  }
  for (let seed = 1; seed <= SEEDS; seed++) scenarios.push({ label: `10 ran s${seed}`, required: hiddenSet(seed * 7919 + 10, 10, ran) });
}
for (const count of [5, 10, 20, 40]) {
  for (let seed = 1; seed <= SEEDS; seed++) scenarios.push({ label: `${count} random s${seed}`, required: hiddenSet(seed * 7919 + count, count) });
}

const ratio = (x, ref) => (x / ref).toFixed(2);
const width = Math.max(...COLUMNS.map((c) => c.label.length)) + 1;
console.log(`\nbuilds per strategy; the ratio is to one-at-a-time (for /mono columns: to one-at-a-time/mono); parallel=${PARALLEL}`);
console.log(`a cell is "builds ratio" and ends in "!" if the result was not 1-minimal or not as small as one-at-a-time's`);
console.log(['scenario'.padEnd(18), 'need', ...COLUMNS.map((c) => c.label.padStart(width))].join(' '));
const refOf = (c) => COLUMNS.findIndex((r) => r.strategy === 'one-at-a-time' && !!r.monotone === !!c.monotone);
const totals = COLUMNS.map(() => 0);
const worst = COLUMNS.map(() => 0);
const flawed = COLUMNS.map(() => 0);
/** Per column: scenarios by their number of fixpoint rounds; builds of the rounds after the first; builds of the closing check. */
const roundCounts = COLUMNS.map(() => new Map());
const laterBuilds = COLUMNS.map(() => 0);
const recheckBuilds = COLUMNS.map(() => 0);
for (const { label, required } of scenarios) {
  const runs = [];
  for (const column of COLUMNS) runs.push(await measure(column, required));
  const cells = runs.map((r, i) => {
    const ref = runs[refOf(COLUMNS[i])];
    totals[i] += r.builds;
    roundCounts[i].set(r.rounds, (roundCounts[i].get(r.rounds) ?? 0) + 1);
    laterBuilds[i] += r.later;
    recheckBuilds[i] += r.recheck;
    worst[i] = Math.max(worst[i], r.builds / ref.builds);
    const bad = !r.minimal || r.enabled > runs[0].enabled;
    if (bad) flawed[i]++;
    return `${r.builds} ${ratio(r.builds, ref.builds)}${bad ? '!' : ''}`.padStart(width);
  });
  console.log([label.padEnd(18), String(required.size).padStart(4), ...cells].join(' '));
}
console.log('\nall scenarios: total builds (ratio of totals), worst ratio, results not 1-minimal or larger');
COLUMNS.forEach((c, i) => {
  console.log(`  ${c.label.padEnd(width)} ${String(totals[i]).padStart(6)} (${ratio(totals[i], totals[refOf(c)])}), worst ${worst[i].toFixed(2)}, ${flawed[i]}`);
});
console.log('\nfixpoint rounds (scenarios per number of rounds), builds of the rounds after the first, builds of the closing check on the final config');
COLUMNS.forEach((c, i) => {
  const rounds = [...roundCounts[i]].sort(([a], [b]) => a - b).map(([n, k]) => `${n} rounds: ${k}`).join(', ');
  const share = (n) => `${n} (${((100 * n) / totals[i]).toFixed(1)}% of its builds)`;
  console.log(`  ${c.label.padEnd(width)} ${rounds}; later rounds ${share(laterBuilds[i])}; closing check ${share(recheckBuilds[i])}`);
});
