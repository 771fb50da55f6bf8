// The CLI for real applications: --user/--env/--cwd checked before anything runs, bad apps and
// libraries named, the package closure printed by deps.
import { chmod, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/flags/minimize-options.js';
import { runMain } from '../../src/cli/main.js';

const root = path.resolve(__dirname, '../..');
const probe = path.join(root, 'examples/py-notes/probe.sh');
const notes = path.join(root, 'examples/py-notes/notes.py');

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMain(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), interactive: false });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('minimize flags for real apps', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tinyx-cli-apps-'));
  });

  it('parses --env pairs, keeping "=" in values', () => {
    expect(parseEnv(['A=1', 'URL=http://x/?a=b', 'EMPTY='])).toEqual({ A: '1', URL: 'http://x/?a=b', EMPTY: '' });
    expect(parseEnv(undefined)).toBeUndefined();
  });

  it('rejects a bad --env and a relative --cwd as usage errors', async () => {
    const bad = await run(['minimize', '--app', notes, '--tests', probe, '--out', path.join(dir, 'a'), '--env', '1X=y']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--env expects KEY=VALUE/);
    const rel = await run(['minimize', '--app', notes, '--tests', probe, '--out', path.join(dir, 'b'), '--cwd', 'srv']);
    expect(rel.code).toBe(2);
    expect(rel.stderr).toMatch(/--cwd .* must be absolute/);
  });

  it('names an app that is not executable', async () => {
    const file = path.join(dir, 'plain.py');
    await writeFile(file, '#!/usr/bin/python3\nprint(1)\n');
    await chmod(file, 0o644);
    const r = await run(['minimize', '--app', file, '--tests', probe, '--out', path.join(dir, 'c')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TINYX_APP_NOT_EXECUTABLE');
    expect(r.stderr).toContain(`chmod +x ${file}`);
  });
});

describe('tinyx deps on real apps', () => {
  it('prints the installed size of the package closure', async () => {
    const r = await run(['deps', '--app', path.join(root, 'examples/sh-status/status.sh')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Packages: dash [^;]+; libc6:amd64/);
    expect(r.stdout).toMatch(/Installing these packages takes [\d.]+ MiB \(\d+ packages with their dependencies\)/);
  });

  it('names a package that is not installed', async () => {
    const r = await run(['deps', '--app', notes, '--json', '--include-package', 'no-such-package-x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TINYX_PACKAGE_NOT_FOUND');
  });

  it('names a symlink loop on the app path', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-cli-loop-'));
    await mkdir(path.join(dir, 'x'));
    await symlink('b', path.join(dir, 'x', 'a'));
    await symlink('a', path.join(dir, 'x', 'b'));
    const r = await run(['deps', '--app', path.join(dir, 'x', 'a')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TINYX_SYMLINK_LOOP');
  });
});
