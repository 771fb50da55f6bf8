// Run-time tracing: strace log parsing, and a dlopen'ed library that only tracing finds.
import { execa } from 'execa';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { isWorthKeeping, parseStraceLog, straceApp, writtenDirs } from '../../src/deps/strace.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { gcc, tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => tmp.cleanup());

describe('parseStraceLog', () => {
  it('sorts successful opens, execs and probes; drops failures and writes', () => {
    const log = [
      '101 execve("/usr/bin/curl", ["curl"], 0x7ffd /* 3 vars */) = 0',
      '101 openat(AT_FDCWD, "/usr/lib/ssl/openssl.cnf", O_RDONLY) = 3',
      '101 openat(AT_FDCWD, "/root/.curlrc", O_RDONLY) = -1 ENOENT (No such file or directory)',
      '101 openat(AT_FDCWD, "/usr/lib/x86_64-linux-gnu", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 4',
      '101 openat(AT_FDCWD, "relative.txt", O_RDONLY) = 5',
      '101 openat(AT_FDCWD, "/var/log/app.log", O_WRONLY|O_CREAT|O_APPEND, 0644) = 7',
      '102 open("/etc/with \\"quote\\"", O_RDONLY) = 6',
      '102 execve("/bin/sh", ["sh", "-c", "x"], 0x55 /* 3 vars */) = 0',
      '102 newfstatat(AT_FDCWD, "/usr/lib/python3.11/os.py", {st_mode=S_IFREG|0644, st_size=39504, ...}, 0) = 0',
      '102 newfstatat(AT_FDCWD, "/usr/bin/lib/python3.11/os.py", 0x7fff, 0) = -1 ENOENT (No such file or directory)',
      '102 newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=37127, ...}, AT_EMPTY_PATH) = 0',
      '102 readlink("/usr/bin/python3", "python3.11", 4096) = 10',
      '102 access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)',
      '102 +++ exited with 0 +++',
    ].join('\n');
    expect(parseStraceLog(log)).toEqual({
      opened: ['/usr/lib/ssl/openssl.cnf', '/relative.txt', '/etc/with "quote"'],
      executed: ['/usr/bin/curl', '/bin/sh'],
      probed: ['/usr/lib/x86_64-linux-gnu', '/usr/lib/python3.11/os.py', '/usr/bin/python3'],
      written: ['/var/log/app.log'],
    });
  });

  it('resolves relative paths through each process\'s chdir, forked workers inheriting it', () => {
    const log = [
      '10 openat(AT_FDCWD, "conf/app.conf", O_RDONLY) = 3',
      '10 chdir("/srv/www") = 0',
      '11 newfstatat(AT_FDCWD, "index.html", {st_mode=S_IFREG|0644, st_size=3, ...}, 0) = 0',
      '11 openat(AT_FDCWD, "index.html", O_RDONLY) = 3',
      '12 chdir("../data") = 0',
      '12 openat(AT_FDCWD, "./x.db", O_RDONLY) = 3',
      '10 openat(AT_FDCWD, "img/logo.png", O_RDONLY) = 4',
    ].join('\n');
    expect(parseStraceLog(log, '/opt/app')).toEqual({
      opened: ['/opt/app/conf/app.conf', '/srv/www/index.html', '/srv/data/x.db', '/srv/www/img/logo.png'],
      executed: [],
      probed: [],
      written: [],
    });
  });

  it('finds a path in a call strace split in two, another process\'s lines between (resolved in that process\'s directory)', () => {
    const log = [
      '20 chdir("/srv") = 0',
      '20 openat(AT_FDCWD, "conf/a.conf", O_RDONLY|O_CLOEXEC <unfinished ...>',
      '21 chdir("/other") = 0',
      '21 epoll_wait(4,  <unfinished ...>',
      '20 <... openat resumed>) = 3',
      '21 <... epoll_wait resumed>[], 16, 100) = 0',
    ].join('\n');
    expect(parseStraceLog(log).opened).toEqual(['/srv/conf/a.conf']);
  });

  it('keeps the directories of written files, except those the guest mounts itself', () => {
    expect(writtenDirs(['/var/log/lighttpd/error.log', '/var/log/lighttpd/access.log', '/run/app.pid', '/tmp/x/y', '/proc/self/attr', '/srv/data/db'])).toEqual(['/srv/data', '/var/log/lighttpd']);
  });

  it('skips host-specific places and files the packager writes itself', () => {
    expect(isWorthKeeping('/usr/lib/ssl/openssl.cnf')).toBe(true);
    for (const p of ['/etc/ld.so.cache', '/etc/passwd', '/proc/self/maps', '/dev/urandom', '/root/.curlrc', '/home/u/.config/x', '/tmp', '/tmp/run.1/index.html', '/run']) expect(isWorthKeeping(p)).toBe(false);
    expect(isWorthKeeping('/home/u/app/data.db', '/home/u/app')).toBe(true);
  });
});

describe('straceApp and resolveApp({ strace })', () => {
  it('names every call of the app and its forked worker, the failed ones with their errno, and its socket families', async () => {
    const app = path.join(tmp.dir, 'syscalls');
    await gcc(['-o', app, 'syscalls.c'], tmp.dir);
    const traced = await straceApp(app, { seconds: 5 });
    expect(traced.syscalls).toEqual(expect.arrayContaining(['epoll_create1', 'eventfd2', 'socket', 'socketpair', 'tuxcall', 'clone', 'wait4', 'getppid', 'exit_group']));
    expect(traced.syscalls).toEqual([...new Set(traced.syscalls)].sort());
    expect(traced.failedCalls).toContain('tuxcall: ENOSYS');
    expect(traced.failedCalls.every((f) => /^[a-z0-9_]+: E[A-Z0-9]+$/.test(f))).toBe(true);
    expect(traced.families).toEqual(['AF_INET6', 'AF_UNIX']);
    // the paths as before: the loader's libc, not the cache
    expect(traced.files).toContain('/lib/x86_64-linux-gnu/libc.so.6');
    expect(traced.files).not.toContain('/etc/ld.so.cache');

    const manifest = await resolveApp(app, { strace: { seconds: 5 } });
    expect(manifest.traced).toEqual({ syscalls: traced.syscalls, failedCalls: traced.failedCalls, families: traced.families });
    expect((await resolveApp(app)).traced).toBeUndefined();
  });

  it('sees curl read openssl.cnf and locale data', async () => {
    const { files } = await straceApp('/usr/bin/curl', { args: ['-s', 'http://127.0.0.1:1/'], seconds: 5 });
    expect(files).toEqual(expect.arrayContaining(['/usr/lib/ssl/openssl.cnf', '/lib/x86_64-linux-gnu/libcurl.so.4']));
    expect(files).not.toContain('/etc/ld.so.cache');
  });

  it('finds a dlopen\'ed library that the ELF closure misses, and the guest tree then runs the app', async () => {
    const lib = path.join(tmp.dir, 'plugins');
    await mkdir(lib);
    await gcc(['-shared', '-fPIC', '-Wl,-soname,libfoo.so.1', '-o', path.join(lib, 'libfoo.so.1'), 'foo.c'], tmp.dir);
    const app = path.join(tmp.dir, 'loader');
    await gcc(['-o', app, 'dlopenfoo.c', `-Wl,-rpath,${lib}`], tmp.dir);
    const plain = await resolveApp(app);
    expect(plain.entries.some((e) => e.guestPath === path.join(lib, 'libfoo.so.1'))).toBe(false);
    const traced = await resolveApp(app, { strace: { seconds: 5 } });
    expect(traced.entries.find((e) => e.guestPath === path.join(lib, 'libfoo.so.1'))?.reason).toMatch(/used at run time/);

    const { file } = await buildInitramfs({ manifest: traced, init: { appGuestPath: traced.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'traced.cpio.gz') });
    const root = path.join(tmp.dir, 'root');
    await mkdir(root);
    await execa('sh', ['-c', `zcat '${file}' | cpio -idm --quiet --no-absolute-filenames`], { cwd: root });
    const run = await execa('chroot', [root, '/app/loader'], { reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
  });

  it('makes a Python script self-sufficient: the stdlib files it opens and the directories it checks', async () => {
    const script = path.join(tmp.dir, 'hello.py');
    await writeFile(script, '#!/usr/bin/python3\nimport json, sys\nprint(json.dumps({"hello": sys.argv[1:]}))\n');
    await chmod(script, 0o755);
    const manifest = await resolveApp(script, { strace: { args: ['x'], seconds: 10 } });
    // os.py comes with the static Python closure now; the trace confirms it and adds nothing that breaks it
    expect(manifest.entries.find((e) => e.guestPath === '/usr/lib/python3.11/os.py')?.reason).toMatch(/Python module|used at run time/);
    expect(manifest.entries.find((e) => e.guestPath === '/usr/lib/python3.11/lib-dynload')?.kind).toBe('dir');
    const { file } = await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'py.cpio.gz') });
    const root = path.join(tmp.dir, 'pyroot');
    await mkdir(root);
    await execa('sh', ['-c', `zcat '${file}' | cpio -idm --quiet --no-absolute-filenames`], { cwd: root });
    const run = await execa('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t proc proc proc && chroot . /app/hello.py a b'], { cwd: root, reject: false });
    expect(run.stdout, run.stderr).toBe('{"hello": ["a", "b"]}');
  });

  it('runs a probe against the traced server and keeps the files it served', async () => {
    const www = path.join(tmp.dir, 'www');
    await mkdir(www);
    await writeFile(path.join(www, 'index.html'), 'hi from busybox httpd\n');
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const probe = path.join(tmp.dir, 'probe.sh');
    await writeFile(probe, '#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10; do curl -sf "http://$TINYX_HOST:$TINYX_PORT/" && exit 0; sleep 0.3; done; exit 1\n');
    await chmod(probe, 0o755);
    const trace = { args: ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', www], seconds: 10, probe: { command: probe, env: { TINYX_HOST: '127.0.0.1', TINYX_PORT: port } } };
    // the app beside its documents: files under the host's /tmp count only when they are the app's own
    const app = path.join(tmp.dir, 'busybox');
    await copyFile('/bin/busybox', app);
    const manifest = await resolveApp(app, { strace: trace });
    expect(manifest.entries.find((e) => e.guestPath === path.join(www, 'index.html'))?.reason).toMatch(/used at run time/);
  });
});
