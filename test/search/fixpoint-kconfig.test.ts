// Re-planning on the real x86 Kconfig model: removing a server's unneeded candidates frees options their selects held, and the search goes on with them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalDotConfig, enabledSymbols, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { loadKconfig, type KconfigModel } from '../../src/kconfig/engine.js';
import { KernelConfigTool, withValues } from '../../src/kconfig/kernel.js';
import { resolveKernelSource } from '../../src/profile/kernel-source.js';
import { makeStartConfig } from '../../src/profile/start-config.js';
import { harnessNeeds } from '../../src/profile/harness.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';
import { planCandidates } from '../../src/search/candidates.js';
import type { Evaluator, Normalized } from '../../src/search/evaluator.js';
import { freshCandidates, growth, stillEnabled } from '../../src/search/fixpoint.js';
import { searchKernel } from '../../src/search/phases.js';
import type { Verdict } from '../../src/tester/verdict.js';
import { sha256 } from '../../src/util/hash.js';

/** bench/search-kconfig.mjs's SERVER: what a network server on virtio-net needs. */
const SERVER = ['NET', 'INET', 'UNIX', 'NETDEVICES', 'NET_CORE', 'VIRTIO_NET', 'PCI', 'VIRTIO_MENU', 'VIRTIO_PCI', 'PROC_FS', 'DEVTMPFS', 'FUTEX', 'EPOLL', 'SHMEM'];
/**
 * What the Kconfig engine lists once the other candidates are gone (DESIGN.md, whose runs unpacked a
 * gzip initramfs): with xz, the run's compression here, the harness's RD_XZ keeps XZ_DEC selected.
 */
const FREED = ['EXPERT', 'CPU_FREQ', 'X86_INTEL_PSTATE', 'SPARSEMEM_VMEMMAP', 'WIRELESS', 'INPUT', 'SERIO', 'SERIO_I8042', 'SERIO_LIBPS2', 'PPS'];

const source = await resolveKernelSource().catch(() => undefined);

describe.skipIf(!source)('re-planning on the x86 Kconfig model', () => {
  let scratch: string;
  let model: KconfigModel;
  let profile: Profile;
  let start: DotConfig;
  /** The engine's olddefconfig (it agrees with the kernel's: test/search/candidates.test.ts). */
  const normalized = (config: DotConfig): Normalized => {
    const resolved = model.resolve(config);
    return { config: resolved, hash: sha256(canonicalDotConfig(resolved)) };
  };

  beforeAll(async () => {
    // The kernel's own tinyconfig and olddefconfig make the start config (Kconfig tools only, no build).
    scratch = await mkdtemp(path.join(tmpdir(), 'tinyx-fixpoint-'));
    profile = await loadProfile();
    start = (await makeStartConfig(new KernelConfigTool(source!.dir, scratch), profile, 'xz')).config;
    model = await loadKconfig(source!.dir, { arch: 'x86' }); // plain make: ARCH=x86, 64BIT has a prompt
  }, 600_000);

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('lists the options a removed candidate selected as new candidates, and not the ones already tried', async () => {
    // --port 0: the network path is searched too, so all 14 server options are candidates.
    const first = planCandidates(start, profile, model, { compression: 'xz' });
    const names = first.candidates.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(SERVER));
    const dropped = names.filter((n) => !SERVER.includes(n));
    expect(dropped).toHaveLength(177);
    const reached = model.resolve(withValues(start, dropped, 'n'));
    const again = planCandidates(reached, profile, model, { compression: 'xz' });
    const newNames = again.candidates.map((c) => c.name).filter((n) => !names.includes(n));
    expect(newNames).toEqual(expect.arrayContaining(FREED));
    expect(newNames).not.toContain('XZ_DEC');

    // As the search sees it: every first-round candidate was tried (the server's kept), and each new one is
    // judged on the config reached: EXPERT hides prompts whose options default to y, so removing it grows the config.
    const tried = new Map(names.map((n) => [n, first.isNoop!(n) ? 'noop' as const : 'live' as const]));
    const base = normalized(reached);
    const statusOf = async (n: string) => {
      const cut = normalized(withValues(reached, [n], 'n'));
      return cut.hash === base.hash ? 'noop' as const : growth(cut, base) ? 'grows' as const : 'live' as const;
    };
    const fresh = await freshCandidates(again, tried, statusOf);
    const freshNames = fresh.candidates.map((c) => c.name);
    expect(freshNames).toEqual(expect.arrayContaining(FREED.filter((n) => n !== 'EXPERT')));
    expect(fresh.skipped).toEqual([{ name: 'EXPERT', status: 'grows' }]);
    expect(growth(normalized(withValues(reached, ['EXPERT'], 'n')), base)).toMatch(/^grows: removing it alone turns on \d+ options that were off \(/);
    expect(freshNames.filter((n) => SERVER.includes(n))).toEqual([]);
    expect(fresh.candidates.find((c) => c.name === 'SERIO_I8042')?.menuPath?.join(' > ')).toMatch(/Input device support/);
  });

  it('searches a server\'s needs to a fixpoint: the freed options go in later rounds, EXPERT stays (removing it grows the config)', async () => {
    // The model is the judge: a config passes while the server's needs (and the harness) are on.
    const needs = ['UNIX', 'PROC_FS', 'DEVTMPFS', 'FUTEX', 'EPOLL', 'SHMEM', ...harnessNeeds(profile, { guestPort: 80 }, 'xz')];
    const seen = new Set<string>();
    const evaluator = {
      builds: 0,
      normalize: async (config: DotConfig) => normalized(config),
      evaluate: async (candidate: Normalized): Promise<Verdict> => {
        if (!seen.has(candidate.hash)) (seen.add(candidate.hash), evaluator.builds++);
        const pass = needs.every((n) => candidate.config.get(n) === 'y');
        return { status: pass ? 'pass' : 'fail', reason: '', configHash: candidate.hash, cmdline: '', built: true, buildMs: 0, bootMs: 0, testMs: 0, consoleTail: '' };
      },
    };
    const plan = planCandidates(start, profile, model, { network: { guestPort: 80 }, compression: 'xz' });
    const run = (replan: boolean) => searchKernel({
      evaluator: evaluator as unknown as Evaluator, start: normalized(start), cmdline: '', candidates: plan.candidates, isNoop: plan.isNoop,
      strategy: 'bisect', parallel: 1, emit: () => undefined,
      replan: replan ? (config) => planCandidates(config, profile, model, { network: { guestPort: 80 }, compression: 'xz' }) : undefined,
    });
    const once = await run(false);
    const result = await run(true);
    expect(result.rounds.length).toBeGreaterThanOrEqual(2);
    expect(result.rounds[1]!.candidates).toEqual(expect.arrayContaining(FREED.filter((n) => n !== 'EXPERT')));
    expect(result.kept).toContain('EXPERT');
    expect(result.reasons.EXPERT).toMatch(/^grows:/);
    expect(enabledSymbols(result.final.config).length).toBeLessThan(enabledSymbols(once.final.config).length);
    // 1-minimal over the final config's own candidates.
    for (const { name } of planCandidates(result.final.config, profile, model, { network: { guestPort: 80 }, compression: 'xz' }).candidates) {
      const cut = normalized(withValues(result.final.config, [name], 'n'));
      const ok = cut.hash === result.final.hash || growth(cut, result.final) !== undefined || !needs.every((n) => cut.config.get(n) === 'y');
      expect(ok, name).toBe(true);
    }
  }, 120_000);

  it('keeps a bounded list bounded: names already removed are no error, and nothing outside it is planned', () => {
    const only = ['SIGNALFD', 'TIMERFD', 'SHMEM'];
    const reached = model.resolve(withValues(start, ['SIGNALFD', 'TIMERFD'], 'n'));
    const again = planCandidates(reached, profile, model, { network: { guestPort: 80 }, compression: 'xz', only: stillEnabled(reached, only) });
    expect(again.candidates.map((c) => c.name)).toEqual(['SHMEM']);
  });
});
