// RemoteExecutor through a real loopback sshd: a stored kernel booted on the "worker" with the example
// app and its probe gives the LocalExecutor's verdict, also from paths full of quotes and newlines;
// killing sshd mid-job re-queues onto the local one.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import type { KernelSource } from '../../src/kconfig/source.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { MARKER_APP_STARTED } from '../../src/packager/markers.js';
import { RemoteExecutor } from '../../src/remote/executor.js';
import { ExecutorPool } from '../../src/remote/pool.js';
import { LocalExecutor, type JobSettings } from '../../src/tester/executor.js';
import { Workspace } from '../../src/tester/workspace.js';
import { REPO, buildExampleServer, tempDir } from '../deps/helpers.js';
import { exists, hostileName } from '../helpers/hostile.js';
import { descendants, startSshd, type Sshd } from './sshd.js';
import { findBuiltKernel, stageArtifact } from './kernel.js';

const kernel = await findBuiltKernel();

/** Live processes whose command line contains `text` (e.g. a QEMU left behind on the worker). */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
    if (cmdline.includes(text)) found.push(`${pid}: ${cmdline.slice(0, 120)}`);
  }
  return found;
}
const CMDLINE = 'console=ttyS0 panic=-1 quiet loglevel=3 tsc=reliable no_timer_check';

describe.skipIf(!kernel)('RemoteExecutor over loopback sshd', () => {
  let sshd: Sshd;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let source: KernelSource;
  let spec: JobSettings;
  let cache: string;

  beforeAll(async () => {
    sshd = await startSshd();
    tmp = await tempDir('tinyx-remote-');
    cache = path.join(tmp.dir, 'cache');
    source = await resolveKernelSource();
    const manifest = await resolveApp(await buildExampleServer());
    const initramfs = await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'initramfs.cpio.gz') });
    spec = {
      srcDir: source.dir, initramfs: initramfs.file, tests: path.join(REPO, 'examples/hello-http/probe.sh'), network: { guestPort: 80 },
      qemu: { machine: 'pc', memory: '256M', accel: 'auto', extraArgs: [] }, bootTimeoutMs: 60_000, readyTimeoutMs: 30_000, testTimeoutMs: 60_000,
    };
  }, 120_000);
  afterAll(async () => {
    await sshd?.stop();
    await tmp?.cleanup();
  });

  const remote = (s: Sshd) => new RemoteExecutor(spec, { url: s.url, identity: s.identity, knownHosts: [s.knownHosts], kernelSrc: source.dir, cacheRoot: cache, slots: 1 });

  it('boots a stored kernel on the worker and runs the probe there: same verdict as the local executor', async () => {
    const { config, hash } = await stageArtifact(kernel!, cache, source.key, 'same');
    const worker = remote(sshd);
    const local = new LocalExecutor(spec, new Workspace(source.key, cache), [900]);
    try {
      const s0 = Date.now();
      await worker.start();
      const startMs = Date.now() - s0;
      const t0 = Date.now();
      const phases: string[] = [];
      const r = await worker.run({ config, configHash: hash, cmdline: CMDLINE, logDir: path.join(tmp.dir, 'logs-remote'), onPhase: (p) => phases.push(p) });
      const remoteMs = Date.now() - t0;
      const t1 = Date.now();
      const l = await local.run({ config, configHash: hash, cmdline: CMDLINE, logDir: path.join(tmp.dir, 'logs-local') });
      const localMs = Date.now() - t1;
      console.log(`remote start-up ${startMs} ms (connect, tree, uploads, slots); remote job ${remoteMs} ms (boot ${r.bootMs}, tests ${r.testMs}); local job ${localMs} ms (boot ${l.bootMs}, tests ${l.testMs})`);
      const shape = (v: typeof r) => ({ status: v.status, reason: v.reason, configHash: v.configHash, cmdline: v.cmdline, built: v.built, testExitCode: v.testExitCode });
      expect(shape(r), r.consoleTail).toEqual({ status: 'pass', reason: 'tests passed', configHash: hash, cmdline: CMDLINE, built: false, testExitCode: 0 });
      expect(shape(r)).toEqual(shape(l));
      expect(phases).toEqual(['build', 'boot']);
      expect(r.consoleLog).toBe(path.join(tmp.dir, 'logs-remote', 'console.log'));
      expect(await readFile(r.consoleLog!, 'utf8')).toContain(MARKER_APP_STARTED);
      expect(await readFile(r.testLog!, 'utf8')).toContain('probe: ok');
    } finally {
      await worker.close();
    }
  }, 240_000);

  it('gives the same verdict with the worker cache and the tests file at hostile paths, running nothing in their names', async () => {
    const marker = path.join(tmp.dir, 'MARKER');
    // A file name holds no slash: the tests file's own tricks would touch a relative name, looked for everywhere below.
    const relative = 'tinyx-marker-tests';
    const hostileCache = path.join(tmp.dir, hostileName(marker));
    const tests = path.join(tmp.dir, 'probes', hostileName(relative));
    await mkdir(path.dirname(tests), { recursive: true });
    await copyFile(spec.tests, tests);
    const { config, hash } = await stageArtifact(kernel!, hostileCache, source.key, 'hostile');
    const worker = new RemoteExecutor({ ...spec, tests }, { url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts], kernelSrc: source.dir, cacheRoot: hostileCache, slots: 1 });
    try {
      const r = await worker.run({ config, configHash: hash, cmdline: CMDLINE, logDir: path.join(tmp.dir, 'logs-hostile') });
      expect(r.status, r.consoleTail).toBe('pass');
      expect(await readFile(r.testLog!, 'utf8')).toContain('probe: ok');
      // Before close(), which removes the worker's run dir (the tests run in theirs).
      expect(await exists(marker)).toBe(false);
      const everywhere = [...await readdir(tmp.dir, { recursive: true }), ...await readdir(process.env.HOME ?? '/root')];
      expect(everywhere.filter((name) => path.basename(name) === relative)).toEqual([]);
    } finally {
      await worker.close();
    }
  }, 240_000);

  it('re-queues a job onto the local executor when the worker dies mid-job, and the verdict still arrives', async () => {
    const doomed = await startSshd();
    const { config, hash } = await stageArtifact(kernel!, cache, source.key, 'fault');
    const worker = remote(doomed);
    const local = new LocalExecutor(spec, new Workspace(source.key, cache), [901]);
    const pool = new ExecutorPool([worker, local]);
    let killed = false;
    try {
      await worker.start();
      const verdict = await pool.run({
        config, configHash: hash, cmdline: CMDLINE, logDir: path.join(tmp.dir, 'logs-fault'),
        onPhase: (phase) => {
          // The first boot is the worker's: kill its sshd and every session process once QEMU runs there.
          if (phase !== 'boot' || killed) return;
          killed = true;
          setTimeout(() => void doomed.kill(), 1_500);
        },
      });
      expect(killed).toBe(true);
      expect(verdict.status, verdict.consoleTail).toBe('pass');
      const types = pool.events.map((e) => `${e.type}${'executor' in e && e.executor ? ` ${e.executor === 'local' ? 'local' : 'remote'}` : ''}`);
      expect(types).toEqual(['dispatch remote', 'executor-dropped remote', 'requeue remote', 'dispatch local', 'verdict local']);
      expect(pool.live).toEqual(['local']);
      // Nothing the dead worker started is left running.
      expect(doomed.child.pid && existsSync(`/proc/${doomed.child.pid}`)).toBeFalsy();
      expect(await descendants(doomed.child.pid!)).toEqual([]);
      expect(await processesMentioning(path.join(cache, 'remote-runs'))).toEqual([]);
    } finally {
      await worker.close();
      await doomed.stop();
    }
  }, 300_000);
});
