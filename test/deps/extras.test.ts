// --include (files, trees, HOST:GUEST, ELF closures) and --exclude on real files.
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp, type Manifest } from '../../src/deps/index.js';
import { isTinyxError } from '../../src/errors.js';
import { buildExampleServer, tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let server: string;
beforeAll(async () => {
  tmp = await tempDir();
  server = await buildExampleServer();
});
afterAll(async () => tmp.cleanup());

const entry = (m: Manifest, p: string) => m.entries.find((e) => e.guestPath === p);

describe('include', () => {
  it('copies a tree at its host path, keeping inner symlinks, and a file at a chosen guest path', async () => {
    const www = path.join(tmp.dir, 'www');
    await mkdir(path.join(www, 'css'), { recursive: true });
    await writeFile(path.join(www, 'index.html'), '<h1>hi</h1>');
    await writeFile(path.join(www, 'css/site.css'), 'body{}');
    await symlink('index.html', path.join(www, 'home.html'));
    const conf = path.join(tmp.dir, 'app.conf');
    await writeFile(conf, 'x=1\n');
    const m = await resolveApp(server, { include: [www, `${conf}:/etc/app.conf`] });
    expect(entry(m, path.join(www, 'index.html'))).toMatchObject({ kind: 'file', reason: `--include ${www}` });
    expect(entry(m, path.join(www, 'css/site.css'))?.kind).toBe('file');
    expect(entry(m, path.join(www, 'home.html'))).toMatchObject({ kind: 'symlink', target: 'index.html' });
    expect(entry(m, '/etc/app.conf')).toMatchObject({ kind: 'file', hostPath: conf });
  });

  it('puts an include aimed through a merged-usr link where the guest kernel will look', async () => {
    const conf = path.join(tmp.dir, 'lib.conf');
    await writeFile(conf, 'y=2\n');
    const m = await resolveApp(server, { include: [`${conf}:/lib/app/lib.conf`] });
    expect(entry(m, '/usr/lib/app/lib.conf')).toMatchObject({ kind: 'file', hostPath: conf });
    expect(entry(m, '/lib/app/lib.conf')).toBeUndefined();
  });

  it('brings the libraries of an included ELF', async () => {
    const m = await resolveApp(server, { include: ['/usr/bin/curl'] });
    expect(entry(m, '/usr/bin/curl')?.kind).toBe('file');
    expect(entry(m, '/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0')?.reason).toMatch(/of \/usr\/bin\/curl/);
  });

  it('includes a script tree without touching its (non-ELF) files', async () => {
    const dir = path.join(tmp.dir, 'scripts');
    await mkdir(dir);
    await writeFile(path.join(dir, 'a.sh'), '#!/bin/sh\n');
    await chmod(path.join(dir, 'a.sh'), 0o755);
    const m = await resolveApp(server, { include: [dir] });
    expect(entry(m, path.join(dir, 'a.sh'))?.mode).toBe(0o755);
  });

  it('reports a missing include', async () => {
    const error = await resolveApp(server, { include: [path.join(tmp.dir, 'missing')] }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_APP_NOT_FOUND')).toBe(true);
  });
});

describe('exclude', () => {
  it('drops a path and what is under it, keeping directories other entries need', async () => {
    const m = await resolveApp('/usr/bin/curl', { exclude: ['/usr/lib/x86_64-linux-gnu/libssh2.so.1.0.1', '/usr/lib64'] });
    expect(entry(m, '/usr/lib/x86_64-linux-gnu/libssh2.so.1.0.1')).toBeUndefined();
    expect(entry(m, '/usr/lib64/ld-linux-x86-64.so.2')).toBeUndefined();
    expect(entry(m, '/usr/lib64')).toBeUndefined();
    expect(entry(m, '/usr/lib/x86_64-linux-gnu')?.kind).toBe('dir');
  });

  it('refuses to exclude the app', async () => {
    const error = await resolveApp(server, { exclude: ['/app'] }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_USAGE')).toBe(true);
  });
});
