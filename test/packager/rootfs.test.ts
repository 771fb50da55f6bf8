// planRootfs: what the packager adds around the manifest, and how it respects the app's own tree.
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { planRootfs, type RootfsNode } from '../../src/packager/rootfs.js';
import { buildExampleServer, tempDir } from '../deps/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-rootfs-');
});
afterAll(async () => tmp.cleanup());

const init = { appGuestPath: '/app/server', appArgs: [], network: { guestPort: 80 } };
const at = (nodes: RootfsNode[], p: string) => nodes.find((n) => n.path === p);

describe('planRootfs', () => {
  it('adds BusyBox, /init, init files, device nodes and base dirs around the server', async () => {
    const manifest = await resolveApp(await buildExampleServer());
    const nodes = planRootfs({ manifest, init, busyboxHostPath: '/bin/busybox' });
    expect(at(nodes, '/init')).toMatchObject({ kind: 'symlink', target: '/bin/busybox' });
    expect(at(nodes, '/bin/busybox')).toMatchObject({ kind: 'file', hostPath: '/bin/busybox', mode: 0o755 });
    expect(at(nodes, '/bin/sh')).toMatchObject({ kind: 'symlink', target: 'busybox' });
    expect(at(nodes, '/dev/console')).toMatchObject({ kind: 'char', major: 5, minor: 1 });
    expect(at(nodes, '/dev/null')).toMatchObject({ kind: 'char', major: 1, minor: 3 });
    expect(at(nodes, '/dev/urandom')).toMatchObject({ kind: 'char', major: 1, minor: 9, mode: 0o666 });
    expect(at(nodes, '/etc/tinyx/rc')?.data).toContain('exec /app/server');
    expect(at(nodes, '/etc/resolv.conf')?.data).toBe('nameserver 10.0.2.3\n');
    expect(at(nodes, '/etc/passwd')?.data).toMatch(/^root:x:0:0:/);
    expect(at(nodes, '/etc/hostname')?.data).toBe('tinyx\n');
    expect(at(nodes, '/etc/ld.so.cache')).toBeUndefined(); // nothing outside the default dirs
    for (const dir of ['/proc', '/sys', '/tmp', '/run', '/dev']) expect(at(nodes, dir)?.kind).toBe('dir');
    expect(at(nodes, '/tmp')?.mode).toBe(0o1777);
    expect(at(nodes, '/lib')).toMatchObject({ kind: 'symlink', target: 'usr/lib' });
    const paths = nodes.map((n) => n.path);
    expect(paths).toEqual([...paths].sort());
    for (const p of paths) {
      const parent = path.posix.dirname(p);
      if (parent !== '/') expect(at(nodes, parent)?.kind).toBe('dir');
    }
  });

  it('with the tinyx init: /init is that file, its config is there, and no BusyBox, applets, inittab or rc', async () => {
    const manifest = await resolveApp(await buildExampleServer());
    const accounts = { passwd: 'root:x:0:0:root:/root:/bin/sh\nsvc:x:4321:4321::/srv:/bin/false\n', group: 'root:x:0:\nsvc:x:4321:\nextra:x:4400:svc\n' };
    const nodes = planRootfs({ manifest, init: { ...init, kind: 'tinyx', user: 'svc', cwd: '/srv' }, tinyxInitHostPath: '/opt/tinyx-init', accounts });
    expect(at(nodes, '/init')).toMatchObject({ kind: 'file', hostPath: '/opt/tinyx-init', mode: 0o755, part: 'init' });
    const conf = Buffer.from(at(nodes, '/etc/tinyx/init.conf')?.data as Uint8Array).toString('utf8').split('\0');
    expect(conf).toEqual(expect.arrayContaining(['tinyx-init 1', 'port=80', 'cwd=/srv', 'uid=4321', 'gid=4321', 'groups=4321,4400', 'arg=/app/server', 'end']));
    const paths = nodes.map((n) => n.path);
    expect(paths.filter((p) => /busybox|inittab|\/etc\/tinyx\/rc/.test(p))).toEqual([]);
    expect(nodes.filter((n) => n.reason.startsWith('BusyBox applet'))).toEqual([]);
    expect(at(nodes, '/bin/sh')).toBeUndefined();
    for (const dev of ['console', 'null', 'urandom']) expect(at(nodes, `/dev/${dev}`)?.kind).toBe('char');
    for (const dir of ['/proc', '/sys', '/tmp', '/run', '/dev', '/bin']) expect(at(nodes, dir)?.kind).toBe('dir');
    expect(at(nodes, '/etc/passwd')?.data).toContain('svc:x:4321:4321:');
    expect(at(nodes, '/etc/hostname')?.data).toBe('tinyx\n');
    expect(() => planRootfs({ manifest, init: { ...init, kind: 'tinyx' }, busyboxHostPath: '/bin/busybox' })).toThrow(/tinyxInitHostPath/);
  });

  it('goes through a merged-usr /bin link and leaves the app\'s own /bin/sh alone', async () => {
    const script = path.join(tmp.dir, 'job.sh');
    await writeFile(script, '#!/bin/sh\nexit 0\n');
    await chmod(script, 0o755);
    const manifest = await resolveApp(script);
    const nodes = planRootfs({ manifest, init: { ...init, appGuestPath: manifest.app.guestPath }, busyboxHostPath: '/bin/busybox' });
    expect(at(nodes, '/bin')).toMatchObject({ kind: 'symlink', target: 'usr/bin' });
    expect(at(nodes, '/usr/bin/busybox')?.kind).toBe('file');
    expect(at(nodes, '/usr/bin/sh')).toMatchObject({ kind: 'symlink', target: 'dash' });
    expect(at(nodes, '/usr/bin/mount')).toMatchObject({ kind: 'symlink', target: 'busybox' });
    expect(nodes.some((n) => n.path.startsWith('/bin/'))).toBe(false);
  });
});
