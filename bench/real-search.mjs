// Benchmark 2, the real thing: `tinyx minimize` on the bundled example with the default profile,
// once per strategy, side by side in one run: real kernel builds, real QEMU boots, the real probe.
// Run after `npx tsc -p .` (and `make -C examples/hello-http`):
//   node bench/real-search.mjs [--candidates A,B,...] [--strategies bisect,one-at-a-time]
//
// A full candidate list (191 options from the default profile) costs one-at-a-time about a hundred
// builds or more, hours on a 2-core machine, so the default is a bounded list that mixes a needed
// option, removable ones and menu gates. Strategies share the kernel artifact store (a config built by
// one is not rebuilt by the next), so each row reports the distinct kernel configs it evaluated
// (= the builds it needs from an empty store) next to the builds it actually ran; the default
// strategy goes first, so the reference is the one that profits from the store.
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { minimize } from '../dist/run/minimize.js';
import { verify } from '../dist/run/verify.js';
import { loadProfile } from '../dist/profile/load.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const root = path.resolve(import.meta.dirname, '..');
const profile = await loadProfile();
// A mix of removable options, a needed one (VIRTIO_NET: no eth0 without it) and menu gates,
// leaving out INET, FUTEX and the like, whose flips recompile large parts of the kernel. Even so,
// a build took 37 s to 19 min on a shared 2-core machine, depending on what the slot built last.
const candidates = flag('--candidates', [
  'SIGNALFD', 'TIMERFD', 'EVENTFD', 'AIO', 'BINFMT_SCRIPT', 'VIRTIO_NET', 'NET_VENDOR_INTEL', 'WLAN',
].join(',')).split(',');
const strategies = flag('--strategies', `${profile.search.strategy},one-at-a-time`).split(',');

const rows = [];
for (const strategy of strategies) {
  const out = await mkdtemp(path.join(tmpdir(), `tinyx-bench-${strategy}-`));
  process.stderr.write(`${strategy}: minimizing into ${out}\n`);
  const result = await minimize({
    app: path.join(root, 'examples/hello-http/build/server'), appArgs: [], tests: path.join(root, 'examples/hello-http/probe.sh'),
    port: 80, profile, out, candidates, strategy, keepCmdline: true, finalRuns: 1, compareCompression: [],
    onEvent: (e) => {
      if (e.type === 'verdict' && !e.fromJournal) process.stderr.write(`  ${e.label}: ${e.verdict.status}${e.verdict.built ? ' (built)' : ''}\n`);
    },
  });
  const { report } = result.output;
  const journal = (await readFile(path.join(out, 'journal.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const configs = new Set(journal.filter((e) => e.label !== 'start').map((e) => e.verdict.configHash)).size;
  const checked = await verify(out);
  rows.push({
    strategy, configs, builds: result.builds, evaluations: result.evaluations, seconds: Math.round(result.wallSeconds),
    bzImage: report.final.bzImageBytes, enabled: report.final.optionsEnabled, kept: report.kept.join(' '), minimal: checked.ok,
  });
}

console.log(`\nhello-http, profile ${profile.name}, ${candidates.length} candidates: ${candidates.join(' ')}`);
console.log(['strategy'.padEnd(14), 'configs', 'built', 'evals', 'wall s', 'bzImage B', '=y', '1-min', 'kept'].join('  '));
for (const r of rows) {
  console.log([r.strategy.padEnd(14), String(r.configs).padStart(7), String(r.builds).padStart(5), String(r.evaluations).padStart(5),
    String(r.seconds).padStart(6), String(r.bzImage).padStart(9), String(r.enabled).padStart(3), (r.minimal ? 'yes' : 'NO').padStart(5), r.kept].join('  '));
}
const ref = rows.find((r) => r.strategy === 'one-at-a-time');
for (const r of rows) {
  if (r !== ref && ref) console.log(`${r.strategy} / one-at-a-time: ${(r.configs / ref.configs).toFixed(2)} of the kernel configs (builds from an empty store)`);
}
