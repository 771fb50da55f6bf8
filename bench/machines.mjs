// Benchmark: the same app minimized on QEMU's pc machine (profile qemu-x86_64) and on microvm (qemu-microvm), side by
// side in one run: kernel and initramfs sizes, boot times (to init, to the app, to its port; the final VM's median
// under the accelerator named), least guest memory. The searches are bounded alike (--candidates, default SIGNALFD),
// so the kernels differ by what the profiles differ by (PCI and virtio-pci, or virtio-mmio); pass --full for every
// candidate (hours). Run after `npm run build`:
//   node bench/machines.mjs [--example hello-http] [--candidates A,B] [--full] [--out DIR]
import { execa } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, EXAMPLES, minimizeArgs } from '../scripts/examples.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const example = flag('--example', 'hello-http');
if (!EXAMPLES[example]) throw new Error(`unknown example ${example}`);
const bounded = args.includes('--full') ? [] : ['--candidates', flag('--candidates', 'SIGNALFD')];
const outRoot = path.resolve(flag('--out', await mkdtemp(path.join(tmpdir(), 'tinyx-bench-machines-'))));

const rows = [];
for (const profile of ['qemu-x86_64', 'qemu-microvm']) {
  const out = path.join(outRoot, `${example}-${profile}`);
  process.stderr.write(`bench-machines: ${example} on ${profile} -> ${out}\n`);
  const began = Date.now();
  const run = await execa('node', [CLI, ...minimizeArgs(example, ['--out', out, '--profile', profile, ...bounded, '--compare-compression', 'none'])], { reject: false, stdio: 'inherit' });
  const report = run.exitCode === 0 ? JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) : undefined;
  rows.push({ profile, exit: run.exitCode, wall: (Date.now() - began) / 1000, report });
}

const ms = (v) => (v === undefined ? '-' : `${(v / 1000).toFixed(2)} s`);
console.log(`\n${example}, ${bounded.length ? `bounded (${bounded[1]})` : 'full search'}:`);
console.log('profile        exit  machine             bzImage    initramfs  whole VM   options  init     app      port     least memory');
for (const { profile, exit, report: r } of rows) {
  const script = await readFile(path.join(outRoot, `${example}-${profile}`, 'run.sh'), 'utf8').catch(() => '');
  const b = r?.boot?.final ?? {};
  console.log([
    profile.padEnd(14), String(exit).padEnd(5), (/-machine (\S+)/.exec(script)?.[1] ?? '-').padEnd(19),
    String(r?.final.bzImageBytes ?? '-').padEnd(10), String(r?.final.initramfsBytes ?? '-').padEnd(10),
    String(r ? r.final.bzImageBytes + r.final.initramfsBytes : '-').padEnd(10), String(r?.final.optionsEnabled ?? '-').padEnd(8),
    ms(b.initMs).padEnd(8), ms(b.appMs).padEnd(8), ms(b.readyMs).padEnd(8), r?.memory ? `${r.memory.leastMiB} MiB` : '-',
  ].join(' ') + (r ? `  (${r.boot.accel})` : ''));
}
console.log(`\nout dirs under ${outRoot}`);
