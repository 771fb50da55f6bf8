// Large services and the bundled example, minimized end to end with real builds and boots, one
// after the other: per app, the closure's size, the VM's size (kernel + root), packing time,
// builds, wall time per stage, the least memory, and (with --verify) whether `tinyx verify` agrees
// the result is 1-minimal. Run after `npx tsc -p .` and the set-up (a kernel-building job: run it
// alone):
//   node bench/services.mjs [--only NAME,...] [--verify] [--out DIR] [--resume]
// --resume keeps each app's out dir and seed from a stopped run of the bench, so tinyx resumes from
// its journal (its table row's wall time and stage times are then the resumed run's, marked so).
//
// The apps:
// - hello-http: the bundled example (2 MB closure);
// - hello-http+llvm: the same server with Debian's libLLVM-15 (117 MB, and what it links: about
//   190 MB in all) in its closure, as a database's JIT plugin is in its package: the tests never
//   load it. Needs libllvm15 (apt-get install libllvm15). Its root is large, so --root auto puts it
//   on a disk.
// - vol-http+llvm: the same closure around test/fixtures/apps/vol-http.c, a server keeping its data
//   on a volume (--volume SEED:/data): its probe wants the seeded data directory (uid 1234, mode
//   0700) as it is and a file written there; the table says whether the out dir's tested volume
//   holds that file.
// - postgres: Debian's PostgreSQL 15 server (apt-get install postgresql-15) as packaged, with its
//   plugin directory (the LLVM JIT among them: about 235 MB in all), run as the postgres user on a
//   data directory made here by its initdb (owned by postgres, mode 0700) and handed in as a volume;
//   the probe (test/fixtures/apps/pg-probe.sh, this host's psql) writes a row and reads it back.
//   "volume read back": a PostgreSQL on this host, started on a copy of the out dir's tested
//   volume, finds that row.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { appendFile, chmod, chown, writeFile } from 'node:fs/promises';
import { resolveApp } from '../dist/deps/index.js';
import { readVolumeFile } from '../dist/packager/volume.js';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const outRoot = path.resolve(flag('--out') ?? path.join(root, 'out/bench-services'));
const LLVM = '/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1';
const PG = '/usr/lib/postgresql/15';
const APPS = [
  { name: 'vol-http+llvm', app: 'vol-http', build: 'test/fixtures/apps/vol-http.c', include: [LLVM], needs: LLVM, pkg: 'libllvm15', volume: '/data', seed: volHttpSeed, readBack: volHttpReadBack, argv: ['--port', '80'] },
  { name: 'hello-http', app: 'examples/hello-http/build/server', argv: ['--tests', 'examples/hello-http/probe.sh', '--port', '80'] },
  { name: 'hello-http+llvm', app: 'examples/hello-http/build/server', include: [LLVM], needs: LLVM, pkg: 'libllvm15', argv: ['--tests', 'examples/hello-http/probe.sh', '--port', '80'] },
  {
    name: 'postgres', app: path.join(PG, 'bin/postgres'), needs: path.join(PG, 'bin/postgres'), pkg: 'postgresql-15', include: [path.join(PG, 'lib'), '/usr/share/postgresql/15/timezonesets', '/usr/share/zoneinfo/Etc/UTC'],
    volume: '/data', seed: postgresSeed, readBack: postgresReadBack,
    argv: ['--tests', path.join(root, 'test/fixtures/apps/pg-probe.sh'), '--port', '5432', '--user', 'postgres', '--', '-D', '/data/pg'],
  },
];
const only = flag('--only')?.split(',');
const resume = args.includes('--resume');
const apps = APPS.filter((a) => !only || only.includes(a.name));
const MB = (bytes) => (bytes === undefined ? '-' : (bytes / 1e6).toFixed(1));

const rows = [];
for (const app of apps) {
  if (app.needs && !existsSync(app.needs)) {
    console.log(`${app.name}: skipped, ${app.needs} is missing (apt-get install ${app.pkg})`);
    continue;
  }
  const out = path.join(outRoot, app.name);
  const work = path.join(outRoot, `${app.name}.work`);
  if (!resume) {
    await rm(out, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
  await mkdir(work, { recursive: true });
  const more = app.seed ? await app.seed(app, work) : [];
  const program = app.build ? path.join(work, app.app) : path.resolve(root, app.app);
  const began = Date.now();
  // The closure as the deps stage resolves it: every file's size.
  const manifest = await resolveApp(program, { include: app.include ?? [] });
  const sizes = await Promise.all(manifest.entries.filter((e) => e.kind === 'file' && e.hostPath).map((e) => stat(e.hostPath).then((s) => s.size)));
  const closure = sizes.reduce((a, b) => a + b, 0);
  // The app's own arguments (after --) go last.
  const dash = app.argv.indexOf('--');
  const [flags, appArgs] = dash < 0 ? [app.argv, []] : [app.argv.slice(0, dash), app.argv.slice(dash)];
  const argv = ['--app', program, ...(app.include ?? []).flatMap((f) => ['--include', f]), ...flags, ...more, '--out', out, ...appArgs];
  const run = await execa('node', ['dist/cli/main.js', 'minimize', ...argv], { cwd: root, reject: false, all: true, env: { CI: '1' } });
  const wall = (Date.now() - began) / 1000;
  if (run.exitCode !== 0) {
    console.log(`${app.name}: minimize failed (exit ${run.exitCode}) after ${wall.toFixed(0)} s:\n${run.all.split('\n').slice(-15).join('\n')}`);
    rows.push({ name: app.name, failed: true, wall });
    continue;
  }
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
  let verified = '-';
  if (args.includes('--verify')) {
    const v = await execa('node', ['dist/cli/main.js', 'verify', out], { cwd: root, reject: false, all: true, env: { CI: '1' } });
    verified = v.exitCode === 0 ? 'yes' : `no (exit ${v.exitCode})`;
  }
  const { stages } = report;
  const wrote = app.readBack ? await app.readBack(path.join(out, report.volumes[0].tested), work) : '-';
  rows.push({
    name: app.name, wall, builds: report.builds, closure, rootKind: report.initramfs.disk ? 'disk' : 'initramfs', wrote,
    kernel: report.final.bzImageBytes, root: report.final.initramfsBytes, packing: stages.initramfs, memory: report.memory ? `${report.memory.leastMiB}/${report.memory.fromMiB}` : '-', verified, stages,
  });
}

if (resume) console.log('\n(--resume: wall s, builds and stage times are the resumed run\'s)');
console.log('\napp               closure MB  kernel MB  root             MB  packing s  builds  wall s  least/start MiB  volume read back  verify');
for (const r of rows) {
  if (r.failed) {
    console.log(`${r.name.padEnd(17)} failed after ${r.wall.toFixed(0)} s`);
    continue;
  }
  console.log(`${r.name.padEnd(17)} ${MB(r.closure).padStart(10)} ${MB(r.kernel).padStart(10)}  ${r.rootKind.padEnd(9)} ${MB(r.root).padStart(8)} ${r.packing.toFixed(1).padStart(10)} ${String(r.builds).padStart(7)} ${r.wall.toFixed(0).padStart(7)} ${r.memory.padStart(16)}  ${r.wrote.padEnd(16)}  ${r.verified}`);
}
console.log('\nwall time per stage, s:');
for (const r of rows.filter((r) => !r.failed)) console.log(`  ${r.name}: ${Object.entries(r.stages).map(([s, t]) => `${s} ${t}`).join(', ')}`);

/** vol-http built into `work`, its seed (a data directory of uid 1234, mode 0700) and probe: the flags they add. */
async function volHttpSeed(app, work) {
  await execa('gcc', ['-O2', '-o', path.join(work, app.app), path.join(root, app.build)]);
  const seed = path.join(work, 'seed');
  await mkdir(path.join(seed, 'private'), { recursive: true });
  await writeFile(path.join(seed, 'private', 'pg.conf'), 'secret\n');
  await chmod(path.join(seed, 'private'), 0o700);
  await chown(path.join(seed, 'private'), 1234, 1234);
  const probe = path.join(root, 'test/fixtures/apps/vol-http-probe.sh');
  return ['--tests', probe, '--volume', `${seed}:${app.volume}`];
}

/** Whether vol-http's tested volume holds the file the guest wrote. */
async function volHttpReadBack(image) {
  return readVolumeFile(image, '/written.txt').then((b) => (b.toString() === 'written by the guest\n' ? 'yes' : 'wrong'), () => 'no');
}

/** PostgreSQL's data directory, made by its initdb as the postgres user (mode 0700), set for a VM: the flags it adds. */
async function postgresSeed(app, work) {
  const seed = path.join(work, 'seed');
  await mkdir(seed, { recursive: true });
  await execa('chown', ['postgres:postgres', seed]);
  const data = path.join(seed, 'pg');
  // A resumed bench keeps the data directory its journal's verdicts were made with.
  if (existsSync(data)) return ['--volume', `${seed}:${app.volume}`];
  await execa('su', ['postgres', '-s', '/bin/sh', '-c', `${PG}/bin/initdb -D ${data} -U postgres --locale=C --encoding=UTF8 --auth=trust --no-sync`]);
  // Reached over the VM's user network (from 10.0.2.2), no Unix socket directory (none in the guest), a small VM's buffers.
  await appendFile(path.join(data, 'postgresql.conf'), "listen_addresses = '*'\nunix_socket_directories = ''\nshared_buffers = 16MB\nmax_connections = 20\n");
  await appendFile(path.join(data, 'pg_hba.conf'), 'host all all 0.0.0.0/0 trust\n');
  return ['--volume', `${seed}:${app.volume}`];
}

/** Whether a PostgreSQL started on this host on a copy of the tested volume finds the probe's row. */
async function postgresReadBack(image, work) {
  const copy = path.join(work, 'read-back');
  await rm(copy, { recursive: true, force: true });
  await mkdir(copy);
  await execa('debugfs', ['-R', `rdump /pg ${copy}`, image]);
  await execa('chown', ['-R', 'postgres:postgres', copy]);
  await chmod(path.join(copy, 'pg'), 0o700);
  const ctl = (args) => execa('su', ['postgres', '-s', '/bin/sh', '-c', `${PG}/bin/pg_ctl -D ${copy}/pg ${args}`], { reject: false });
  const started = await ctl(`-o "-p 5497 -c listen_addresses=127.0.0.1" -l ${copy}/log -w -t 60 start`);
  if (started.exitCode !== 0) return 'no (it did not start)';
  try {
    const q = await execa('psql', ['-h', '127.0.0.1', '-p', '5497', '-U', 'postgres', '-qAtX', '-c', "select count(*) from probe where x = 'written by the guest'"], { reject: false });
    return q.exitCode === 0 && Number(q.stdout) >= 1 ? 'yes' : `no (${(q.stderr || q.stdout).trim()})`;
  } finally {
    await ctl('-m fast stop');
  }
}
