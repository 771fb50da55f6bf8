// Simulated kernel-option and cmdline searches: evaluations per strategy, vs one-at-a-time, 1-minimality.
// Run after `npx tsc -p .`: node bench/search-sim.mjs [--parallel N] [--monotone] [--size 600]
//   [--space file.json]  adds a space of your own: { "candidates": [SearchCandidate...], "required": [names] }
// An evaluation is one build + boot; a wave is a round of evaluations running side by side.
import { readFileSync } from 'node:fs';
import { getStrategy } from '../dist/search/strategies/index.js';
import { STRATEGY_NAMES } from '../dist/profile/strategy-names.js';
import { rng } from '../dist/util/rng.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const PARALLEL = flag('--parallel', 1);
const SIZE = flag('--size', 600);
const MONOTONE = args.includes('--monotone');

/** Kernel-shaped options: big menus, many leaves, vendor gates never needed, deep gate chains. */
function kernelSpace(seed, size, share) {
  const random = rng(seed);
  const menus = [['General setup', 2], ['Processor', 1], ['Power', 1], ['Bus', 1], ['Networking', 3],
    ['Device Drivers', 5], ['File systems', 2], ['Security', 1]];
  const total = menus.reduce((s, [, w]) => s + w, 0);
  const candidates = [];
  const neverNeeded = new Set();
  const pickMenu = () => {
    let x = random() * total;
    for (const [m, w] of menus) if ((x -= w) < 0) return m;
    return menus[0][0];
  };
  const add = (menu, parent) => {
    const name = `OPT_${candidates.length}`;
    candidates.push(parent === undefined ? { name, menuPath: [menu] } : { name, menuPath: [menu], parent });
    return name;
  };
  const between = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
  const subtree = (menu, parent, depth) => {
    for (let i = between(2, 6); i > 0; i--) {
      const child = add(menu, parent);
      if (depth > 0 && random() < 0.3) subtree(menu, child, depth - 1);
    }
  };
  while (candidates.length < size) {
    const menu = pickMenu();
    const kind = random();
    if (kind < 0.55) add(menu);
    else if (kind < 0.8) {
      const gate = add(menu);
      for (let i = between(4, 15); i > 0; i--) neverNeeded.add(add(menu, gate));
    } else subtree(menu, add(menu), 3);
  }
  const parentOf = new Map(candidates.map((c) => [c.name, c.parent]));
  const required = new Set();
  const pool = candidates.map((c) => c.name).filter((n) => !neverNeeded.has(n));
  while (required.size < Math.round(share * candidates.length)) {
    for (let n = pool[Math.floor(random() * pool.length)]; n; n = parentOf.get(n)) required.add(n);
  }
  return { candidates, required };
}

/**
 * The same space as a boot trace would rank it (src/kernel-trace/rank.ts): needed options mostly ran,
 * unneeded ones mostly did not; groups lead the menu path, parents across groups are dropped.
 */
function traced(space, seed) {
  const random = rng(seed + 1000);
  const order = { 'not-executed': 0, unknown: 1, executed: 2 };
  const groupOf = new Map(space.candidates.map((c) => {
    const x = random();
    const group = space.required.has(c.name)
      ? (x < 0.85 ? 'executed' : 'unknown')
      : (x < 0.55 ? 'not-executed' : x < 0.8 ? 'unknown' : 'executed');
    return [c.name, group];
  }));
  const n = space.candidates.length;
  const candidates = space.candidates.map(({ parent, ...c }, i) => {
    const group = groupOf.get(c.name);
    const keep = parent !== undefined && groupOf.get(parent) === group;
    return { ...c, ...(keep ? { parent } : {}), priority: order[group] * n + i, menuPath: [`trace:${group}`, ...c.menuPath] };
  });
  return { ...space, strategyCandidates: candidates };
}

/** Boot tokens: flat, a few needed, one "A or B" pair. */
function cmdlineSpace(seed, size, needed) {
  const random = rng(seed);
  const candidates = Array.from({ length: size }, (_, i) => ({ name: `tok${i}` }));
  const required = new Set();
  while (required.size < needed) required.add(`tok${Math.floor(random() * size)}`);
  return { candidates, required, anyOf: [['tok1', 'tok2']] };
}

/** The caller's side: effective removal (a parent takes its subtree), verdict cache, counting. */
function oracle(space) {
  const children = new Map();
  for (const c of space.candidates) if (c.parent) children.set(c.parent, [...(children.get(c.parent) ?? []), c.name]);
  const effective = (removed) => {
    const out = new Set();
    const walk = (n) => {
      if (out.has(n)) return;
      out.add(n);
      (children.get(n) ?? []).forEach(walk);
    };
    removed.forEach(walk);
    return out;
  };
  const passes = (removed) => {
    const off = effective(removed);
    for (const r of space.required) if (off.has(r)) return false;
    return !(space.anyOf ?? []).some((g) => g.every((n) => off.has(n)));
  };
  const cache = new Map([['', Promise.resolve(true)]]);
  const o = { evaluations: 0, waves: 0, inFlight: 0, passes };
  const evaluate = async (removed) => {
    o.evaluations++;
    if (o.inFlight++ === 0) o.waves++;
    await new Promise((resolve) => setImmediate(resolve));
    o.inFlight--;
    return passes(removed);
  };
  o.test = (removed) => {
    const key = [...effective(removed)].sort().join(' ');
    if (!cache.has(key)) cache.set(key, evaluate(removed));
    return cache.get(key);
  };
  return o;
}

const scenarios = [];
for (const share of [0.05, 0.1]) {
  for (const seed of [1, 2, 3, 4]) scenarios.push({ label: `kernel ${SIZE} ${share * 100}% s${seed}`, space: kernelSpace(seed, SIZE, share) });
}
for (const seed of [1, 2]) scenarios.push({ label: `traced ${SIZE} 5% s${seed}`, space: traced(kernelSpace(seed, SIZE, 0.05), seed) });
for (const seed of [1, 2]) scenarios.push({ label: `cmdline 40 s${seed}`, space: cmdlineSpace(seed, 40, 3) });
if (args.includes('--space')) {
  const file = args[args.indexOf('--space') + 1];
  const json = JSON.parse(readFileSync(file, 'utf8'));
  scenarios.push({ label: file.split('/').pop().slice(0, 22), space: { ...json, required: new Set(json.required) } });
}

async function measure(name, space, parallel, monotone) {
  const o = oracle(space);
  const candidates = space.strategyCandidates ?? space.candidates;
  const result = await getStrategy(name).run({ candidates, test: o.test, parallel, monotone });
  const minimal = o.passes(result.removed) && result.kept.every((k) => !o.passes([...result.removed, k]));
  return { evaluations: o.evaluations, waves: o.waves, minimal };
}

const ratio = (x, ref) => (x / ref).toFixed(2);
console.log(`Per scenario (parallel=${PARALLEL}, monotone=${MONOTONE}): evaluations (ratio to one-at-a-time), 1-minimal`);
console.log(['scenario'.padEnd(22), 'cands', 'need', ...STRATEGY_NAMES.map((n) => n.padStart(18))].join(' '));
for (const { label, space } of scenarios) {
  const runs = [];
  for (const name of STRATEGY_NAMES) runs.push(await measure(name, space, PARALLEL, MONOTONE));
  const ref = runs[0].evaluations;
  const cells = runs.map((r) => `${r.evaluations} (${ratio(r.evaluations, ref)}) ${r.minimal ? 'ok' : 'NO'}`.padStart(18));
  console.log([label.padEnd(22), String(space.candidates.length).padStart(5), String(space.required.size).padStart(4), ...cells].join(' '));
}

console.log('\nAll scenarios: total evaluations (ratio) / waves; "!" if some result was not 1-minimal');
console.log(['slots  monotone'.padEnd(16), ...STRATEGY_NAMES.map((n) => n.padStart(24))].join(' '));
for (const parallel of [1, 2, 4]) {
  for (const monotone of [false, true]) {
    const totals = [];
    for (const name of STRATEGY_NAMES) {
      const t = { evaluations: 0, waves: 0, minimal: true };
      for (const { space } of scenarios) {
        const r = await measure(name, space, parallel, monotone);
        t.evaluations += r.evaluations;
        t.waves += r.waves;
        t.minimal &&= r.minimal;
      }
      totals.push(t);
    }
    const ref = totals[0].evaluations;
    const cells = totals.map((t) => `${t.evaluations} (${ratio(t.evaluations, ref)}) / ${t.waves}${t.minimal ? '' : ' !'}`.padStart(24));
    console.log([`${parallel}      ${monotone}`.padEnd(16), ...cells].join(' '));
  }
}
