// A real kernel built through ccache -> distcc -> a real distccd on loopback: the start config with
// one option removed, built in a slot that holds a build of the start config, so only the objects
// that depend on that option are compiled again; CCACHE_RECACHE sends each of them to the daemon.
// The kernel is then booted and the example's probe passes against it.
import { execa, type ResultPromise } from 'execa';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { parseDotConfig } from '../../src/kconfig/dotconfig.js';
import { KernelConfigTool, withValues } from '../../src/kconfig/kernel.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { loadProfile } from '../../src/profile/load.js';
import { distccEnv, distccJobs } from '../../src/remote/distcc.js';
import { hashConfig } from '../../src/search/evaluator.js';
import { bootAndTest, type BootOutcome } from '../../src/tester/boot.js';
import { buildKernel, type BuildResult } from '../../src/tester/build.js';
import { freePort } from '../../src/tester/ports.js';
import { Workspace } from '../../src/tester/workspace.js';
import { REPO, buildExampleServer, tempDir } from '../deps/helpers.js';
import { startKernel } from '../helpers/start-kernel.js';

const REMOVED = 'SIGNALFD';

describe(`a kernel built through distcc (start config without ${REMOVED})`, () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let daemon: ResultPromise | undefined;
  let daemonLog: string;
  let prepared: BuildResult | undefined;
  let build: BuildResult;
  let boot: BootOutcome;

  beforeAll(async () => {
    tmp = await tempDir('tinyx-e2e-distcc-');
    const start = await startKernel();
    const source = await resolveKernelSource();
    const workspace = new Workspace(source.key);
    const cut = await new KernelConfigTool(source.dir, path.join(tmp.dir, 'kconfig')).olddefconfig(withValues(start.config, [REMOVED], 'n'));
    const common = {
      srcDir: source.dir, ccacheDir: workspace.ccacheDir, ccacheBase: workspace.ccacheBase, force: true,
    };
    const claimed = await workspace.claimSlots(1);
    try {
      const slotDir = workspace.slotDir(claimed.slots[0]!);
      // The slot must hold a build of the start config (the e2e runs before may have left another one).
      const holdsStart = await readFile(path.join(slotDir, '.config'), 'utf8').then((t) => hashConfig(parseDotConfig(t)) === start.configHash, () => false);
      if (!holdsStart) {
        prepared = await buildKernel({ ...common, slotDir, config: start.config, artifactDir: path.join(tmp.dir, 'start'), logFile: path.join(tmp.dir, 'start-build.log') });
        if (!prepared.ok) throw new Error(`could not rebuild the start config in ${slotDir}: ${prepared.reason}\n${prepared.logTail}`);
      }

      daemonLog = path.join(tmp.dir, 'distccd.log');
      const port = await startDistccd(tmp.dir, daemonLog).then((d) => {
        daemon = d.child;
        return d.port;
      });
      const hosts = `127.0.0.1:${port}/2`;
      build = await buildKernel({
        ...common, slotDir, config: cut, artifactDir: path.join(tmp.dir, 'artifact'), logFile: path.join(tmp.dir, 'build.log'),
        jobs: distccJobs(hosts),
        // No ccache hits: every object make compiles again goes to the daemon.
        env: { ...distccEnv(hosts), CCACHE_RECACHE: '1', DISTCC_DIR: path.join(tmp.dir, 'distcc-state') },
      });
    } finally {
      await claimed.release();
    }

    if (build.ok && build.bzImage) {
      const manifest = await resolveApp(await buildExampleServer());
      const initramfs = await buildInitramfs({
        manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'initramfs.cpio.gz'),
      });
      const profile = await loadProfile();
      boot = await bootAndTest({
        bzImage: build.bzImage, initramfs: initramfs.file, cmdline: profile.boot.cmdline, qemu: profile.qemu, network: { guestPort: 80 },
        tests: path.join(REPO, 'examples/hello-http/probe.sh'), logDir: path.join(tmp.dir, 'boot'),
        bootTimeoutMs: 120_000, readyTimeoutMs: 30_000, testTimeoutMs: 60_000,
      });
    }
  });

  afterAll(async () => {
    daemon?.kill('SIGTERM');
    await daemon;
    await tmp?.cleanup();
  });

  it('builds the bzImage, with compiles done by the distccd', async () => {
    expect(build.ok, `${build.reason}\n${build.logTail}`).toBe(true);
    expect(build.built).toBe(true);
    const served = (await readFile(daemonLog, 'utf8')).match(/COMPILE_OK/g)?.length ?? 0;
    expect(served).toBeGreaterThanOrEqual(1);
    const config = await readFile(path.join(tmp.dir, 'artifact', 'config'), 'utf8');
    expect(config).toContain(`# CONFIG_${REMOVED} is not set`);
    const rebuilt = prepared ? `after rebuilding the start config in ${(prepared.durationMs / 1000).toFixed(0)} s, ` : '';
    console.info(`[distcc e2e] ${rebuilt}the -${REMOVED} kernel built in ${(build.durationMs / 1000).toFixed(0)} s; distccd compiled ${served} files`);
  });

  it('boots, and the example app passes its probe', () => {
    expect(boot.status, `${boot.reason}\n${boot.consoleTail}`).toBe('pass');
  });
});

/** distccd on a free loopback port, as `nobody`, logging every job (see test/remote/distcc.test.ts). */
async function startDistccd(dir: string, log: string): Promise<{ child: ResultPromise; port: number }> {
  await mkdir(path.join(dir, 'distcc-state'), { recursive: true });
  // distccd drops root for `nobody` before it opens its log.
  await chmod(dir, 0o755);
  await writeFile(log, '');
  await chmod(log, 0o666);
  const port = await freePort();
  const child = execa('distccd', ['--daemon', '--no-detach', '--listen', '127.0.0.1', '--port', String(port), '--allow', '127.0.0.1',
    '--user', 'nobody', '--jobs', '2', '--log-file', log, '--log-level', 'info'], { reject: false, stdin: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const open = await execa('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { reject: false });
    if (open.exitCode === 0) return { child, port };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`distccd did not listen on ${port}`);
}
