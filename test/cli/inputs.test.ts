// Bad input to `tinyx minimize` and `tinyx kconfig` is refused in the inputs stage, with a code,
// advice and exit status 2, before deps, packing or any build: no .work, no journal, no run.json.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../src/cli/main.js';
import { resolveApp } from '../../src/deps/index.js';
import { isTinyxError } from '../../src/errors.js';
import { dotConfigProblem } from '../../src/kconfig/userconfig.js';
import { loadProfile } from '../../src/profile/load.js';
import { checkCandidateNames } from '../../src/search/candidates.js';
import { checkApp, checkOut } from '../../src/search/inputs.js';
import { checkRequest } from '../../src/plan/plan.js';
import { minimize } from '../../src/run/minimize.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { cacheRoot } from '../../src/util/paths.js';
import { fakeTarball, fakeTree } from '../kconfig/faketree.js';

const TREE = path.join(cacheRoot(), 'kernel/linux-source-6.1');
const haveTree = existsSync(path.join(TREE, 'Makefile'));

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const started = Date.now();
  const code = await runMain(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), interactive: false });
  return { code, stdout: out.join(''), stderr: err.join(''), ms: Date.now() - started };
}

let dir: string;
let tests: string;
let solo: string;
let multi: string;

async function executable(file: string, text = '#!/bin/sh\nexit 0\n'): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  await chmod(file, 0o755);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-inputs-'));
  tests = await executable(path.join(dir, 'tests.sh'));
  solo = path.join(dir, 'solo');
  await executable(path.join(solo, 'bin', 'server'));
  await writeFile(path.join(solo, 'data.txt'), 'data\n');
  multi = path.join(dir, 'multi');
  await executable(path.join(multi, 'a.sh'));
  await executable(path.join(multi, 'b.sh'));
});

/** A fresh --out path; refusals in the inputs stage leave no .work, journal or run.json in it. */
let outs = 0;
const freshOut = () => path.join(dir, `out-${++outs}`);
function untouched(out: string): void {
  for (const name of ['.work', 'journal.jsonl', 'run.json']) expect(existsSync(path.join(out, name)), `${out}/${name}`).toBe(false);
}
/** Should a check regress, the run stops at deps (a missing --include) instead of going on to build. */
const GUARD = '/nonexistent/tinyx-test-guard';
const minimizeArgs = (out: string, ...more: string[]) => ['minimize', '--app', '/bin/true', '--tests', tests, '--out', out, '--include', GUARD, ...more];

describe('numeric flags', () => {
  for (const argv of [['--port', '70000'], ['--port', '-1'], ['--port=-1'], ['--port', 'abc'], ['--port', '']]) {
    it(`refuses ${argv.join(' ')}`, async () => {
      const out = freshOut();
      const r = await run(minimizeArgs(out, ...argv));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('TINYX_USAGE');
      expect(r.stderr).toContain('--port');
      expect(r.stderr).not.toContain('internal error');
      expect(existsSync(out)).toBe(false);
    });
  }

  for (const [flag, value, says] of [
    ['--jobs', '0', /--jobs must be a whole number of at least 1, received 0/],
    ['--final-runs', '0', /--final-runs must be a whole number of at least 1, received 0/],
    ['--worker-slots', '0', /--worker-slots must be a whole number of at least 1, received 0/],
    ['--confirm-failures=-1', undefined, /--confirm-failures must be a whole number of at least 0, received -1/],
    ['--test-timeout', '0', /--test-timeout must be at least 1 second, received 0 s/],
    ['--boot-timeout', '0', /--boot-timeout must be at least 1 second, received 0 s/],
    ['--jobs', '1.5', /--jobs expects a whole number, received "1.5"/],
    ['--init', 'systemd', /--init must be one of auto, tinyx, busybox, received "systemd"/],
    ['--trace', '--no-trace', /--trace and --no-trace contradict each other/],
  ] as const) {
    it(`refuses ${flag} ${value ?? ''}`, async () => {
      const out = freshOut();
      const r = await run(minimizeArgs(out, flag, ...(value === undefined ? [] : [value])));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(says);
      expect(r.stderr).toContain('TINYX_USAGE');
      expect(existsSync(out)).toBe(false);
    });
  }

  it('takes --port 0 (no network) and the edges of the port range', () => {
    for (const port of [0, 1, 65535]) expect(() => checkRequest({ port })).not.toThrow();
    expect(() => checkRequest({ port: 65536 })).toThrow(/--port/);
    expect(() => checkRequest({ port: 80, jobs: 2, finalRuns: 1, confirmFailures: 0, testTimeoutMs: 1000 })).not.toThrow();
    expect(() => checkRequest({ port: 80, workers: [{ url: 'ssh://b@h', slots: 0 }] })).toThrow(/--worker-slots \(for ssh:\/\/b@h\)/);
  });
});

describe('--profile', () => {
  it('refuses a directory as the profile', async () => {
    const out = freshOut();
    const r = await run(minimizeArgs(out, '--profile', dir));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('TINYX_PROFILE_NOT_FOUND');
    expect(r.stderr).toContain('is not a file');
    expect(r.stderr).not.toContain('internal error');
    expect(existsSync(out)).toBe(false);
    const error = await loadProfile(dir).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_PROFILE_NOT_FOUND')).toBe(true);
  });

  it('refuses a missing profile file', async () => {
    const out = freshOut();
    const r = await run(minimizeArgs(out, '--profile', path.join(dir, 'missing.yaml')));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TINYX_PROFILE_NOT_FOUND');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a misspelled key with its line and a suggestion', async () => {
    const file = path.join(dir, 'typo.yaml');
    await writeFile(file, 'name: typo\nkernel:\n  base: tinyconfig\n  enabel: [NET]\n');
    const out = freshOut();
    const r = await run(minimizeArgs(out, '--profile', file));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TINYX_PROFILE_INVALID');
    expect(r.stderr).toContain('line 4: unknown key "enabel" under kernel (did you mean "enable"?)');
    expect(existsSync(out)).toBe(false);
  });
});

describe('--out', () => {
  it('refuses an --out under a regular file', async () => {
    const file = path.join(dir, 'plain-file');
    await writeFile(file, 'x\n');
    const r = await run(minimizeArgs(path.join(file, 'out')));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('TINYX_OUT_INVALID');
    expect(r.stderr).toContain(`${file} is not a directory`);
    const same = await run(minimizeArgs(file));
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('exists and is not a directory');
  });

  // mkdir -p under /proc never ends in Node 20 (ENOENT for a parent that exists); /sys refuses new dirs even to root.
  for (const place of ['/proc/tinyx-no-such/out', '/sys/tinyx-no-such-out']) {
    it(`refuses an --out that cannot be created (${place}), at once`, async () => {
      const r = await run(minimizeArgs(place));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('TINYX_OUT_INVALID');
      expect(r.stderr).toMatch(/Cannot create --out|Cannot use --out|not writable/);
      expect(r.ms).toBeLessThan(10_000);
      expect(existsSync(place)).toBe(false);
    });
  }

  it('creates a new nested --out and leaves nothing in it', async () => {
    const out = path.join(dir, 'deep', 'er', 'out');
    expect(await checkOut(out)).toBe(out);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('directory apps', () => {
  it('refuses a directory with several executables and no --entry, listing them', async () => {
    const out = freshOut();
    const r = await run(['minimize', '--app', multi, '--tests', tests, '--out', out, '--include', GUARD]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('TINYX_APP_NOT_EXECUTABLE');
    expect(r.stderr).toContain('a.sh, b.sh');
    expect(r.stderr).toContain('--entry');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an --entry outside the directory, not executable, or given for a file app', async () => {
    const outside = await run(['minimize', '--app', multi, '--entry', '../tests.sh', '--tests', tests, '--out', freshOut(), '--include', GUARD]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('is outside the app directory');
    await writeFile(path.join(multi, 'notes.txt'), 'x\n');
    const plain = await run(['minimize', '--app', multi, '--entry', 'notes.txt', '--tests', tests, '--out', freshOut(), '--include', GUARD]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('TINYX_APP_NOT_EXECUTABLE');
    const file = await run(['minimize', '--app', '/bin/true', '--entry', 'x', '--tests', tests, '--out', freshOut(), '--include', GUARD]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('--entry is for a directory app');
  });

  it('picks the only executable, or takes --entry, and the guest runs that program', async () => {
    expect(await checkApp(solo)).toEqual({ file: solo, entry: 'bin/server' });
    expect(await checkApp(multi, 'b.sh')).toEqual({ file: multi, entry: 'b.sh' });
    expect(await checkApp('/bin/true')).toEqual({ file: '/bin/true' });
    // What minimize hands to resolveApp: the manifest's app (the init's command) is the entry.
    const manifest = await resolveApp(multi, { entry: 'b.sh' });
    expect(manifest.app).toEqual({ hostPath: path.join(multi, 'b.sh'), guestPath: '/app/multi/b.sh' });
    expect(manifest.entries.some((e) => e.guestPath === '/app/multi/a.sh')).toBe(true);
  });

  it('documents --entry in the help', async () => {
    const r = await run(['minimize', '--help']);
    expect(r.stdout).toContain('--entry REL');
    expect(r.stdout).toMatch(/--port N .*1-65535[\s\S]*0 = no\s+network/);
  });
});

describe('--candidates', () => {
  it('refuses names that are no symbol of the model, listing close matches', () => {
    const known = ['SIGNALFD', 'TIMERFD', 'NET', 'INET'];
    expect(() => checkCandidateNames(['SIGNALFD', 'CONFIG_NET'], known)).not.toThrow();
    let error: unknown;
    try {
      checkCandidateNames(['CONFIG_SIGNALF', 'inet', 'NO_SUCH_THING_XYZ'], known);
    } catch (e) {
      error = e;
    }
    expect(isTinyxError(error, 'TINYX_USAGE')).toBe(true);
    expect((error as Error).message).toContain('SIGNALF (close: SIGNALFD); inet (close: INET, NET); NO_SUCH_THING_XYZ.');
  });

  it.skipIf(!haveTree)('refuses unknown names against the kernel tree before deps (a directory app and --port 0 pass)', async () => {
    const out = freshOut();
    const r = await run(['minimize', '--app', solo, '--tests', tests, '--out', out, '--port', '0', '--kernel-src', TREE,
      '--candidates', 'SIGNALFD,CONFIG_SIGNALF,NO_SUCH_THING_XYZ', '--include', GUARD]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('TINYX_USAGE');
    // SIGNALFD is an option of the tree: only the two others are named, the first with its match.
    expect(r.stderr).toMatch(/this kernel tree does not have: SIGNALF \(close: SIGNALFD[^)]*\); NO_SUCH_THING_XYZ\./);
    untouched(out);
  });

  it.skipIf(!haveTree)('--values: refuses names that are no int or hex option of the tree, before deps', async () => {
    const out = freshOut();
    const r = await run(['minimize', '--app', solo, '--tests', tests, '--out', out, '--port', '0', '--kernel-src', TREE,
      '--values', 'LOG_BUF_SHIFT,SIGNALFD', '--include', GUARD]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--values names an option this kernel tree does not have as an int or hex option: SIGNALFD/);
    untouched(out);
  });

  it('skips the check with a warning when the Kconfig engine cannot read the tree', async () => {
    const tree = path.join(dir, 'linux-broken');
    await mkdir(path.join(tree, 'scripts', 'kconfig'), { recursive: true });
    await writeFile(path.join(tree, 'Makefile'), 'VERSION = 9\nPATCHLEVEL = 9\nSUBLEVEL = 0\nEXTRAVERSION =\n');
    const profile = await loadProfile();
    const out = freshOut();
    const events: MinimizeEvent[] = [];
    const stop = new Error('stopped by the test at the first warning');
    const result = await minimize({
      app: '/bin/true', appArgs: [], tests, port: 80, profile, out, kernelSrc: tree, cache: path.join(dir, 'cache'),
      candidates: ['NO_SUCH_THING_XYZ'], include: [GUARD],
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'warning') throw stop;
      },
    }).catch((e: unknown) => e);
    expect(result).toBe(stop);
    expect(events.at(-1)).toMatchObject({ type: 'warning', message: expect.stringContaining('--candidates names are not checked before the build') });
    expect(events.filter((e) => e.type === 'stage').map((e) => e.type === 'stage' && e.stage)).toEqual(['inputs']);
    untouched(out);
  });
});

describe('config files', () => {
  it('tells a kernel config from other text, with the first bad line', () => {
    expect(dotConfigProblem('#\n# comment\nCONFIG_NET=y\n# CONFIG_INET is not set\n\nCONFIG_X="a b"\n')).toBeUndefined();
    expect(dotConfigProblem('CONFIG_NET=y\r\n')).toBeUndefined();
    expect(dotConfigProblem('CONFIG_NET=y\nhello world\n')).toMatch(/^line 2 is neither/);
    expect(dotConfigProblem('# only comments\n\n')).toMatch(/sets no option/);
    expect(dotConfigProblem('')).toMatch(/sets no option/);
  });

  it('refuses `kconfig --config GARBAGE` before the kernel tree is looked at', async () => {
    const garbage = path.join(dir, 'garbage.config');
    await writeFile(garbage, '# looks like a comment\nCONFIG_NET=y\n\x00\x01binary junk\n');
    const r = await run(['kconfig', 'resolve', '--config', garbage, '--kernel-src', path.join(dir, 'no-tree')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('TINYX_CONFIG_INVALID');
    expect(r.stderr).toContain('line 3 is neither');
    const empty = path.join(dir, 'empty.config');
    await writeFile(empty, '');
    const e = await run(['kconfig', 'candidates', '--config', empty]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('sets no option');
    // A real config gets past the check (and then fails on the missing tree, exit 1).
    const good = path.join(dir, 'good.config');
    await writeFile(good, 'CONFIG_NET=y\n');
    const g = await run(['kconfig', 'resolve', '--config', good, '--kernel-src', path.join(dir, 'no-tree')]);
    expect(g.stderr).toContain('TINYX_KERNEL_SRC_NOT_FOUND');
  });

  it('refuses `minimize --from GARBAGE` before deps', async () => {
    const garbage = path.join(dir, 'from.config');
    await writeFile(garbage, 'this is not\na kernel config\n');
    const out = freshOut();
    const r = await run(minimizeArgs(out, '--from', garbage));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('TINYX_CONFIG_INVALID');
    expect(r.stderr).toContain('--from');
    expect(r.stderr).toContain('line 1 is neither');
    untouched(out);
  });
});

describe('verify', () => {
  it('refuses --jobs below 1 or not a number before reading the out dir', async () => {
    for (const jobs of ['0', 'abc', '-2']) {
      const result = await run(['verify', path.join(dir, 'no-such-out'), `--jobs=${jobs}`]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--jobs expects a whole number of at least 1, received "${jobs}"`);
    }
  });
});

/** A workers.yaml or profile whose nested aliases would expand to 9^6 values (a "billion laughs"). */
function aliasBomb(tail: string): string {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 6; i++) levels.push(`${'abcdef'[i]}: &${'abcdef'[i]} [${Array(9).fill(`*${'abcdef'[i - 1]}`).join(',')}]`);
  return `${levels.join('\n')}\n${tail}`;
}

describe('workers, distcc and YAML aliases', () => {
  // The run's kernel is a tiny tarball and the cache a private one: a check that came too late would unpack it there.
  let cache: string;
  let kernel: string;
  let saved: string | undefined;
  beforeAll(async () => {
    cache = path.join(dir, 'private-cache');
    kernel = await fakeTarball(path.join(dir, 'usr-src'), await fakeTree(dir, 'linux-fake'));
    saved = process.env.TINYX_CACHE;
    process.env.TINYX_CACHE = cache;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TINYX_CACHE;
    else process.env.TINYX_CACHE = saved;
  });

  async function refused(argv: string[], code: string, says: RegExp): Promise<void> {
    const r = await run(argv);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`(${code})`);
    expect(r.stderr).toMatch(says);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(cache), 'nothing unpacked').toBe(false);
  }

  const cases: [string, string[], RegExp][] = [
    ['a --worker whose user has a stray %', ['--worker', 'ssh://%zz@h'], /Not a worker address: "ssh:\/\/%zz@h" \(the user name "%zz" has a % that is not a %XX escape\)/],
    ['a --worker that is no ssh:// address', ['--worker', 'build1'], /Not a worker address: "build1"/],
    ['a --distcc host list with a bad host', ['--distcc', 'build1/4 bad!host'], /--distcc: not a distcc host list: bad!host/],
    ['a missing --identity', ['--worker', 'ssh://u@h', '--identity', '/nonexistent/id_ed25519'], /The identity file \/nonexistent\/id_ed25519 \(for ssh:\/\/u@h\) does not exist/],
    ['a --known-hosts that is a directory', ['--worker', 'ssh://u@h', '--known-hosts', '/tmp'], /The known_hosts file \/tmp \(for ssh:\/\/u@h\) is not a file/],
  ];
  for (const [what, flags, says] of cases) {
    it(`minimize refuses ${what} before any work`, async () => {
      const out = freshOut();
      await refused(minimizeArgs(out, '--kernel-src', kernel, ...flags), 'TINYX_USAGE', says);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('minimize refuses a workers.yaml or a profile with nested aliases, with the file and line', async () => {
    const workers = path.join(dir, 'bomb-workers.yaml');
    await writeFile(workers, aliasBomb('workers: [*f]\n'));
    await refused(minimizeArgs(freshOut(), '--kernel-src', kernel, '--workers', workers), 'TINYX_USAGE',
      /Invalid workers file:\n  .*bomb-workers\.yaml:2: \*a: YAML aliases \(\*name\) are not supported; write the value out \(46 aliases in the file\)/);
    const profile = path.join(dir, 'bomb-profile.yaml');
    await writeFile(profile, aliasBomb('kernel:\n  enable: *f\n'));
    await refused(minimizeArgs(freshOut(), '--kernel-src', kernel, '--profile', profile), 'TINYX_PROFILE_INVALID',
      /bomb-profile\.yaml is invalid:\n  line 2: \*a: YAML aliases \(\*name\) are not supported/);
  });

  it('worker check refuses a bad address or workers.yaml with exit status 2, before connecting to any worker', async () => {
    await refused(['worker', 'check', 'ssh://%zz@h'], 'TINYX_USAGE', /Not a worker address: "ssh:\/\/%zz@h"/);
    // 192.0.2.1 (TEST-NET-1) never answers: a check that connected first would take the whole --timeout.
    const started = Date.now();
    await refused(['worker', 'check', 'ssh://root@192.0.2.1', 'ssh://%zz@h', '--timeout', '20'], 'TINYX_USAGE', /%zz/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const workers = path.join(dir, 'bomb-check.yaml');
    await writeFile(workers, aliasBomb('workers: [*f]\n'));
    await refused(['worker', 'check', '--workers', workers], 'TINYX_USAGE', /bomb-check\.yaml:2: \*a: YAML aliases/);
  });
});
