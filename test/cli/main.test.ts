// The CLI on bad input: each condition has its own code and advice, and nothing is built.
import { execa } from 'execa';
import { chmod, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../src/cli/main.js';

const root = path.resolve(__dirname, '../..');
const probe = path.join(root, 'examples/hello-http/probe.sh');

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMain(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), interactive: false });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('tinyx CLI', () => {
  let dir: string;
  let app: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tinyx-cli-'));
    app = '/bin/true';
    await writeFile(path.join(dir, 'not-exec.sh'), '#!/bin/sh\nexit 0\n');
  });

  it('prints help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('minimize');
    const m = await run(['minimize', '--help']);
    expect(m.stdout).toContain('--tests PATH');
    expect(m.stdout).toContain('TINYX_PORT');
  });

  it('rejects an unknown command and unknown flags', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
    const r = await run(['minimize', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TINYX_USAGE');
  });

  it('needs --app and --tests', async () => {
    const r = await run(['minimize', '--app', app]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs --app and --tests');
  });

  it('reports a missing app', async () => {
    const r = await run(['minimize', '--app', path.join(dir, 'nope'), '--tests', probe, '--out', path.join(dir, 'o1')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TINYX_APP_NOT_FOUND');
    expect(r.stderr).toContain(path.join(dir, 'nope'));
  });

  it('reports tests that are not executable', async () => {
    const r = await run(['minimize', '--app', app, '--tests', path.join(dir, 'not-exec.sh'), '--out', path.join(dir, 'o2')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TINYX_TESTS_NOT_EXECUTABLE');
    expect(r.stderr).toContain('chmod +x');
  });

  it('reports missing tests', async () => {
    const r = await run(['minimize', '--app', app, '--tests', path.join(dir, 'missing.sh'), '--out', path.join(dir, 'o3')]);
    expect(r.stderr).toContain('TINYX_TESTS_NOT_FOUND');
  });

  it('reports an unknown profile', async () => {
    const r = await run(['minimize', '--app', app, '--tests', probe, '--profile', 'no-such-target']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TINYX_PROFILE_NOT_FOUND');
  });

  it('reports a broken profile file with its line', async () => {
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'kernel:\n  keep: 5\n');
    const r = await run(['minimize', '--app', app, '--tests', probe, '--profile', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TINYX_PROFILE_INVALID');
    expect(r.stderr).toContain('line 2: kernel.keep: expected a list of strings, received 5');
  });

  it('reports a kernel source that is not a kernel tree', async () => {
    await chmod(probe, 0o755);
    const r = await run(['minimize', '--app', app, '--tests', probe, '--kernel-src', dir, '--out', path.join(dir, 'o4')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TINYX_KERNEL_SRC_NOT_FOUND');
  });
});

describe('tinyx minimize strategy flag', () => {
  it('rejects an unknown strategy before any build, naming the known ones', async () => {
    const r = await run(['minimize', '--app', '/bin/true', '--tests', probe, '--strategy', 'fastest', '--out', path.join(tmpdir(), 'tinyx-cli-strategy')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown search strategy "fastest"');
    expect(r.stderr).toContain('one of: one-at-a-time, ddmin, bisect');
  });

  it('rejects a profile naming an unknown VM target before any build, naming the known ones', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-cli-target-'));
    const profile = path.join(dir, 'targets.yaml');
    await writeFile(profile, 'vm:\n  targets: [qemu, qemmu]\n');
    const r = await run(['minimize', '--app', '/bin/true', '--tests', probe, '--profile', profile, '--out', path.join(dir, 'out')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('vm.targets names "qemmu", which is no target (did you mean "qemu"?)');
    expect(await readdir(path.join(dir, 'out')).catch(() => [])).toEqual([]);
  });
});

describe('tinyx minimize default --out', () => {
  it('is never inside a directory app: `--app .` without --out is refused, and nothing is written into the app', async () => {
    const appDir = await mkdtemp(path.join(tmpdir(), 'tinyx-cli-dirapp-'));
    await writeFile(path.join(appDir, 'run'), '#!/bin/sh\n');
    await chmod(path.join(appDir, 'run'), 0o755);
    // A kernel source that is not one: should the out dir be taken, the run ends there, before any build.
    const r = await execa('node', [path.join(root, 'dist/cli/main.js'), 'minimize', '--app', '.', '--tests', probe, '--kernel-src', appDir], { cwd: appDir, reject: false, stdin: 'ignore' });
    expect(r.stderr).toContain('TINYX_OUT_INVALID');
    expect(r.stderr).toMatch(/inside the app directory[\s\S]*--out/);
    expect(r.exitCode).toBe(2);
    expect(await readdir(appDir)).toEqual(['run']);
  });
});
