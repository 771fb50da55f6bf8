// The VM's figures, pc against microvm side by side in one run: each bundled example minimized on
// each profile (tinyx minimize, resumed from its journal when the out dir is kept), then every
// result booted --boots times (default 5) with its own run.sh, the results taken in turn so that
// both machines share the host's load. Per VM: bzImage, vmlinux (when the out dir ships one),
// initramfs (or disk root), the whole VM, the least memory the search found, and the medians of
// boot to init, to the app started (the host's clock from QEMU's start, and the guest's own clock
// from tinyx's init markers) and to the app's first HTTP answer through the forwarded port. Then
// each microvm figure as a share of the same example's pc figure. A kernel-building job: run it
// alone, after `npx tsc -p .` and the set-up:
//   node bench/vm.mjs [--examples hello-http,go-http,lighttpd] [--profiles qemu-x86_64,qemu-microvm]
// (--examples also takes hello-http-musl: the same server built against musl)
//                     [--out DIR] [--boots N] [--from-first] [-- MORE MINIMIZE FLAGS]
// e.g. `-- --values PHYSICAL_START,LOG_BUF_SHIFT,SERIAL_8250_NR_UARTS --boot-speedups`. The out dirs
// (default out/bench-vm) are kept: a second run resumes each search and only boots again.
// --from-first: each profile after the first starts from the same example's result on the first
// (`tinyx minimize --from`: what it kept is the first guess, each kept option then tested alone), as a
// service moved from pc to microvm would; without it each search starts from its profile's own guess.
// run.sh boots with the accelerator tinyx found (tcg where /dev/kvm is missing or broken); the
// table says which.
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, EXAMPLES, VARIANTS, minimizeArgs } from '../scripts/examples.mjs';
import { guestClockMs } from '../dist/tester/watch-boot.js';
import { freePort } from '../dist/tester/ports.js';

const args = process.argv.slice(2);
const dash = args.indexOf('--');
const more = dash < 0 ? [] : args.slice(dash + 1);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 || (dash >= 0 && i > dash) ? fallback : args[i + 1];
};
const root = path.resolve(import.meta.dirname, '..');
const names = flag('--examples', 'hello-http,go-http,lighttpd').split(',');
const profiles = flag('--profiles', 'qemu-x86_64,qemu-microvm').split(',');
const boots = Number(flag('--boots', '5'));
const outRoot = path.resolve(flag('--out', path.join(root, 'out/bench-vm')));
const fromFirst = args.slice(0, dash < 0 ? undefined : dash).includes('--from-first');
const BOOT_LIMIT_MS = 60_000;

const known = { ...EXAMPLES, ...VARIANTS };
for (const n of names) if (!known[n]) refuse(`unknown example "${n}" (known: ${Object.keys(known).join(', ')})`);
for (const p of profiles) if (!existsSync(path.join(root, 'profiles', `${p}.yaml`))) refuse(`unknown profile "${p}" (no profiles/${p}.yaml)`);
if (!Number.isInteger(boots) || boots < 1) refuse(`--boots must be a whole number from 1, received "${flag('--boots')}"`);
if (!existsSync(CLI)) refuse(`${CLI} is missing: run \`npx tsc -p .\` first`);

/** Stops with a message naming what is wrong with the input. */
function refuse(message) {
  console.error(`vm: ${message}`);
  process.exit(2);
}

// Every QEMU this bench starts, killed (its process group) on every way out.
const running = new Set();
const killAll = () => {
  for (const child of running) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
};
process.on('exit', killAll);
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) process.on(sig, () => { killAll(); process.exit(code); });

await mkdir(outRoot, { recursive: true });
const vms = [];
for (const name of names) {
  for (const profile of profiles) {
    const out = path.join(outRoot, `${name}-${profile}`);
    process.stderr.write(`vm: minimizing ${name} on ${profile} -> ${out}\n`);
    const began = Date.now();
    const first = path.join(outRoot, `${name}-${profiles[0]}`);
    const from = fromFirst && profile !== profiles[0] && existsSync(path.join(first, 'report.json')) ? ['--from', first] : [];
    const run = await execa('node', [CLI, ...minimizeArgs(name, ['--profile', profile, '--out', out, ...from, ...more])], { reject: false, all: true, env: { CI: '1' }, cwd: root });
    const wall = (Date.now() - began) / 1000;
    if (run.exitCode !== 0) {
      process.stderr.write(`vm: ${name} on ${profile} failed (exit ${run.exitCode}) after ${wall.toFixed(0)} s:\n${run.all.split('\n').slice(-12).join('\n')}\n`);
      vms.push({ name, profile, failed: `minimize exit ${run.exitCode}` });
      continue;
    }
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const files = await readdir(out);
    const size = (f) => (f && files.includes(f) ? stat(path.join(out, f)).then((s) => s.size) : undefined);
    const rootFile = files.find((f) => /^initramfs\.cpio(\.\w+)?$/.test(f) || f === 'rootfs.squashfs');
    const vm = {
      name, profile, out, wall, builds: report.builds, from: from[1], accel: report.boot?.accel ?? report.accel,
      bzImage: await size('bzImage'), vmlinux: await size('vmlinux'), root: await size(rootFile), rootFile,
      leastMiB: report.memory?.leastMiB, runMiB: report.memory?.runMiB, boots: [],
    };
    // The VM at its smallest (the bzImage and the root), and as run.sh boots it (the vmlinux, when the run shipped one).
    vm.whole = vm.bzImage + (vm.root ?? 0);
    vm.booted = (vm.vmlinux ?? vm.bzImage) + (vm.root ?? 0);
    vms.push(vm);
  }
}

// The boots, in turn across every VM: boot i of each before boot i + 1 of any.
const ready = vms.filter((v) => !v.failed);
for (let i = 1; i <= boots; i++) {
  for (const vm of ready) {
    process.stderr.write(`vm: boot ${i}/${boots} of ${vm.name} on ${vm.profile}\n`);
    vm.boots.push(await bootOnce(vm.out));
  }
}

/**
 * One boot of an out dir by its run.sh on a free host port: ms from spawning QEMU to each of tinyx's
 * init markers on the console and to the first bytes of an HTTP answer through the port, with the
 * guest's clock read off the markers. QEMU is killed once the answer came (or at the limit).
 */
async function bootOnce(out) {
  const port = await freePort();
  const began = performance.now();
  const child = spawn('sh', [path.join(out, 'run.sh'), String(port)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const at = {};
  let buffered = '';
  let gone = false;
  child.on('exit', () => { gone = true; });
  child.stdout.on('data', (chunk) => {
    buffered += chunk.toString('latin1');
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).replace(/\r$/, '');
      buffered = buffered.slice(nl + 1);
      for (const [key, marker] of [['init', 'TINYX-INIT-STARTED'], ['app', 'TINYX-APP-STARTED']]) {
        if (at[key] === undefined && line.startsWith(marker)) {
          at[key] = performance.now() - began;
          at[`${key}Guest`] = guestClockMs(line);
        }
      }
    }
  });
  child.stderr.resume();
  try {
    while (!gone && performance.now() - began < BOOT_LIMIT_MS) {
      if (at.app !== undefined && (await answers(port))) {
        at.port = performance.now() - began;
        break;
      }
      await sleep(at.app === undefined ? 20 : 10);
    }
  } finally {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    if (!gone) await new Promise((resolve) => child.once('exit', resolve));
    running.delete(child);
  }
  return at;
}

/** Whether an HTTP request to the forwarded port gets any bytes back (QEMU's user network accepts before the guest does). */
function answers(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(2000, () => done(false));
    socket.on('connect', () => socket.write('GET / HTTP/1.0\r\nHost: localhost\r\n\r\n'));
    socket.on('data', () => done(true));
    socket.on('end', () => done(false));
    socket.on('error', () => done(false));
  });
}

const median = (xs) => {
  const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
for (const vm of ready) {
  for (const key of ['init', 'initGuest', 'app', 'appGuest', 'port']) vm[key] = median(vm.boots.map((b) => b[key]));
  vm.answered = vm.boots.filter((b) => b.port !== undefined).length;
  vm.started = vm.boots.filter((b) => b.app !== undefined).length;
}
await writeFile(path.join(outRoot, 'vm.json'), `${JSON.stringify(vms, null, 2)}\n`);

const kb = (b) => (b === undefined ? '-' : (b / 1000).toFixed(0));
const ms = (x) => (x === undefined ? '-' : x.toFixed(0));
console.log(`\nsizes in KB (1000 B): whole = bzImage + root, booted = what run.sh boots (the vmlinux when shipped) + root; boot medians in ms over the boots that got there (${boots} each, interleaved); host clock from QEMU's start, guest clock from the kernel's`);
console.log('example         profile        accel  bzImage  vmlinux  root  whole  booted  least MiB  init host/guest  app host/guest  port host  app started  answered');
for (const v of vms) {
  if (v.failed) {
    console.log(`${v.name.padEnd(15)} ${v.profile.padEnd(14)} ${v.failed}`);
    continue;
  }
  console.log(`${v.name.padEnd(15)} ${v.profile.padEnd(14)} ${String(v.accel).padEnd(5)} ${kb(v.bzImage).padStart(8)} ${kb(v.vmlinux).padStart(8)} ${kb(v.root).padStart(5)} ${kb(v.whole).padStart(6)} ${kb(v.booted).padStart(7)} ${String(v.leastMiB ?? '-').padStart(10)}  ${`${ms(v.init)}/${ms(v.initGuest)}`.padStart(15)} ${`${ms(v.app)}/${ms(v.appGuest)}`.padStart(15)} ${ms(v.port).padStart(10)}  ${`${v.started}/${boots}`.padStart(11)}  ${v.answered}/${boots}`);
}
const [pc, micro] = profiles;
if (micro) {
  console.log(`\n${micro} as a share of ${pc} (same example, same run):`);
  for (const name of names) {
    const a = ready.find((v) => v.name === name && v.profile === pc);
    const b = ready.find((v) => v.name === name && v.profile === micro);
    if (!a || !b) continue;
    const share = (x, y) => (x === undefined || y === undefined ? '-' : `${((100 * y) / x).toFixed(0)}%`);
    console.log(`  ${name}: bzImage ${share(a.bzImage, b.bzImage)}, whole VM ${share(a.whole, b.whole)}, as booted ${share(a.booted, b.booted)}, least memory ${share(a.leastMiB, b.leastMiB)}, boot to init ${share(a.init, b.init)} (guest clock ${share(a.initGuest, b.initGuest)}), to the answer ${share(a.port, b.port)}`);
  }
}
console.log('\nminimize wall s / builds: ' + vms.filter((v) => !v.failed).map((v) => `${v.name} ${v.profile} ${v.wall.toFixed(0)}/${v.builds}`).join(', '));
