// Benchmark 1 on the real x86 Kconfig model: the default profile's start config, its real
// candidates, and a hidden "required" set; the model decides pass/fail instantly.
// Run after `npx tsc -p .`:
//   node bench/search-kconfig.mjs [--parallel N] [--seeds N] [--profile NAME] [--port N] [--compression NAME] [--kernel-trace FILE]
//     [--groups calls,example] [--columns one-at-a-time,bisect+guess,bisect+guess+calls]
//
// --compression NAME: the run's compression, as `tinyx minimize --compression` resolves it (default
// xz, what auto picks for the bundled examples): the start config gets its RD_ option and kernel
// compression, and that RD_ option is the harness's (the profile's RD_<compression>), no candidate.
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
// The `bisect+guess` columns give the search a learned first guess, as minimize does from the
// profile's search.prior and the knowledge file: learned only from the other scenarios (each one
// finished run that needed its hidden set) and the bundled examples' sets in search.prior, never
// from the scenario's own set. A cell says whether the guess (g) and its core (c) held (+) or failed (-).
//
// The search runs through the same searchKernel() as `tinyx minimize` (by src/search/model-oracle.ts's
// searchWithModel, which minimize's one-at-a-time reference uses too), rounds included (after each round the candidates of the config it reached are planned again, and options that became free,
// such as what a removed option selected, make another round): no-ops are skipped by the
// engine, every tried config is normalized (here by the engine's olddefconfig, which agrees with
// the kernel's on every symbol) and each distinct normalized config is "built" once. A verdict is
// pass iff every required option is still =y after normalization, so removing an option that a
// required one depends on fails too, as it would for real.
import { readFile } from 'node:fs/promises';
import { canonicalDotConfig, enabledSymbols } from '../dist/kconfig/dotconfig.js';
import { withValues } from '../dist/kconfig/kernel.js';
import { loadKconfig } from '../dist/kconfig/engine.js';
import { makeStartConfig } from '../dist/profile/start-config.js';
import { loadProfile, DEFAULT_PROFILE } from '../dist/profile/load.js';
import { harnessNeeds } from '../dist/profile/harness.js';
import { planCandidates } from '../dist/search/candidates.js';
import { learnedGuess, withCallEvidence } from '../dist/search/guess.js';
import { resolveApp } from '../dist/deps/index.js';
import { readAppNeeds } from '../dist/syscalls/app.js';
import { searchWithModel } from '../dist/search/model-oracle.js';
import { growth } from '../dist/search/fixpoint.js';
import { openKernel } from '../dist/search/context.js';
import { hostFacts } from '../dist/plan/host.js';
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
const NETWORK = PORT > 0 ? { guestPort: PORT } : undefined;
const COMPRESSION = flag('--compression', 'xz');
const profile = await loadProfile(flag('--profile', DEFAULT_PROFILE));

const { source, tool } = await openKernel({ profile, cache: hostFacts().cacheRoot });
const model = await loadKconfig(source.dir, { arch: 'x86' });
const start = (await makeStartConfig(tool, profile, COMPRESSION)).config;
const plan = planCandidates(start, profile, model, { network: NETWORK, compression: COMPRESSION });
const live = plan.candidates.filter((c) => !plan.isNoop(c.name));
console.log(`kernel ${source.version}, profile ${profile.name}: ${enabledSymbols(start).length} options =y at the start, ` +
  `${plan.candidates.length} candidates, ${plan.candidates.length - live.length} no-ops, ${live.length} live ` +
  `(port ${PORT}, ${COMPRESSION}: ${harnessNeeds(profile, NETWORK, COMPRESSION).length} options kept for the harness)`);

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

const ALL_COLUMNS = [
  { label: 'one-at-a-time', strategy: 'one-at-a-time' },
  { label: 'ddmin', strategy: 'ddmin' },
  { label: 'bisect', strategy: 'bisect' },
  ...(traced ? [{ label: 'bisect+trace', strategy: 'bisect', candidates: traced }] : []),
  { label: 'one-at-a-time/mono', strategy: 'one-at-a-time', monotone: true },
  { label: 'bisect/mono', strategy: 'bisect', monotone: true },
  ...(traced ? [{ label: 'bisect+trace/mono', strategy: 'bisect', candidates: traced, monotone: true }] : []),
  { label: 'bisect+guess', strategy: 'bisect', guess: true },
  { label: 'bisect+guess/mono', strategy: 'bisect', guess: true, monotone: true },
  { label: 'bisect+guess+calls', strategy: 'bisect', guess: true, calls: true },
];
// --columns A,B: only these columns (each ratio still needs its one-at-a-time reference column).
const COLUMNS = flag('--columns') ? ALL_COLUMNS.filter((c) => flag('--columns').split(',').includes(c.label)) : ALL_COLUMNS;

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

/**
 * The first guess a scenario's run would get, learned only from the others (leave-one-out): each
 * other scenario is one finished run that needed its hidden set (a scenario with the same set as
 * this one, under another label, is left out too, and equal sets count once), plus the profile's
 * search.prior without this scenario's own example.
 */
function guessFor(scenario, calls = false) {
  const key = (set) => [...set].sort().join(' ');
  const own = key(scenario.required);
  const sets = new Map();
  // A calls scenario learns from every other app's runs; the older groups' guesses stay what they were without them.
  const learnsFrom = (s) => !s.example && (scenario.app ? s.app !== scenario.app : !s.app);
  for (const s of scenarios) if (s !== scenario && learnsFrom(s) && key(s.required) !== own) sets.set(key(s.required), s);
  const runs = [...sets.values()].map((s) => ({
    app: s.label, kernelVersion: source.version, finishedAt: '', needed: [...s.required].map((option) => ({ option, verdict: 'fail' })),
  }));
  const learned = learnedGuess(profile.search.prior.filter((p) => p.example !== scenario.example), runs);
  return calls && scenario.calls ? withCallEvidence(learned, new Map(), scenario.calls) : learned;
}

async function measure({ strategy, candidates, monotone = false, guess = false, calls = false }, scenario) {
  const { result, oracle } = await searchWithModel({
    model, profile, start, network: NETWORK, compression: COMPRESSION, required: scenario.required, strategy, candidates, monotone, parallel: PARALLEL,
    guess: guess ? guessFor(scenario, calls) : undefined,
  });
  const passes = oracle.passes(result.final.config);
  // 1-minimal: removing any single candidate of the final config (planned afresh) fails, changes
  // nothing, or turns on more options than it turns off (EXPERT: no reduction, as the search sees it).
  const minimal = passes && planCandidates(result.final.config, profile, model, { network: NETWORK, compression: COMPRESSION }).candidates.every(({ name }) => {
    const without = model.resolve(withValues(result.final.config, [name], 'n'));
    return sha256(canonicalDotConfig(without)) === result.final.hash || !oracle.passes(without) || growth({ config: without }, result.final) !== undefined;
  });
  return {
    builds: oracle.builds, enabled: enabledSymbols(result.final.config).length, minimal, guess: result.guess,
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
  for (let seed = 1; seed <= SEEDS; seed++) scenarios.push({ label: `server+${extra} s${seed}`, group: 'server+N', required: serverSet(seed * 104729 + extra, extra) });
}
if (traced) {
  for (const extra of [5, 10]) {
    for (let seed = 1; seed <= SEEDS; seed++) scenarios.push({ label: `server+${extra}ran s${seed}`, group: 'server+Nran', required: serverSet(seed * 104729 + extra, extra, ran) });
  }
  for (let seed = 1; seed <= SEEDS; seed++) scenarios.push({ label: `10 ran s${seed}`, group: 'N ran', required: hiddenSet(seed * 7919 + 10, 10, ran) });
}
for (const count of [5, 10, 20, 40]) {
  for (let seed = 1; seed <= SEEDS; seed++) scenarios.push({ label: `${count} random s${seed}`, group: 'N random', required: hiddenSet(seed * 7919 + count, count) });
}

/**
 * Apps as Lupine found them: a common base plus 0-13 options of their own, and the options of
 * their own mostly shared with other apps (Lupine's general config is its base plus the few dozen
 * options its 20 apps needed between them). Those are the scenarios a learned guess is for: the
 * base is in every other run, an app's own options often in some. Here the base is the server's
 * needs (SERVER minus what the harness keeps), and an app adds K options drawn from a fixed
 * APP_POOL of 19 pool options (with their parents). The server+N scenarios draw their extras from
 * the whole pool instead: needs no other run had, which no guess can know.
 */
const BASE = SERVER.filter((n) => live.some((c) => c.name === n));
const APP_POOL = (() => {
  const random = rng(31337);
  const from = pool.filter((c) => !BASE.includes(c.name));
  const drawn = new Set();
  while (drawn.size < Math.min(19, from.length)) drawn.add(from[Math.floor(random() * from.length)]);
  return [...drawn];
})();
function appSet(seed, count) {
  const required = new Set(BASE);
  const own = hiddenSet(seed, count, APP_POOL);
  for (const n of own) required.add(n);
  return required;
}
// "Several seeds" even with --seeds 1: the guess of one app is learned from the others; K=0 has one set only.
const BASE_SEEDS = Math.max(SEEDS, 3);
for (const count of [0, 2, 5]) {
  for (let seed = 1; seed <= (count === 0 ? 1 : BASE_SEEDS); seed++) scenarios.push({ label: `base+${count} s${seed}`, group: 'base+K', required: appSet(seed * 7907 + count, count) });
}
/**
 * Apps as their binaries show them: the options the calls of real ELF closures can reach (the
 * bundled examples' and Debian servers', read by the same analysis as minimize's syscalls stage),
 * as the bisect+guess+calls column's guess gets them beside what other runs needed. An app needs
 * the server's base and about half of what its binaries can reach, drawn per seed; a bundled
 * example needs what its real runs needed (search.prior), its binaries' calls as evidence.
 */
const CALL_APPS = [
  { app: 'hello-http', path: 'examples/hello-http/build/server' },
  { app: 'go-http', path: 'examples/go-http/build/server' },
  { app: 'lighttpd', path: '/usr/sbin/lighttpd' },
  { app: 'py-notes', path: 'examples/py-notes/notes.py' },
  { app: 'sshd', path: '/usr/sbin/sshd' },
];
const callsOf = new Map();
for (const { app, path: file } of CALL_APPS) {
  const { reachable, reachableOptions } = await readAppNeeds(await resolveApp(file), source.dir, hostFacts().cacheRoot);
  const options = new Map([...reachableOptions].filter(([option]) => live.some((c) => c.name === option)));
  callsOf.set(app, options);
  console.log(`calls of ${app} (${file}): ${reachable.size} syscalls reachable; live candidates they need: ${[...options.keys()].join(' ') || 'none'}`);
}
for (const [app, options] of callsOf) {
  const names = [...options.keys()].filter((n) => !BASE.includes(n));
  for (let seed = 1; seed <= BASE_SEEDS && names.length > 0; seed++) {
    const random = rng(seed * 6007 + names.length);
    const required = new Set(BASE);
    for (const n of names) if (random() < 0.5) required.add(n);
    scenarios.push({ label: `calls ${app} s${seed}`, group: 'calls', app, calls: options, required });
  }
}
/** The bundled examples' real needed sets, when the profile ships a search.prior (scripts/learn-prior.mjs writes it). */
// An example that needed nothing beyond the harness is a scenario too: every candidate removable.
const examples = profile.search.prior.map((p) => p.example);
for (const { example, needed } of profile.search.prior) {
  scenarios.push({ label: `example ${example}`, group: 'example', example, calls: callsOf.get(example), required: new Set(needed.filter((n) => start.get(n) === 'y')) });
}
console.log(`base+K: base ${BASE.join(' ')}; app pool ${APP_POOL.map((c) => c.name).join(' ')}`);
console.log(`search.prior: ${examples.length ? profile.search.prior.map((p) => `${p.example} [${p.needed.join(' ')}]`).join(', ') : 'none'}`);

// --groups A,B: only the scenarios of these groups (each still learns its guess from all the others).
const measured = flag('--groups') ? scenarios.filter((s) => flag('--groups').split(',').includes(s.group)) : scenarios;
const began = Date.now();
const ratio = (x, ref) => (x / ref).toFixed(2);
const width = Math.max(...COLUMNS.map((c) => c.label.length)) + 1;
const labelWidth = Math.max(18, ...measured.map((s) => s.label.length));
console.log(`\nbuilds per strategy; the ratio is to one-at-a-time (for /mono columns: to one-at-a-time/mono); parallel=${PARALLEL}`);
console.log(`a cell is "builds ratio" and ends in "!" if the result was not 1-minimal or not as small as one-at-a-time's;`);
console.log(`a guess column's cell also says whether the learned guess (g) and then its core (c) held (+) or failed (-)`);
console.log(['scenario'.padEnd(labelWidth), 'need', ...COLUMNS.map((c) => c.label.padStart(width))].join(' '));
const refOf = (c) => COLUMNS.findIndex((r) => r.strategy === 'one-at-a-time' && !!r.monotone === !!c.monotone && !r.guess);
const totals = COLUMNS.map(() => 0);
const worst = COLUMNS.map(() => 0);
const flawed = COLUMNS.map(() => 0);
/** Per group (and 'all'): total builds per column. */
const groups = new Map();
/** Per guess column: how often the guess and its core held, failed, or were not tried. */
const guessCounts = COLUMNS.map(() => ({ held: 0, failed: 0, none: 0, coreHeld: 0, coreFailed: 0 }));
/** Per column: scenarios by their number of fixpoint rounds; builds of the rounds after the first; builds of the closing check. */
const roundCounts = COLUMNS.map(() => new Map());
const laterBuilds = COLUMNS.map(() => 0);
const recheckBuilds = COLUMNS.map(() => 0);
const mark = (trial) => (trial ? (trial.held ? '+' : '-') : '');
for (const scenario of measured) {
  const runs = [];
  for (const column of COLUMNS) runs.push(await measure(column, scenario));
  for (const group of [scenario.group, 'all']) {
    const sums = groups.get(group) ?? { scenarios: 0, builds: COLUMNS.map(() => 0) };
    sums.scenarios++;
    runs.forEach((r, i) => (sums.builds[i] += r.builds));
    groups.set(group, sums);
  }
  const cells = runs.map((r, i) => {
    const ref = runs[refOf(COLUMNS[i])];
    totals[i] += r.builds;
    roundCounts[i].set(r.rounds, (roundCounts[i].get(r.rounds) ?? 0) + 1);
    laterBuilds[i] += r.later;
    recheckBuilds[i] += r.recheck;
    worst[i] = Math.max(worst[i], r.builds / ref.builds);
    const bad = !r.minimal || r.enabled > runs[0].enabled;
    if (bad) flawed[i]++;
    let guess = '';
    if (COLUMNS[i].guess) {
      const g = guessCounts[i];
      if (!r.guess) g.none++;
      else {
        if (r.guess.held) g.held++;
        else g.failed++;
        if (r.guess.core) r.guess.core.held ? g.coreHeld++ : g.coreFailed++;
      }
      guess = r.guess ? ` g${mark(r.guess)}${r.guess.core ? `c${mark(r.guess.core)}` : ''}` : ' g?';
    }
    return `${r.builds} ${ratio(r.builds, ref.builds)}${guess}${bad ? '!' : ''}`.padStart(width);
  });
  console.log([scenario.label.padEnd(labelWidth), String(scenario.required.size).padStart(4), ...cells].join(' '));
}
console.log('\nall scenarios: total builds (ratio of totals), worst ratio, results not 1-minimal or larger');
COLUMNS.forEach((c, i) => {
  console.log(`  ${c.label.padEnd(width)} ${String(totals[i]).padStart(6)} (${ratio(totals[i], totals[refOf(c)])}), worst ${worst[i].toFixed(2)}, ${flawed[i]}`);
});
console.log('\nby scenario group: ratio of total builds to one-at-a-time (/mono: to one-at-a-time/mono); the guess aims at <= 0.2x for servers');
console.log(['group'.padEnd(labelWidth), 'runs', ...COLUMNS.map((c) => c.label.padStart(width))].join(' '));
for (const [group, sums] of [...groups].sort(([a], [b]) => (a === 'all') - (b === 'all'))) {
  const cells = COLUMNS.map((c, i) => `${sums.builds[i]} ${ratio(sums.builds[i], sums.builds[refOf(c)])}`.padStart(width));
  console.log([group.padEnd(labelWidth), String(sums.scenarios).padStart(4), ...cells].join(' '));
}
console.log('\nthe learned guess: scenarios where it held / failed / was not tried (nothing learned, or it kept every candidate); then its core');
COLUMNS.forEach((c, i) => {
  if (!c.guess) return;
  const g = guessCounts[i];
  console.log(`  ${c.label.padEnd(width)} guess held ${g.held}, failed ${g.failed}, not tried ${g.none}; core held ${g.coreHeld}, failed ${g.coreFailed}`);
});
console.log('\nfixpoint rounds (scenarios per number of rounds), builds of the rounds after the first, builds of the closing check on the final config');
COLUMNS.forEach((c, i) => {
  const rounds = [...roundCounts[i]].sort(([a], [b]) => a - b).map(([n, k]) => `${n} rounds: ${k}`).join(', ');
  const share = (n) => `${n} (${((100 * n) / totals[i]).toFixed(1)}% of its builds)`;
  console.log(`  ${c.label.padEnd(width)} ${rounds}; later rounds ${share(laterBuilds[i])}; closing check ${share(recheckBuilds[i])}`);
});
console.log(`\n${measured.length} scenarios x ${COLUMNS.length} columns in ${((Date.now() - began) / 60000).toFixed(1)} min`);
