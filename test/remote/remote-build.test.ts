// The worker-side build path over loopback sshd, on a stand-in kernel tree whose Makefile is fast
// (it copies a stored bzImage): config upload, make with the build env, logs back, artifact store,
// build errors; and bringing up a run's workers when one is unreachable.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { parseDotConfig } from '../../src/kconfig/dotconfig.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { execa } from 'execa';
import { remoteBuild } from '../../src/remote/build.js';
import { connectWorker } from '../../src/remote/connect.js';
import { RemoteExecutor } from '../../src/remote/executor.js';
import { ExecutorPool } from '../../src/remote/pool.js';
import { LocalExecutor } from '../../src/tester/executor.js';
import { Workspace } from '../../src/tester/workspace.js';
import { startRemoteExecutors } from '../../src/remote/start.js';
import { isInfrastructureError } from '../../src/errors.js';
import { Evaluator, hashConfig } from '../../src/search/evaluator.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { Journal } from '../../src/search/journal.js';
import { BUILDING_MARKER } from '../../src/tester/build.js';
import { freePort } from '../../src/tester/ports.js';
import { processIdentity, sameProcessAlive } from '../../src/util/proc.js';
import type { JobSettings } from '../../src/tester/executor.js';
import { REPO, buildExampleServer, tempDir } from '../deps/helpers.js';
import { findBuiltKernel } from './kernel.js';
import { startSshd, type Sshd } from './sshd.js';

const kernel = await findBuiltKernel();
const CMDLINE = 'console=ttyS0 panic=-1 quiet loglevel=3';

function makefile(bzImage: string): string {
  return [
    'VERSION = 6', 'PATCHLEVEL = 1', 'SUBLEVEL = 0', 'EXTRAVERSION = -standin', '',
    'olddefconfig:',
    '\t@echo "olddefconfig O=$(O) CC=$(CC) CCACHE_DIR=$$CCACHE_DIR CCACHE_NOHASHDIR=$$CCACHE_NOHASHDIR KBUILD_BUILD_USER=$$KBUILD_BUILD_USER"',
    '\t@if grep -q CONFIG_BREAK_BUILD=y $(O)/.config; then echo "init/main.c:1:1: error: broken on purpose"; exit 2; fi',
    '\t@if grep -q CONFIG_DRIFT=y $(O)/.config; then echo CONFIG_DRIFTED=y >> $(O)/.config; fi',
    'bzImage: olddefconfig',
    '\t@if grep -q CONFIG_SLOW=y $(O)/.config; then echo "compiling slowly"; sleep 8.5; fi',
    // Killed from outside mid-build (as by the OOM killer), after half-writing an object.
    '\t@if grep -q CONFIG_KILLED=y $(O)/.config; then if [ -e $(O)/half.o ]; then echo "half.o was there"; fi; echo half > $(O)/half.o; kill -9 $$PPID; sleep 5; fi',
    `\t@mkdir -p $(O)/arch/x86/boot && cp ${bzImage} $(O)/arch/x86/boot/bzImage && echo "  Kernel: arch/x86/boot/bzImage is ready"`, '',
  ].join('\n');
}

describe.skipIf(!kernel)('remote builds and worker start-up', () => {
  let sshd: Sshd;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let tree: string;
  let cache: string;
  let spec: JobSettings;

  beforeAll(async () => {
    sshd = await startSshd();
    tmp = await tempDir('tinyx-rbuild-');
    tree = path.join(tmp.dir, 'linux-standin');
    cache = path.join(tmp.dir, 'cache');
    await mkdir(path.join(tree, 'scripts/kconfig'), { recursive: true });
    await writeFile(path.join(tree, 'Makefile'), makefile(kernel!.bzImage));
    const manifest = await resolveApp(await buildExampleServer());
    const initramfs = await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'initramfs.cpio.gz') });
    spec = {
      srcDir: tree, initramfs: initramfs.file, tests: path.join(REPO, 'examples/hello-http/probe.sh'), network: { guestPort: 80 },
      qemu: { machine: 'pc', memory: '256M', accel: 'auto', extraArgs: [] }, bootTimeoutMs: 60_000, readyTimeoutMs: 30_000, testTimeoutMs: 60_000,
    };
  }, 120_000);
  afterAll(async () => {
    await sshd?.stop();
    await tmp?.cleanup();
  });

  it('builds in the worker slot with the build env, stores the artifact, then reuses it', async () => {
    const worker = new RemoteExecutor(spec, { url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts], kernelSrc: tree, cacheRoot: cache });
    const config = parseDotConfig('CONFIG_64BIT=y\nCONFIG_FAST=y\n');
    const hash = hashConfig(config);
    try {
      // An empty bzImage in the store (a write cut short) is no stored kernel.
      await worker.start();
      const emptyStore = path.join(cache, 'artifacts', (await readdir(path.join(cache, 'builds')))[0]!, hash);
      await mkdir(emptyStore, { recursive: true });
      await writeFile(path.join(emptyStore, 'bzImage'), '');
      const first = await worker.run({ config, configHash: hash, cmdline: CMDLINE, logDir: path.join(tmp.dir, 'b1') });
      expect(first.status, first.consoleTail).toBe('pass');
      expect(first.built).toBe(true);
      const log = await readFile(first.buildLog!, 'utf8');
      expect(log).toContain(`CC=ccache gcc CCACHE_DIR=${cache}/ccache CCACHE_NOHASHDIR=1 KBUILD_BUILD_USER=tinyx`);
      expect(log).toMatch(/O=\S+\/builds\/6\.1\.0-standin-[0-9a-f]{8}\/worker-slot-0 /);
      const stored = path.join(cache, 'artifacts');
      const artifact = path.join(stored, (await readdir(stored))[0]!, hash);
      expect(existsSync(path.join(artifact, 'bzImage'))).toBe(true);
      expect(parseDotConfig(await readFile(path.join(artifact, 'config'), 'utf8'))).toEqual(config);
      const again = await worker.run({ config, configHash: hash, cmdline: CMDLINE, logDir: path.join(tmp.dir, 'b2') });
      expect({ status: again.status, built: again.built, buildLog: again.buildLog }).toEqual({ status: 'pass', built: false, buildLog: undefined });
    } finally {
      await worker.close();
    }
  }, 240_000);

  it('loses only the job in flight when the worker\'s sshd dies mid-build: the job is built again locally', async () => {
    const doomed = await startSshd();
    const worker = new RemoteExecutor(spec, { url: doomed.url, identity: doomed.identity, knownHosts: [doomed.knownHosts], kernelSrc: tree, cacheRoot: path.join(tmp.dir, 'doomed-cache') });
    const workspace = new Workspace('6.1.0-standin', path.join(tmp.dir, 'local-cache'));
    const pool = new ExecutorPool([worker, new LocalExecutor(spec, workspace, [0])]);
    const config = parseDotConfig('CONFIG_64BIT=y\nCONFIG_SLOW=y\n');
    const hash = hashConfig(config);
    let killed = false;
    try {
      await worker.start();
      const verdict = await pool.run({
        config, configHash: hash, cmdline: CMDLINE, logDir: path.join(tmp.dir, 'fault'),
        onPhase: (phase) => {
          // The first build is the worker's: kill its sshd and its sessions while make sleeps there.
          if (phase !== 'build' || killed) return;
          killed = true;
          setTimeout(() => void doomed.kill(), 2_000);
        },
      });
      expect(killed).toBe(true);
      expect(verdict.status, verdict.consoleTail).toBe('pass');
      expect(verdict.built).toBe(true);
      expect(await readFile(verdict.buildLog!, 'utf8')).toMatch(/O=\S+\/slot-0 /);
      const types = pool.events.map((e) => `${e.type}${'executor' in e && e.executor ? ` ${e.executor === 'local' ? 'local' : 'remote'}` : ''}`);
      expect(types).toEqual(['dispatch remote', 'executor-dropped remote', 'requeue remote', 'dispatch local', 'verdict local']);
      expect(existsSync(path.join(workspace.artifactDir(hash), 'bzImage'))).toBe(true);
      // The worker's make did not outlive its connection.
      expect((await execa('pgrep', ['-f', '^sleep 8.5$'], { reject: false })).stdout).toBe('');
    } finally {
      await worker.close();
      await doomed.stop();
    }
  }, 240_000);

  it('reports build errors and configs the kernel rewrote, with the log tail', async () => {
    const worker = new RemoteExecutor(spec, { url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts], kernelSrc: tree, cacheRoot: cache });
    try {
      const broken = parseDotConfig('CONFIG_BREAK_BUILD=y\n');
      const v = await worker.run({ config: broken, configHash: hashConfig(broken), cmdline: CMDLINE, logDir: path.join(tmp.dir, 'e1') });
      // A config's own failure: the verdict's reason is the first error line of the log.
      expect({ status: v.status, built: v.built }).toEqual({ status: 'build-error', built: true });
      expect(v.reason).toMatch(/^.*error: broken on purpose/);
      expect(v.consoleTail).toContain('error: broken on purpose');
      expect(await readFile(v.buildLog!, 'utf8')).toContain('broken on purpose');
      const drift = parseDotConfig('CONFIG_DRIFT=y\n');
      const d = await worker.run({ config: drift, configHash: hashConfig(drift), cmdline: CMDLINE, logDir: path.join(tmp.dir, 'e2') });
      expect(d.reason).toBe('the kernel changed the config while building (not normalized)');
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('takes a worker\'s make killed by a signal for the machinery: tried once more on a settled slot, then no verdict', async () => {
    const worker = new RemoteExecutor(spec, { url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts], kernelSrc: tree, cacheRoot: cache });
    const dir = path.join(tmp.dir, 'killed');
    const journal = await Journal.open(dir);
    const events: MinimizeEvent[] = [];
    const evaluator = new Evaluator({
      normalizer: { olddefconfig: async (c) => c }, executor: worker, journal, runKey: 'k', logRoot: path.join(dir, 'logs'), emit: (e) => events.push(e),
    });
    const config = parseDotConfig('CONFIG_64BIT=y\nCONFIG_KILLED=y\n');
    const candidate = { config, hash: hashConfig(config) };
    try {
      const error = await evaluator.evaluate(candidate, CMDLINE, '-OOM').catch((e: unknown) => e);
      expect(isInfrastructureError(error)).toBe(true);
      expect((error as Error).message).toMatch(/failed there: make was killed by SIGKILL/);
      expect(events.filter((e) => e.type === 'warning' && e.message.includes('trying once more'))).toHaveLength(1);
      expect(journal.get(evaluator.keyOf(candidate, CMDLINE))).toBeUndefined();
      expect(await readFile(path.join(dir, 'journal.jsonl'), 'utf8').catch(() => '')).toBe('');
      // The second try first dropped what the killed make had written: it did not find half.o.
      const logs = (await readdir(path.join(dir, 'logs'))).sort();
      expect(logs).toHaveLength(2);
      const second = await readFile(path.join(dir, 'logs', logs[1]!, 'build.log'), 'utf8');
      expect(second).toMatch(/^tinyx: the last build in this slot was killed; removed the \d+ files it wrote$/m);
      expect(second).not.toContain('half.o was there');
      const slot = path.join(cache, 'builds', (await readdir(path.join(cache, 'builds')))[0]!, 'worker-slot-0');
      expect(existsSync(path.join(slot, BUILDING_MARKER))).toBe(true);
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('settles a worker slot whose make outlived its run: stops that make\'s process group, removes only what it wrote', async () => {
    const ssh = await connectWorker({ url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts] });
    const slotDir = path.join(tmp.dir, 'settle', 'worker-slot-0');
    await mkdir(slotDir, { recursive: true });
    const old = new Date(Date.now() - 3_600_000);
    await writeFile(path.join(slotDir, 'kept.o'), 'from a finished build');
    await utimes(path.join(slotDir, 'kept.o'), old, old);
    // The killed build's make, orphaned and still running in its own process group, named by the marker.
    const orphan = execa('sleep', [`61.${process.pid}`], { detached: true, reject: false });
    const leader = (await processIdentity(orphan.pid!))!;
    await writeFile(path.join(slotDir, BUILDING_MARKER), `${leader.pid} ${leader.startTime} ${leader.bootId}\n`);
    await utimes(path.join(slotDir, BUILDING_MARKER), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await writeFile(path.join(slotDir, 'half.o'), 'half-written by the killed build');
    try {
      const config = parseDotConfig('CONFIG_64BIT=y\nCONFIG_SETTLE=y\n');
      const result = await remoteBuild(ssh, {
        srcDir: tree, slotDir, config, artifactDir: path.join(tmp.dir, 'settle', 'art'), ccacheDir: path.join(tmp.dir, 'settle', 'ccache'),
        ccacheBase: tmp.dir, logFile: path.join(tmp.dir, 'settle', 'build.log'), jobs: 1,
      });
      expect(result.reason).toBe('built');
      expect(await sameProcessAlive(leader)).toBe(false);
      expect(existsSync(path.join(slotDir, 'half.o'))).toBe(false);
      expect(existsSync(path.join(slotDir, 'kept.o'))).toBe(true);
      expect(existsSync(path.join(slotDir, BUILDING_MARKER))).toBe(false);
      expect(await readFile(path.join(tmp.dir, 'settle', 'build.log'), 'utf8')).toContain('the last build in this slot was killed; removed the 1 files it wrote');
    } finally {
      orphan.kill('SIGKILL');
      await orphan;
      ssh.close();
    }
  }, 60_000);

  it('leaves an unreachable worker out with a warning, or fails, as asked; a bad host key always fails', async () => {
    const good = { url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts], kernelSrc: tree, slots: 1 };
    const down = { ...good, url: `ssh://root@127.0.0.1:${await freePort()}` };
    const warnings: string[] = [];
    const up = await startRemoteExecutors([good, down], spec, { onUnreachable: 'warn', warn: (m) => warnings.push(m), connectTimeoutMs: 2_000 });
    expect(up.map((e) => e.name)).toEqual([sshd.url]);
    expect(warnings).toEqual([expect.stringContaining(`worker ${down.url} left out: Cannot reach worker`)]);
    await Promise.all(up.map((e) => e.close()));
    await expect(startRemoteExecutors([good, down], spec, { connectTimeoutMs: 2_000 })).rejects.toMatchObject({ code: 'TINYX_WORKER_UNREACHABLE' });
    const empty = path.join(tmp.dir, 'no_known_hosts');
    await writeFile(empty, '');
    await expect(startRemoteExecutors([{ ...good, knownHosts: [empty] }], spec, { onUnreachable: 'warn' })).rejects.toMatchObject({ code: 'TINYX_WORKER_HOST_KEY' });
  }, 60_000);

  it('refuses a worker whose kernel tree is another version than the run\'s', async () => {
    const other = path.join(tmp.dir, 'linux-other');
    await mkdir(path.join(other, 'scripts/kconfig'), { recursive: true });
    await writeFile(path.join(other, 'Makefile'), makefile(kernel!.bzImage).replace('SUBLEVEL = 0', 'SUBLEVEL = 9'));
    const worker = new RemoteExecutor(spec, { url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts], kernelSrc: other, cacheRoot: cache });
    await expect(worker.start()).rejects.toMatchObject({ code: 'TINYX_KERNEL_SRC_NOT_FOUND', message: expect.stringContaining('has kernel 6.1.9-standin') });
  }, 60_000);
});
