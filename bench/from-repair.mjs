// Benchmark: the builds a `--from` re-run needs when the app changed and now needs one more option its previous
// result removed, with the failing guess widened by what other runs needed (the default) against without
// (`--no-prior`: its removals searched by the strategy), side by side on the real x86 Kconfig model, which judges
// each config instantly (src/search/model-oracle.ts; each distinct normalized config is one build).
// Scenarios: for each bundled example of the profile's search.prior, its previous result is a model search that
// needed what its full run needed; the changed app needs that plus one option, either one another example needed
// (the widened guess has it) or one drawn from the candidates nothing needed (the widened guess misses, and costs
// its one test). Run after `npx tsc -p .`:
//   node bench/from-repair.mjs [--seeds N] [--strategy NAME]
import { enabledSymbols } from '../dist/kconfig/dotconfig.js';
import { loadKconfig } from '../dist/kconfig/engine.js';
import { makeStartConfig } from '../dist/profile/start-config.js';
import { loadProfile, DEFAULT_PROFILE } from '../dist/profile/load.js';
import { planCandidates } from '../dist/search/candidates.js';
import { fromGuess, learnedGuess } from '../dist/search/guess.js';
import { searchWithModel } from '../dist/search/model-oracle.js';
import { openKernel } from '../dist/search/context.js';
import { hostFacts } from '../dist/plan/host.js';
import { rng } from '../dist/util/rng.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const SEEDS = Number(flag('--seeds', 3));
const STRATEGY = flag('--strategy', 'bisect');
const NETWORK = { guestPort: 80 };
const COMPRESSION = 'xz';

const profile = await loadProfile(DEFAULT_PROFILE);
const { source, tool } = await openKernel({ profile, cache: hostFacts().cacheRoot });
const model = await loadKconfig(source.dir, { arch: 'x86' });
const start = (await makeStartConfig(tool, profile, COMPRESSION)).config;
const plan = planCandidates(start, profile, model, { network: NETWORK, compression: COMPRESSION });
const live = plan.candidates.filter((c) => !plan.isNoop(c.name)).map((c) => c.name);
const prior = profile.search.prior;
const learned = learnedGuess(prior, []);
const base = { model, profile, start, network: NETWORK, compression: COMPRESSION, strategy: STRATEGY };
console.log(`kernel ${source.version}, profile ${profile.name}, ${STRATEGY}: ${live.length} live candidates; learned guess keeps ${[...learned.keep.keys()].join(', ')}`);

/** The scenarios: each example, and the one option its changed app needs more. */
const scenarios = [];
for (const p of prior) {
  for (const other of [...learned.keep.keys()].filter((n) => !p.needed.includes(n))) scenarios.push({ example: p.example, needed: p.needed, extra: other, kind: 'another example needed it' });
  const random = rng(p.example.length);
  const pool = live.filter((n) => !learned.keep.has(n));
  for (let s = 0; s < SEEDS; s++) scenarios.push({ example: p.example, needed: p.needed, extra: pool[Math.floor(random() * pool.length)], kind: 'nothing needed it' });
}

console.log('| example | needs now | why | builds, widened (default) | builds, --no-prior | widened guess |');
console.log('|---|---|---|---:|---:|---|');
const totals = { widened: 0, plain: 0 };
for (const s of scenarios) {
  const { result: previous } = await searchWithModel({ ...base, required: s.needed, guess: learned });
  const required = [...s.needed, s.extra];
  const runs = {};
  for (const [label, guess] of [['widened', fromGuess(previous.final.config, 'previous', true, learned)], ['plain', fromGuess(previous.final.config, 'previous', true)]]) {
    const { result, oracle } = await searchWithModel({ ...base, required, guess });
    const missing = required.filter((n) => result.final.config.get(n) !== 'y');
    if (missing.length) throw new Error(`${s.example} +${s.extra} (${label}): the result lost ${missing.join(' ')}`);
    runs[label] = { builds: oracle.builds, guess: result.guess, enabled: enabledSymbols(result.final.config).join(' ') };
    totals[label] += oracle.builds;
  }
  if (runs.widened.enabled !== runs.plain.enabled) console.log(`  note: ${s.example} +${s.extra}: the two results differ`);
  const w = runs.widened.guess?.widened;
  console.log(`| ${s.example} | +${s.extra} | ${s.kind} | ${runs.widened.builds} | ${runs.plain.builds} | ${w ? (w.held ? `held (+${w.added.join(' +')})` : 'failed') : 'none'} |`);
}
console.log(`\ntotal builds over ${scenarios.length} scenarios: widened ${totals.widened}, --no-prior ${totals.plain} (ratio ${(totals.widened / totals.plain).toFixed(2)})`);
