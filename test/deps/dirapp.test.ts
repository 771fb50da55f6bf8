// Directory apps: the whole tree moves to /app/NAME with its $ORIGIN libraries, and still runs there.
import { execa } from 'execa';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp, type Manifest } from '../../src/deps/index.js';
import { isTinyxError } from '../../src/errors.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { gcc, tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let app: string;
beforeAll(async () => {
  tmp = await tempDir();
  app = path.join(tmp.dir, 'myapp');
  await mkdir(path.join(app, 'bin'), { recursive: true });
  await mkdir(path.join(app, 'lib'));
  await mkdir(path.join(app, 'share'));
  await gcc(['-shared', '-fPIC', '-Wl,-soname,libfoo.so.1', '-o', path.join(app, 'lib/libfoo.so.1.0'), 'foo.c'], app);
  await symlink('libfoo.so.1.0', path.join(app, 'lib/libfoo.so.1'));
  await symlink('libfoo.so.1', path.join(app, 'lib/libfoo.so'));
  await gcc(['-o', path.join(app, 'bin/myapp'), 'usefoo.c', `-L${path.join(app, 'lib')}`, '-lfoo', '-Wl,-rpath,$ORIGIN/../lib'], app);
  await writeFile(path.join(app, 'share/data.txt'), 'data\n');
});
afterAll(async () => tmp.cleanup());

const entry = (m: Manifest, p: string) => m.entries.find((e) => e.guestPath === p);

describe('directory apps', () => {
  it('copies the tree to /app/<name>, runs bin/<name>, and finds its $ORIGIN library inside the copy', async () => {
    const m = await resolveApp(app);
    expect(m.app).toEqual({ hostPath: path.join(app, 'bin/myapp'), guestPath: '/app/myapp/bin/myapp' });
    expect(entry(m, '/app/myapp/lib/libfoo.so.1.0')?.kind).toBe('file');
    expect(entry(m, '/app/myapp/lib/libfoo.so.1')).toMatchObject({ kind: 'symlink', target: 'libfoo.so.1.0' });
    expect(entry(m, '/app/myapp/share/data.txt')?.kind).toBe('file');
    expect(entry(m, '/usr/lib/x86_64-linux-gnu/libc.so.6')?.kind).toBe('file');
    expect(m.entries.some((e) => e.guestPath.startsWith(tmp.dir))).toBe(false);
    // The report's parts: the whole tree is the app (its private library too), the host's libraries are libraries.
    expect(['bin/myapp', 'lib/libfoo.so.1.0', 'share/data.txt'].map((p) => entry(m, `/app/myapp/${p}`)?.part)).toEqual(['app', 'app', 'app']);
    expect(entry(m, '/usr/lib/x86_64-linux-gnu/libc.so.6')?.part).toBe('libraries');
  });

  // glibc finds the main program's $ORIGIN through /proc/self/exe: the guest rc mounts /proc
  // first; here a private mount namespace gives the chroot its own /proc.
  it('runs from the extracted initramfs tree (with /proc, as in the guest)', async () => {
    const m = await resolveApp(app);
    const { file } = await buildInitramfs({ manifest: m, init: { appGuestPath: m.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'dir.cpio.gz') });
    const root = path.join(tmp.dir, 'root');
    await mkdir(root);
    await execa('sh', ['-c', `zcat '${file}' | cpio -idm --quiet --no-absolute-filenames`], { cwd: root });
    const run = await execa('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t proc proc proc && chroot . /app/myapp/bin/myapp'], { cwd: root, reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
  });

  it('takes an explicit script entry with its interpreter', async () => {
    await writeFile(path.join(app, 'start.sh'), '#!/bin/sh\nexec "$(dirname "$0")/bin/myapp"\n');
    await chmod(path.join(app, 'start.sh'), 0o755);
    const m = await resolveApp(app, { entry: 'start.sh', guestDir: '/srv' });
    expect(m.app.guestPath).toBe('/srv/myapp/start.sh');
    expect(entry(m, '/usr/bin/dash')?.kind).toBe('file');
  });

  it('asks for --entry when the program to run is ambiguous', async () => {
    const dir = path.join(tmp.dir, 'two');
    await mkdir(dir);
    for (const n of ['a', 'b']) {
      await writeFile(path.join(dir, n), '#!/bin/sh\n');
      await chmod(path.join(dir, n), 0o755);
    }
    const error = await resolveApp(dir).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_APP_NOT_EXECUTABLE')).toBe(true);
    expect(String((error as Error).message)).toMatch(/a, b/);
    expect((await resolveApp(dir, { entry: 'b' })).app.guestPath).toBe('/app/two/b');
  });
});
