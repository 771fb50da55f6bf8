import { beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';
import { checkRequest, makePlan, type HostFacts, type RunRequest } from '../../src/plan/plan.js';
import { DEFAULT_TIMEOUTS, probeBootTimeoutMs } from '../../src/plan/timeouts.js';

const host: HostFacts = { env: {}, cores: 2, cacheRoot: '/cache/tinyx', cwd: '/work/app' };

describe('the run plan', () => {
  let profile: Profile;
  const request = (over: Partial<RunRequest> = {}): RunRequest => ({ app: './server', appArgs: [], tests: 'probe.sh', port: 8080, profile, ...over });
  beforeAll(async () => {
    profile = await loadProfile();
  });

  it('decides the network once: a port gives every slice that needs it the same network, port 0 gives none', () => {
    const plan = makePlan(request(), host);
    expect(plan.boot.network).toEqual({ guestPort: 8080 });
    expect(plan.pack.network).toBe(plan.boot.network);
    expect(plan.search.network).toBe(plan.boot.network);
    const none = makePlan(request({ port: 0 }), host);
    expect([none.boot.network, none.pack.network, none.search.network]).toEqual([undefined, undefined, undefined]);
    expect('network' in none.boot).toBe(false);
  });

  it('resolves every default from the profile and the host, and keeps what was asked', () => {
    const plan = makePlan(request(), host);
    expect(plan.boot).toMatchObject({ bootTimeoutMs: 120_000, readyTimeoutMs: 30_000, cmdline: profile.boot.cmdline });
    expect(plan.test).toEqual({ tests: '/work/app/probe.sh', testTimeoutMs: 120_000 });
    expect(plan.kernel).toMatchObject({ cache: '/cache/tinyx', compression: profile.packaging.compression });
    expect(plan.search).toMatchObject({ strategy: profile.search.strategy, cmdlineStrategy: profile.search.cmdlineStrategy, confirmFailures: 1, finalRuns: 3 });
    expect(plan.pack).toMatchObject({ prune: true, strip: true, init: 'auto', keepFiles: [] });
    expect(plan.execution.jobs).toBe(1);
    expect(makePlan(request(), { ...host, cores: 8 }).execution.jobs).toBe(2);

    const asked = makePlan(request({
      bootTimeoutMs: 5_000, testTimeoutMs: 7_000, strategy: 'one-at-a-time', finalRuns: 1, confirmFailures: 0, prune: false, strip: false,
      init: 'busybox', compression: 'xz', cache: '/c', jobs: 3, tests: '/abs/probe.sh',
    }), host);
    expect(asked.boot.bootTimeoutMs).toBe(5_000);
    expect(asked.test).toEqual({ tests: '/abs/probe.sh', testTimeoutMs: 7_000 });
    expect(asked.search).toMatchObject({ strategy: 'one-at-a-time', finalRuns: 1, confirmFailures: 0 });
    expect(asked.pack).toMatchObject({ prune: false, strip: false, init: 'busybox' });
    expect(asked.kernel).toMatchObject({ cache: '/c', compression: 'xz' });
    expect(asked.execution.jobs).toBe(3);
  });

  it('takes the accelerator from the flag, then TINYX_ACCEL, then the profile', () => {
    expect(makePlan(request({ accel: 'kvm' }), { ...host, env: { TINYX_ACCEL: 'tcg' } }).boot.qemu.accel).toBe('kvm');
    expect(makePlan(request(), { ...host, env: { TINYX_ACCEL: 'tcg' } }).boot.qemu.accel).toBe('tcg');
    expect(makePlan(request(), host).boot.qemu.accel).toBe(profile.qemu.accel ?? 'auto');
    expect(() => makePlan(request(), { ...host, env: { TINYX_ACCEL: 'hvf' } })).toThrow(/TINYX_ACCEL must be one of/);
  });

  it('is frozen: a stage cannot change what another stage reads', () => {
    const plan = makePlan(request(), host);
    expect(Object.isFrozen(plan)).toBe(true);
    for (const slice of Object.values(plan)) expect(Object.isFrozen(slice)).toBe(true);
    expect(Object.isFrozen(plan.boot.network)).toBe(true);
    expect(() => {
      (plan.boot as { bootTimeoutMs: number }).bootTimeoutMs = 1;
    }).toThrow(TypeError);
  });

  it('refuses a setting out of range before anything runs', () => {
    expect(() => makePlan(request({ port: 65536 }), host)).toThrow(/--port must be a TCP port/);
    expect(() => makePlan(request({ port: -1 }), host)).toThrow(/--port/);
    expect(() => makePlan(request({ finalRuns: 0 }), host)).toThrow(/--final-runs/);
    expect(() => makePlan(request({ bootTimeoutMs: 10 }), host)).toThrow(/--boot-timeout must be at least 1 second/);
    expect(() => checkRequest({ port: 80, keepFiles: ['etc/x'] })).toThrow(/--keep-files/);
  });
});

describe('timeouts', () => {
  it('has one set of defaults, and probes boot within five times the app\'s start, at least 10 s', () => {
    expect(DEFAULT_TIMEOUTS).toEqual({ bootTimeoutMs: 120_000, readyTimeoutMs: 30_000, testTimeoutMs: 120_000 });
    expect(Object.isFrozen(DEFAULT_TIMEOUTS)).toBe(true);
    expect(probeBootTimeoutMs(undefined)).toBe(15_000);
    expect(probeBootTimeoutMs(1_000)).toBe(10_000);
    expect(probeBootTimeoutMs(4_000)).toBe(20_000);
  });
});
