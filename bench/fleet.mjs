// Benchmark: `tinyx fleet run` over the bundled examples with full searches (every candidate of the default profile,
// the profile's defaults otherwise), three times in one out dir:
//   1. first run: no previous results (each app's first guess is the learned one);
//   2. unchanged re-run: nothing changed (target: <= 3 min for the fleet);
//   3. one app changed: hello-http rebuilt so that it needs epoll (a constructor calls epoll_create1), which its
//      first result removed; only it is searched again, from its previous result.
// Prints, per run, the fleet's wall time and per app its status, builds, wall time and option changes, then the
// shipped VMs' figures and `tinyx verify` of each. Uses
// $TINYX_CACHE as it is (say in a note whether it was warm); run after `npm run build`:
//   node bench/fleet.mjs [--examples hello-http,lighttpd,go-http,py-notes,sh-status] [--out DIR]
import { execa } from 'execa';
import { copyFile, mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI } from '../scripts/examples.mjs';

const root = path.resolve(import.meta.dirname, '..');
const ex = (p) => path.join(root, 'examples', p);
const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dir = path.resolve(flag('--out', await mkdtemp(path.join(tmpdir(), 'tinyx-bench-fleet-'))));

/** The fleet file's app entries, as the examples' READMEs run them. */
const APPS = {
  'hello-http': ['    app: ./hello-http/server', `    tests: ${ex('hello-http/probe.sh')}`, '    port: 80'],
  lighttpd: [
    '    app: /usr/sbin/lighttpd', `    tests: ${ex('lighttpd/probe.sh')}`, '    port: 80',
    `    include: ["${ex('lighttpd/lighttpd.conf')}:/etc/lighttpd/lighttpd.conf", "${ex('lighttpd/www')}:/var/www/html"]`,
    '    args: [-D, -f, /etc/lighttpd/lighttpd.conf]',
  ],
  'go-http': [`    app: ${ex('go-http/build/server')}`, `    tests: ${ex('go-http/probe.sh')}`, '    port: 8080'],
  'py-notes': [`    app: ${ex('py-notes/notes.py')}`, `    tests: ${ex('py-notes/probe.sh')}`, '    port: 8000', '    args: ["8000"]'],
  'sh-status': [
    `    app: ${ex('sh-status/status.sh')}`, `    tests: ${ex('sh-status/probe.sh')}`, '    port: 8093', '    trace: true',
    '    user: nobody', '    env: { GREETING: hello, PORT: "8093" }',
  ],
};
const names = flag('--examples', Object.keys(APPS).join(',')).split(',');
for (const n of names) if (!APPS[n]) throw new Error(`unknown example ${n}`);
if (!names.includes('hello-http')) throw new Error('the third run changes hello-http: keep it in --examples');

const NEEDS_EPOLL = `#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
__attribute__((constructor)) static void need_epoll(void) {
  int fd = epoll_create1(0);
  if (fd < 0) { perror("server: epoll_create1"); exit(1); }
}
`;

await mkdir(path.join(dir, 'hello-http'), { recursive: true });
await copyFile(ex('hello-http/build/server'), path.join(dir, 'hello-http/server'));
const fleet = path.join(dir, 'fleet.yaml');
await writeFile(fleet, ['apps:', ...names.flatMap((n) => [`  ${n}:`, ...APPS[n]]), ''].join('\n'));
const out = path.join(dir, 'out');

const runs = [];
async function fleetRun(label) {
  process.stderr.write(`bench-fleet: ${label}\n`);
  const began = Date.now();
  const run = await execa('node', [CLI, 'fleet', 'run', fleet, '--out', out], { reject: false, stdio: 'inherit' });
  const wall = (Date.now() - began) / 1000;
  const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
  runs.push({ label, exit: run.exitCode, wall, summary });
}

await fleetRun('1. first run');
await fleetRun('2. unchanged re-run');
await writeFile(path.join(dir, 'needs-epoll.c'), NEEDS_EPOLL);
await execa('cc', ['-O2', '-o', path.join(dir, 'hello-http/server.new'), ex('hello-http/server.c'), path.join(dir, 'needs-epoll.c')]);
await rename(path.join(dir, 'hello-http/server.new'), path.join(dir, 'hello-http/server'));
await fleetRun('3. hello-http changed (needs epoll)');

const kib = (n) => (n === null || n === undefined ? '-' : `${Math.round(n / 1024)} KiB`);
for (const r of runs) {
  const builds = r.summary.apps.reduce((n, a) => n + (a.builds ?? 0), 0);
  console.log(`\n${r.label}: exit ${r.exit}, wall ${Math.round(r.wall)} s, builds ${builds}, ${JSON.stringify(r.summary.counts)}`);
  console.log('  app          status      builds  wall     options          bzImage    initramfs');
  for (const a of r.summary.apps) {
    console.log('  ' + [
      a.name.padEnd(12), a.status.padEnd(11), String(a.builds ?? '-').padEnd(7), `${Math.round(a.wallSeconds)} s`.padEnd(8),
      `+${a.options.added.length} -${a.options.removed.length}`.padEnd(16), kib(a.bzImage.bytes).padEnd(10), kib(a.initramfs.bytes),
    ].join(' ') + (a.options.added.length ? `  added ${a.options.added.join(' ')}` : '') + (a.error ? `  ${a.error.code}: ${a.error.message}` : ''));
  }
}
// The VMs the fleet ships now: whole size, least memory, boot (under the accelerator named), what the rootfs stage saved.
console.log('\napp          bzImage    initramfs         whole VM     least memory  boot to init / app / port     rootfs stage');
for (const name of names) {
  const report = JSON.parse(await readFile(path.join(out, name, 'report.json'), 'utf8').catch(() => 'null'));
  if (!report) continue;
  const b = report.boot?.final ?? {};
  const secs = (ms) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)}`);
  const d = report.rootfs?.reduction;
  console.log([
    name.padEnd(12), String(report.final.bzImageBytes).padEnd(10), `${report.final.initramfsBytes} ${report.initramfs.compression}`.padEnd(17),
    String(report.final.bzImageBytes + report.final.initramfsBytes).padEnd(12), `${report.memory?.leastMiB ?? '-'} MiB`.padEnd(13),
    `${secs(b.initMs)} / ${secs(b.appMs)} / ${secs(b.readyMs)} s ${report.boot?.accel ?? ''}`.padEnd(29),
    d ? `-${d.pruned.length} files (${d.prunedBytes} B), ${d.stripped.length} stripped (${d.strippedSavedBytes} B), ${d.evaluations} boots` : '-',
  ].join(' '));
}
// tinyx verify on each app's shipped result (its journal replays what the search proved; what it lacks is booted).
for (const name of names) {
  const check = await execa('node', [CLI, 'verify', path.join(out, name)], { reject: false, all: true });
  console.log(`verify ${name}: ${check.exitCode === 0 ? 'ok' : `FAILED (exit ${check.exitCode}) ${check.all?.split('\n').slice(-3).join(' | ')}`}`);
}
console.log(`\nfleet file ${fleet}, out dir ${out}`);
