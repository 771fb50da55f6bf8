// `tinyx fleet`: exit status 2 for usage (flags, the fleet file, a held out dir), 1 when an app failed, 0 for check; plain timestamped lines.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../src/cli/main.js';
import { LOCK_FILE } from '../../src/fleet/lock.js';
import { processIdentity } from '../../src/util/proc.js';
import { fakeTarball, fakeTree } from '../kconfig/faketree.js';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMain(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), interactive: false });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('tinyx fleet', () => {
  let dir: string;
  let fleet: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tinyx-cli-fleet-'));
    await writeFile(path.join(dir, 'probe.sh'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, 'probe.sh'), 0o755);
    // Both apps' binaries are missing: each fails before anything is built or booted.
    fleet = path.join(dir, 'fleet.yaml');
    await writeFile(fleet, 'defaults:\n  tests: ./probe.sh\napps:\n  web:\n    app: ./build/web\n  api:\n    app: ./build/api\n    port: 8000\n');
  });

  it('shows its help, with the exit statuses', async () => {
    const r = await run(['fleet', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tinyx fleet run FLEET.yaml');
    expect(r.stdout).toContain('Exit status: 0 when every app passed, 1 when any failed, 2 for usage');
    expect(r.stdout).toContain('--keep-history N');
    expect(r.stdout).toContain('--jobs N');
    expect((await run(['--help'])).stdout).toContain('fleet ');
  });

  it('exits 2 for usage: no subcommand, an unknown one, no file, an unknown flag, a bad --keep-history, an unknown --only', async () => {
    expect((await run(['fleet'])).code).toBe(2);
    const unknown = await run(['fleet', 'frob']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('TINYX_USAGE')]);
    expect((await run(['fleet', 'run'])).code).toBe(2);
    expect((await run(['fleet', 'run', fleet, '--frob'])).code).toBe(2);
    const keep = await run(['fleet', 'run', fleet, '--keep-history', 'many']);
    expect([keep.code, keep.stderr]).toEqual([2, expect.stringContaining('--keep-history expects a whole number')]);
    const only = await run(['fleet', 'run', fleet, '--only', 'wbe']);
    expect([only.code, only.stderr]).toEqual([2, expect.stringContaining('(did you mean "web"?)')]);
  });

  it('exits 2 for a fleet file that is missing or invalid, naming each problem\'s line', async () => {
    const missing = await run(['fleet', 'run', path.join(dir, 'none.yaml')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('TINYX_FLEET_INVALID')]);
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, 'apps:\n  web:\n    app: ./x\n    tests: ./probe.sh\n    port: [80]\n    keep-memroy: true\n');
    const r = await run(['fleet', 'check', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 5: apps.web.port: expected N (a string), received a list');
    expect(r.stderr).toContain('line 6: unknown key "keep-memroy" under apps.web (did you mean "keep-memory"?)');
  });

  it('check lists the apps and exits 0; nothing runs', async () => {
    const r = await run(['fleet', 'check', fleet]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`web: ${path.join(dir, 'build', 'web')} tested by ${path.join(dir, 'probe.sh')}, port 80, profile qemu-x86_64`);
    expect(r.stdout).toContain('api: ');
    expect(r.stdout).toContain('2 apps, valid');
  });

  it('exits 1 when an app failed, after running every app, with a summary and plain timestamped log lines', async () => {
    const out = path.join(dir, 'out-failed');
    const r = await run(['fleet', 'run', fleet, '--out', out]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(path.join(out, 'summary.md'));
    expect(r.stdout).toContain('web: failed (TINYX_APP_NOT_FOUND)');
    expect(r.stdout).toContain('api: failed (TINYX_APP_NOT_FOUND)');
    const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ passed: false, counts: { failed: 2, unchanged: 0, minimized: 0 }, fleet });
    const lines = r.stderr.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z fleet\] /);
    expect(r.stderr).toContain('web (1/2)');
    expect(r.stderr).toContain('fleet done: 0 minimized, 0 unchanged, 2 failed');
  });

  it('exits 2 while another fleet run holds the out dir, naming its pid', async () => {
    const out = path.join(dir, 'out-locked');
    const other = execa('sleep', ['30']);
    try {
      await execa('mkdir', ['-p', out]);
      await writeFile(path.join(out, LOCK_FILE), JSON.stringify(await processIdentity(other.pid!)));
      const r = await run(['fleet', 'run', fleet, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('TINYX_FLEET_LOCKED');
      expect(r.stderr).toContain(`pid ${other.pid}, still running`);
    } finally {
      other.kill('SIGKILL');
      await other.catch(() => undefined);
    }
  });
});

describe('tinyx fleet: every app\'s flags and files checked before any app runs', () => {
  let dir: string;
  let cache: string;
  let saved: string | undefined;
  /** A fleet file: a tiny kernel tarball (a check that came too late would unpack it into the private cache), the defaults, then `body`. */
  let fleetFile: (name: string, body: string) => Promise<string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tinyx-cli-fleet-inputs-'));
    await writeFile(path.join(dir, 'probe.sh'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, 'probe.sh'), 0o755);
    const kernel = await fakeTarball(path.join(dir, 'usr-src'), await fakeTree(dir));
    fleetFile = async (name, body) => {
      const file = path.join(dir, name);
      await writeFile(file, `kernel: ${kernel}\ndefaults:\n  tests: ./probe.sh\n${body}`);
      return file;
    };
    cache = path.join(dir, 'private-cache');
    saved = process.env.TINYX_CACHE;
    process.env.TINYX_CACHE = cache;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TINYX_CACHE;
    else process.env.TINYX_CACHE = saved;
  });

  async function refusedRun(file: string, says: RegExp, code = 'TINYX_FLEET_INVALID', ...flags: string[]): Promise<void> {
    const out = path.join(dir, `out-${path.basename(file, '.yaml')}`);
    const r = await run(['fleet', 'run', file, '--out', out, ...flags]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`(${code})`);
    expect(r.stderr).toMatch(says);
    expect(r.stderr).not.toContain('internal error');
    expect(existsSync(out), 'no out dir').toBe(false);
    expect(existsSync(cache), 'nothing unpacked').toBe(false);
  }

  it('refuses a bad worker address or distcc host list of execution (the file\'s or the command line\'s) once, not per app', async () => {
    const file = await fleetFile('workers.yaml', 'execution:\n  worker: ["ssh://%zz@h"]\napps:\n  web:\n    app: /bin/true\n  api:\n    app: /bin/true\n');
    await refusedRun(file, /is invalid:\n  execution \(the file's, with the command line's flags over it\): Not a worker address: "ssh:\/\/%zz@h"/);
    const r = await run(['fleet', 'check', file]);
    expect(r.stderr.match(/Not a worker address/g)).toHaveLength(1);
    const plain = await fleetFile('plain.yaml', 'apps:\n  web:\n    app: /bin/true\n');
    await refusedRun(plain, /execution .*: --distcc: not a distcc host list: bad!host/, 'TINYX_FLEET_INVALID', '--distcc', 'bad!host');
  });

  it('refuses an app\'s value out of range (a port) with its line, before the first app runs', async () => {
    const file = await fleetFile('port.yaml', 'apps:\n  web:\n    app: /bin/true\n  api:\n    app: /bin/true\n    port: 70000\n');
    await refusedRun(file, /line 7: apps\.api: --port must be a TCP port from 1 to 65535/);
  });

  it('refuses apps named as the fleet\'s own files in its out dir, with their lines', async () => {
    const file = await fleetFile('names.yaml', ['apps:', '  summary.json:', '    app: /bin/true', '  fleet.lock:', '    app: /bin/true',
      '  summary.md.1a2b.tmp:', '    app: /bin/true', '  ../up:', '    app: /bin/true', '  .hidden:', '    app: /bin/true', ''].join('\n'));
    const r = await run(['fleet', 'check', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('line 5: apps.summary.json: an app\'s name names its out dir, and "summary.json" is the fleet\'s own (summary.json, summary.md, fleet.lock)');
    expect(r.stderr).toContain('line 7: apps.fleet.lock: an app\'s name names its out dir, and "fleet.lock" is the fleet\'s own');
    expect(r.stderr).toContain('line 9: apps.summary.md.1a2b.tmp: an app\'s name names its out dir, and "summary.md.1a2b.tmp" is the fleet\'s own');
    expect(r.stderr).toContain('line 11: apps.../up: an app\'s name names its out dir: letters, digits');
    expect(r.stderr).toContain('line 13: apps..hidden: an app\'s name names its out dir: letters, digits');
    await refusedRun(file, /apps\.summary\.json/);
    // The fleet keeps nothing else beside the apps' dirs: history/ is each app's own, inside its dir.
    const history = await fleetFile('history.yaml', 'apps:\n  history:\n    app: /bin/true\n');
    expect((await run(['fleet', 'check', history])).code).toBe(0);
  });

  it('refuses a fleet file with nested aliases, with the line of the first', async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]'];
    const file = path.join(dir, 'bomb.yaml');
    await writeFile(file, `${levels.join('\n')}\napps:\n  web:\n    app: /bin/true\n    tests: ./probe.sh\n    include: *c\n`);
    await refusedRun(file, /line 2: \*a: YAML aliases \(\*name\) are not supported; write the value out \(19 aliases in the file\)/);
  });

  it('refuses an --out it cannot create, with TINYX_OUT_INVALID', async () => {
    const file = await fleetFile('out.yaml', 'apps:\n  web:\n    app: /bin/true\n');
    const r = await run(['fleet', 'run', file, '--out', path.join(dir, 'probe.sh', 'out')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('TINYX_OUT_INVALID');
    expect(r.stderr).not.toContain('internal error');
  });
});
