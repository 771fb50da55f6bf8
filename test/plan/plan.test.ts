import { beforeAll, describe, expect, it } from 'vitest';
import type { DefaultRun } from '../../src/image/index.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';
import { checkRequest, keepingOptions, makePlan, type HostFacts, type RunRequest } from '../../src/plan/plan.js';
import { planCandidates } from '../../src/search/candidates.js';
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

  it('--keep-reachable: the options the app\'s calls need, once known, are kept and no candidates; the plan stays frozen', () => {
    const plan = makePlan(request({ keepReachable: true }), host);
    expect(plan.search.keepReachable).toBe(true);
    const kept = keepingOptions(plan, ['SYSVIPC', 'EPOLL']);
    expect(kept.kernel.profile.kernel.keep).toEqual(expect.arrayContaining(['SYSVIPC', 'EPOLL']));
    expect(Object.isFrozen(kept.kernel)).toBe(true);
    const config = new Map([['SYSVIPC', 'y'], ['EPOLL', 'y'], ['SIGNALFD', 'y']]);
    expect(planCandidates(config, kept.kernel.profile, undefined, { compression: 'xz' }).candidates.map((c) => c.name)).toEqual(['SIGNALFD']);
    expect(keepingOptions(plan, [])).toBe(plan);
  });

  it('resolves every default from the profile and the host, and keeps what was asked', () => {
    const plan = makePlan(request(), host);
    expect(plan.boot).toMatchObject({ bootTimeoutMs: 120_000, readyTimeoutMs: 30_000, cmdline: profile.boot.cmdline });
    expect(plan.test).toEqual({ tests: '/work/app/probe.sh', testTimeoutMs: 120_000 });
    expect(plan.kernel).toMatchObject({ cache: '/cache/tinyx', compression: profile.packaging.compression });
    expect(plan.search).toMatchObject({ strategy: profile.search.strategy, cmdlineStrategy: profile.search.cmdlineStrategy, confirmFailures: 1, finalRuns: 3 });
    expect(plan.pack).toMatchObject({ prune: true, strip: true, init: 'auto', keepFiles: [] });
    expect(plan.pack.traceSeconds).toBe(120);
    expect(makePlan(request({ testTimeoutMs: 3_000 }), host).pack.traceSeconds).toBe(10);
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

describe('the run plan of an image', () => {
  let profile: Profile;
  const request = (over: Partial<RunRequest> = {}): RunRequest => ({ image: 'app.tar', appArgs: [], tests: 'probe.sh', profile, ...over });
  const run: DefaultRun = {
    argv: ['/usr/sbin/lighttpd', '-D'], env: ['PATH=/usr/bin:/bin', 'HOME=/var/www', 'MODE=prod'], workingDir: '/srv',
    user: { uid: 33, gid: 33, name: 'www-data', home: '/var/www' }, ports: [{ port: 8080, protocol: 'tcp' }], port: 8080, notes: [], unhonoured: [],
  };
  beforeAll(async () => {
    profile = await loadProfile();
  });

  it('takes the program, its arguments, environment, directory, user and port from the image\'s run', () => {
    const plan = makePlan(request(), host, { run });
    expect(plan.pack.source).toEqual({ kind: 'image', image: '/work/app/app.tar', whole: false, run });
    expect(plan.pack).toMatchObject({ appArgs: ['-D'], env: { PATH: '/usr/bin:/bin', HOME: '/var/www', MODE: 'prod' }, cwd: '/srv', user: 'www-data' });
    expect(plan.boot.network).toEqual({ guestPort: 8080 });
  });

  it('lets --port override the image\'s port, and falls back to 80 when the image has not exactly one', () => {
    expect(makePlan(request({ port: 0 }), host, { run }).boot.network).toBeUndefined();
    expect(makePlan(request({ port: 9000 }), host, { run }).boot.network).toEqual({ guestPort: 9000 });
    const { port: _, ...noPort } = run;
    expect(makePlan(request(), host, { run: noPort }).boot.network).toEqual({ guestPort: 80 });
    expect(makePlan({ ...request(), image: undefined, app: './server' }, host).boot.network).toEqual({ guestPort: 80 });
  });

  it('runs a user the image names only by number under a name of its own, and root as no user', () => {
    expect(makePlan(request(), host, { run: { ...run, user: { uid: 1001, gid: 0, home: '/' } } }).pack.user).toBe('uid1001');
    expect(makePlan(request(), host, { run: { ...run, user: { uid: 0, gid: 0, name: 'root', home: '/root' } } }).pack.user).toBeUndefined();
  });

  it('refuses --app with --image, neither, --entry with an image and --image-whole without one', () => {
    expect(() => makePlan(request({ app: './server' }), host)).toThrow(/needs --app or --image \(one of them\)/);
    expect(() => makePlan({ ...request(), image: undefined }, host)).toThrow(/needs --app or --image/);
    expect(() => makePlan(request({ entry: 'bin/x' }), host)).toThrow(/--entry is for a directory --app/);
    expect(() => makePlan({ ...request(), image: undefined, app: './server', imageWhole: true }, host)).toThrow(/--image-whole needs --image/);
    expect(makePlan(request({ imageWhole: true }), host).pack.source).toMatchObject({ kind: 'image', whole: true });
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
