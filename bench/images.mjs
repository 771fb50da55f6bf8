// Benchmark: `tinyx minimize --image IMAGE --tests PROBE` on each example image the set-up builds
// (scripts/example-images.mjs), with no other flag (lighttpd: --include /var/www/html, its site): a full search. Prints, per image, the image's size
// (layers as stored, unpacked), the VM's (kernel + initramfs), the ratios, the builds, the wall time per
// stage, the least memory and whether `tinyx verify` passes. Run after `bash scripts/setup.sh`:
//   node bench/images.mjs [--images hello-http.tar,lighttpd-debian.oci.tar] [--out DIR]
import { mkdtemp } from 'node:fs/promises';
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
// The probe of each image, and what the analysis cannot know (lighttpd's site, read only at run time, by its image path).
const EXAMPLES = {
  'hello-http.tar': { tests: 'examples/hello-http/probe.sh' },
  'hello-http-musl.tar': { tests: 'examples/hello-http/probe.sh' },
  'lighttpd-debian.oci.tar': { tests: 'examples/lighttpd/probe.sh', include: ['/var/www/html'] },
};
const images = flag('--images', Object.keys(EXAMPLES).join(',')).split(',');
const outRoot = flag('--out', undefined) ?? await mkdtemp(path.join(tmpdir(), 'tinyx-bench-images-'));
const profile = await loadProfile();
const mib = (n) => (n / 1048576).toFixed(2);

const rows = [];
for (const image of images) {
  const out = path.join(outRoot, image.replace(/\..*$/, ''));
  process.stderr.write(`${image}: minimizing into ${out}\n`);
  const began = Date.now();
  const result = await minimize({
    image: path.join(root, 'examples/images', image), appArgs: [], tests: path.join(root, EXAMPLES[image].tests), include: EXAMPLES[image].include, profile, out,
    onEvent: (e) => {
      if (e.type === 'stage') process.stderr.write(`  [${Math.round((Date.now() - began) / 1000)} s] ${e.stage}: ${e.message}\n`);
      if (e.type === 'verdict' && !e.fromJournal && e.verdict.built) process.stderr.write(`  ${e.label}: ${e.verdict.status} (built)\n`);
    },
  });
  const { report } = result.output;
  const vm = report.final.bzImageBytes + report.final.initramfsBytes;
  const checked = await verify(out);
  rows.push({
    image, layers: report.image.layersBytes, unpacked: report.image.unpackedBytes, vm, builds: report.builds, seconds: report.wallSeconds,
    stages: report.stages, leastMiB: report.memory?.leastMiB, verified: checked.ok,
  });
}

console.log(`# tinyx minimize --image, full search, profile ${profile.name} (${new Date().toISOString()})`);
console.log('| image | layers MiB | unpacked MiB | VM MiB | layers/VM | unpacked/VM | builds | wall s | least memory | verify |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  console.log(`| ${r.image} | ${mib(r.layers)} | ${mib(r.unpacked)} | ${mib(r.vm)} | ${(r.layers / r.vm).toFixed(1)}x | ${(r.unpacked / r.vm).toFixed(1)}x | ${r.builds} | ${r.seconds} | ${r.leastMiB ?? '-'} MiB | ${r.verified ? 'passes' : 'FAILS'} |`);
}
console.log('\nWall time per stage (s):');
for (const r of rows) console.log(`- ${r.image}: ${Object.entries(r.stages).map(([s, t]) => `${s} ${t}`).join(', ')}`);
