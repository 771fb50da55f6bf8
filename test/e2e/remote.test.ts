// A bounded minimize run with one local slot and one remote slot (a real sshd on loopback, sharing
// this machine's cache root, so the artifact store and ccache are shared and the worker builds in
// worker-slot-N dirs) gives the same result as a local-only run, and the worker really builds a kernel.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KernelConfigTool, withValues } from '../../src/kconfig/kernel.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { loadProfile } from '../../src/profile/load.js';
import { hashConfig } from '../../src/search/evaluator.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { minimize, type MinimizeOptions, type MinimizeResult } from '../../src/run/minimize.js';
import type { Verdict } from '../../src/tester/verdict.js';
import { Workspace } from '../../src/tester/workspace.js';
import { cacheRoot } from '../../src/util/paths.js';
import { REPO, tempDir } from '../deps/helpers.js';
import { startSshd, type Sshd } from '../remote/sshd.js';
import { startKernel } from '../helpers/start-kernel.js';

const CANDIDATES = ['VIRTIO_NET', 'SIGNALFD'];

/** Every removal the search can try: none of these kernels is in the store when the remote run starts. */
const REMOVALS = [['VIRTIO_NET', 'SIGNALFD'], ['VIRTIO_NET'], ['SIGNALFD']];

describe('minimize with a local slot and a remote slot (real sshd, real builds and boots)', () => {
  let sshd: Sshd;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let remote: MinimizeResult;
  let local: MinimizeResult;
  const verdicts: Verdict[] = [];
  const seconds: Record<string, number> = {};

  beforeAll(async () => {
    tmp = await tempDir('tinyx-e2e-remote-');
    const start = await startKernel();
    const source = await resolveKernelSource();
    const tool = new KernelConfigTool(source.dir, path.join(tmp.dir, 'kconfig'));
    const workspace = new Workspace(source.key);
    for (const names of REMOVALS) {
      const cut = await tool.olddefconfig(withValues(start.config, names, 'n'));
      await rm(workspace.artifactDir(hashConfig(cut)), { recursive: true, force: true });
    }

    // The worker is this machine: same user, same cache root, same kernel tree.
    sshd = await startSshd({ env: { TINYX_CACHE: cacheRoot() } });
    const common: Omit<MinimizeOptions, 'out'> = {
      app: path.join(REPO, 'examples/hello-http/build/server'), appArgs: [], tests: path.join(REPO, 'examples/hello-http/probe.sh'),
      port: 80, profile: await loadProfile(), candidates: CANDIDATES, keepCmdline: true, keepMemory: true, compareCompression: [], finalRuns: 1, jobs: 1,
      // One run per candidate, so each verdict event carries the build that made it.
      confirmFailures: 0,
      // The same search both times, whatever the knowledge file holds (the first run adds to it).
      noPrior: true,
    };
    let began = Date.now();
    remote = await minimize({
      ...common, out: path.join(tmp.dir, 'remote'),
      workers: [{ url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts], slots: 1 }],
      onEvent: (e: MinimizeEvent) => e.type === 'verdict' && !e.fromJournal && verdicts.push(e.verdict),
    });
    seconds.remote = (Date.now() - began) / 1000;
    began = Date.now();
    local = await minimize({ ...common, out: path.join(tmp.dir, 'local') });
    seconds.local = (Date.now() - began) / 1000;
  });

  afterAll(async () => {
    await sshd?.stop();
    await tmp?.cleanup();
  });

  it('gives the local-only result', () => {
    const outcome = (r: MinimizeResult) => ({ hash: hashConfig(r.final.config), kept: r.kernel.kept, removed: r.kernel.removed, cmdline: r.final.cmdline });
    expect(outcome(remote)).toEqual(outcome(local));
    expect(remote.kernel.kept).toEqual(['VIRTIO_NET']);
    expect(remote.kernel.removed).toContain('SIGNALFD');
    expect(remote.final.verdict.status).toBe('pass');
  });

  it('dispatched jobs to the worker, which answered them, and lost none', () => {
    const events = remote.workerEvents;
    const onWorker = events.filter((e) => e.type === 'verdict' && e.executor === sshd.url);
    expect(events.filter((e) => e.type === 'dispatch' && e.executor === sshd.url).length).toBeGreaterThanOrEqual(1);
    expect(onWorker.length).toBeGreaterThanOrEqual(1);
    expect(events.filter((e) => e.type === 'dispatch' && e.executor === 'local').length).toBeGreaterThanOrEqual(1);
    expect(events.filter((e) => e.type === 'requeue' || e.type === 'executor-dropped' || e.type === 'job-failed')).toEqual([]);
    expect(local.workerEvents).toEqual([]);
  });

  it('built at least one kernel on the worker, in a worker slot; the local run reused it from the shared store', async () => {
    const remoteBuilds: Array<{ hash: string; seconds: number; status: string }> = [];
    for (const v of verdicts.filter((v) => v.built && v.buildLog)) {
      const log = await readFile(v.buildLog!, 'utf8');
      if (/\/worker-slot-\d+/.test(log)) remoteBuilds.push({ hash: v.configHash.slice(0, 12), seconds: v.buildMs / 1000, status: v.status });
    }
    expect(remoteBuilds.length).toBeGreaterThanOrEqual(1);
    expect(local.builds).toBe(0);
    const builtHere = verdicts.filter((v) => v.built).length - remoteBuilds.length;
    console.info(`[remote e2e] remote run ${seconds.remote!.toFixed(0)} s (${remote.builds} builds: ${remoteBuilds.length} on the worker, ${builtHere} local); `
      + `worker builds: ${remoteBuilds.map((b) => `${b.hash} ${b.seconds.toFixed(0)} s (${b.status})`).join(', ')}; `
      + `local-only run ${seconds.local!.toFixed(0)} s (${local.builds} builds)`);
  });
});
