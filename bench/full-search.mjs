// Benchmark 2, real: a full search (every candidate of the default profile) of each bundled example,
// from a cold cache (an empty $TINYX_CACHE: kernel tree unpacked, start kernel built, ccache empty)
// and/or the warm one, then `tinyx verify` of each result. Prints builds, wall time per stage,
// final sizes and whether the first guess held. Hours on 2 cores for all three; run after `npm run build`:
//   node bench/full-search.mjs [--examples hello-http,lighttpd,py-notes] [--caches cold,warm] [--out DIR] [-- MORE MINIMIZE FLAGS]
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, EXAMPLES, minimizeArgs } from '../scripts/examples.mjs';

const args = process.argv.slice(2);
const dash = args.indexOf('--');
const more = dash < 0 ? [] : args.slice(dash + 1);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 || (dash >= 0 && i > dash) ? fallback : args[i + 1];
};
const names = flag('--examples', Object.keys(EXAMPLES).join(',')).split(',');
const caches = flag('--caches', 'cold,warm').split(',');
const outRoot = path.resolve(flag('--out', await mkdtemp(path.join(tmpdir(), 'tinyx-bench2-'))));
for (const n of names) if (!EXAMPLES[n]) throw new Error(`unknown example ${n}`);
await mkdir(outRoot, { recursive: true });

const rows = [];
for (const name of names) {
  for (const cache of caches) {
    const out = path.join(outRoot, `${name}-${cache}`);
    const env = { ...process.env };
    let coldDir;
    if (cache === 'cold') env.TINYX_CACHE = coldDir = await mkdtemp(path.join(outRoot, 'cache-'));
    process.stderr.write(`bench2: ${name}, ${cache} cache -> ${out}\n`);
    const began = Date.now();
    const run = await execa('node', [CLI, ...minimizeArgs(name, ['--out', out, ...more])], { env, reject: false, stdio: 'inherit' });
    const wall = (Date.now() - began) / 1000;
    const verify = run.exitCode === 0 ? await execa('node', [CLI, 'verify', out], { env, reject: false, all: true }) : undefined;
    const report = run.exitCode === 0 ? JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) : undefined;
    rows.push({ name, cache, exit: run.exitCode, wall, report, verified: verify?.exitCode === 0, verifyTail: verify?.all?.split('\n').slice(-3).join(' | ') });
    if (coldDir) await rm(coldDir, { recursive: true, force: true });
  }
}

const kib = (n) => `${Math.round(n / 1024)} KiB`;
console.log('\nexample      cache  exit  wall     builds  guess   bzImage start -> final      initramfs  options =y   verify');
for (const r of rows) {
  const p = r.report;
  const guess = p ? (p.guess.source === 'none' ? 'none' : `${p.guess.source}:${p.guess.held ? 'held' : 'failed'}`) : '-';
  console.log([
    r.name.padEnd(12), r.cache.padEnd(6), String(r.exit).padEnd(5), `${Math.round(r.wall)} s`.padEnd(8), String(p?.builds ?? '-').padEnd(7), guess.padEnd(7),
    (p ? `${kib(p.start.bzImageBytes)} -> ${kib(p.final.bzImageBytes)}` : '-').padEnd(26), (p ? kib(p.final.initramfsBytes) : '-').padEnd(10),
    (p ? `${p.start.optionsEnabled} -> ${p.final.optionsEnabled}` : '-').padEnd(12), r.verified ? 'ok' : `FAILED ${r.verifyTail ?? ''}`,
  ].join(' '));
}
for (const r of rows) if (r.report) console.log(`${r.name} ${r.cache}: stages ${Object.entries(r.report.stages).map(([s, t]) => `${s} ${t} s`).join(', ')}; kept ${r.report.kept.join(' ')}`);
console.log(`\nout dirs under ${outRoot}`);
