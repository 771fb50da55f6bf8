#!/usr/bin/env node
// Regenerates a profile's shipped first guess (search.prior; the default profile's unless --profile) from full runs of the bundled
// examples, and prints where each option came from. Run after `npm run build`:
//   node scripts/learn-prior.mjs [--profile qemu-x86_64] [--examples hello-http,lighttpd,py-notes] [--out out/prior]
//                                [--seed profile|none] [--runs DIR] [--dry-run]
//
// For each example it runs `tinyx minimize` over every candidate of the profile into OUT/<example>
// (a finished run there is reused; an interrupted one resumes from its journal), then writes
// search.prior in profiles/<profile>.yaml: for each example, the options its finished run kept
// because removing them alone failed (an empty list: it needs nothing beyond the harness). Examples
// without a finished run are left out, and said so.
//
// --seed profile (the default) starts each run from the profile's own kernel.enable list as its
// first guess (given as --from): what the profile's author declared a target needs, not what any run
// found. The search still tests every candidate (the guess's removals together, then each option it
// keeps alone, then every candidate of the final config alone), so each option the prior lists was
// proven needed by a failing run. --seed none searches from scratch (hours more on 2 cores).
// No run reads an earlier prior or the knowledge file (--no-prior), so no example is helped by
// another's answer or by its own.
//
// --runs DIR takes an example's finished run from DIR/<example>-<profile> where there is one (the
// out dirs bench/vm.mjs writes, e.g. a microvm run started from the same example's pc result with
// --from-first) instead of running it: such a run tested every candidate too (its guess's removals
// together, then each option it kept alone), only from another first guess, which the profile's
// comment names ("guess from"). Examples without one run into --out as above.
import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { neededOptions } from '../dist/search/knowledge.js';
import { CLI, EXAMPLES, minimizeArgs } from './examples.mjs';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const names = flag('--examples', Object.keys(EXAMPLES).join(',')).split(',');
const outRoot = path.resolve(flag('--out', path.join(root, 'out', 'prior')));
const seed = flag('--seed', 'profile');
const profileName = flag('--profile', 'qemu-x86_64');
const profileFile = path.join(root, 'profiles', `${profileName}.yaml`);
const runsDir = flag('--runs') && path.resolve(flag('--runs'));
for (const name of names) if (!EXAMPLES[name]) throw new Error(`unknown example ${name}; known: ${Object.keys(EXAMPLES).join(', ')}`);
if (seed !== 'profile' && seed !== 'none') throw new Error('--seed is profile or none');

const readJson = async (file) => JSON.parse(await readFile(file, 'utf8'));
const finished = async (out) => {
  try {
    const [run, report] = await Promise.all([readJson(path.join(out, 'run.json')), readJson(path.join(out, 'report.json'))]);
    return run.candidates === undefined ? report : undefined;
  } catch {
    return undefined;
  }
};

const doc = parseDocument(await readFile(profileFile, 'utf8'));
/** What a finished run's first guess came from: `from PATH` (its --from), or the guess's source. */
const guessFrom = async (out, report) => {
  const { from } = await readJson(path.join(out, 'run.json'));
  return report.guess?.source === 'from' && from ? `from ${path.relative(root, from) || from}` : (report.guess?.source ?? 'none');
};

/** Where an example's run is: a finished one under --runs, else OUT/<example>. */
const runDir = async (name) => {
  const given = runsDir && path.join(runsDir, `${name}-${profileName}`);
  return given && (await finished(given)) ? given : path.join(outRoot, name);
};

await mkdir(outRoot, { recursive: true });
const seedFile = path.join(outRoot, 'seed.config');
const enable = doc.getIn(['kernel', 'enable']).toJSON();
await writeFile(seedFile, enable.map((n) => `CONFIG_${n}=y\n`).join(''));

for (const name of Object.keys(EXAMPLES)) {
  const out = await runDir(name);
  if (!names.includes(name) || (await finished(out)) || args.includes('--dry-run')) continue;
  // No compression comparison: its builds teach the prior nothing.
  const argv = minimizeArgs(name, ['--out', out, '--profile', profileFile, '--no-prior', '--compare-compression', 'none', ...(seed === 'profile' ? ['--from', seedFile] : [])]);
  process.stderr.write(`learn-prior: ${name}: tinyx ${argv.join(' ')}\n`);
  await execa('node', [CLI, ...argv], { stdio: 'inherit' });
}

/** example -> the options its finished run needed; and where each came from. */
const prior = new Map();
const used = [];
for (const name of Object.keys(EXAMPLES)) {
  const out = await runDir(name);
  const report = await finished(out);
  if (!report) {
    console.log(`${name}: no finished full run in ${out}; not in the prior`);
    continue;
  }
  const needed = neededOptions(report.kept, report.noops, report.keptReasons).map((n) => n.option);
  used.push(`${name} (kernel ${report.kernelVersion}, ${report.builds} builds, ${report.wallSeconds} s, guess ${await guessFrom(out, report)})`);
  console.log(`${name}: ${needed.length} options needed beyond the harness${needed.length ? ':' : ' (every candidate removed, or kept as a no-op or for growing the config)'}`);
  for (const n of needed) console.log(`  ${n}: ${report.keptReasons[n]}`);
  prior.set(name, needed);
}

// Read again: the runs take hours, and the profile may have been edited meanwhile.
const current = parseDocument(await readFile(profileFile, 'utf8'));
const map = current.createNode(Object.fromEntries(prior));
for (const pair of map.items) pair.value.flow = true;
map.commentBefore = ` Written by scripts/learn-prior.mjs (never by hand) from full runs of: ${used.join('; ') || 'none'}.`;
current.setIn(['search', 'prior'], map);
if (args.includes('--dry-run')) console.log(`\n--dry-run: ${profileFile} not written`);
else {
  const text = current.toString({ lineWidth: 0, flowCollectionPadding: false });
  await writeFile(profileFile, text.endsWith('\n') ? text : `${text}\n`);
  console.log(`\nwrote search.prior (${prior.size} examples) to ${profileFile}`);
}
