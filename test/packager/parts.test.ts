// The initramfs by part: each node's part from the plan (the manifest's, the packager's, or what /init leads to) and its archive bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { encodeCpio, memberBytes, TRAILER_BYTES, type CpioEntry } from '../../src/packager/cpio.js';
import { partBytes, partsOf, ROOTFS_PARTS } from '../../src/packager/parts.js';
import { planRootfs, type RootfsNode } from '../../src/packager/rootfs.js';
import { buildExampleServer, tempDir } from '../deps/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-parts-');
});
afterAll(async () => tmp.cleanup());

/** Archive entries for nodes, with made-up contents of a size that depends on the path. */
const entriesOf = (nodes: RootfsNode[]): CpioEntry[] => nodes.map((n) => ({
  path: n.path, kind: n.kind, mode: n.mode, target: n.target, major: n.major, minor: n.minor,
  ...(n.kind === 'file' ? { data: Buffer.alloc(100 + n.path.length * 7) } : {}),
}));

describe('partsOf', () => {
  it('takes the app and its libraries from the manifest and the init from the packager', async () => {
    const manifest = await resolveApp(await buildExampleServer());
    const nodes = planRootfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, busyboxHostPath: '/bin/busybox' });
    const parts = new Map(partsOf(nodes).map((part, i) => [nodes[i]!.path, part]));
    expect(parts.get('/app/server')).toBe('app');
    const libc = nodes.find((n) => n.kind === 'file' && n.path.endsWith('/libc.so.6'))!;
    const loader = nodes.find((n) => n.kind === 'file' && /\/ld-linux-x86-64\.so\.2$/.test(n.path))!;
    expect([parts.get(libc.path), parts.get(loader.path)]).toEqual(['libraries', 'libraries']);
    for (const p of ['/init', '/bin/busybox', '/bin/sh', '/etc/inittab', '/etc/tinyx/rc']) expect([p, parts.get(p)]).toEqual([p, 'init']);
    for (const p of ['/etc/passwd', '/dev/console', '/tmp']) expect([p, parts.get(p)]).toEqual([p, 'other']);
  });

  it('counts whatever /init leads to as the init, through symlinked directories, when the plan does not say', () => {
    const nodes: RootfsNode[] = [
      { path: '/etc', kind: 'dir', mode: 0o755, reason: 'base directory' },
      { path: '/etc/hosts', kind: 'file', mode: 0o644, data: '127.0.0.1 localhost\n', reason: 'hosts' },
      { path: '/init', kind: 'symlink', mode: 0o777, target: '/sbin/tiny-init', reason: 'the kernel runs /init' },
      { path: '/sbin', kind: 'symlink', mode: 0o777, target: 'usr/sbin', reason: 'merged-usr' },
      { path: '/usr', kind: 'dir', mode: 0o755, reason: 'parent' },
      { path: '/usr/sbin', kind: 'dir', mode: 0o755, reason: 'parent' },
      { path: '/usr/sbin/tiny-init', kind: 'file', mode: 0o755, data: 'ELF', reason: 'a static init' },
    ];
    expect(partsOf(nodes)).toEqual(['other', 'other', 'init', 'other', 'other', 'other', 'init']);
    expect(partsOf([{ path: '/init', kind: 'file', mode: 0o755, data: 'ELF', reason: 'a static init' }])).toEqual(['init']);
  });
});

describe('partBytes', () => {
  it('splits the uncompressed archive exactly: each part is what its members take in it, the trailer is other', async () => {
    const manifest = await resolveApp(await buildExampleServer());
    const nodes = planRootfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, busyboxHostPath: '/bin/busybox' });
    const entries = entriesOf(nodes);
    const bytes = partBytes(nodes, entries);
    expect(ROOTFS_PARTS.reduce((sum, p) => sum + bytes[p], 0)).toBe(encodeCpio(entries).length);
    const parts = partsOf(nodes);
    for (const part of ROOTFS_PARTS) {
      const own = entries.filter((_, i) => parts[i] === part);
      expect([part, bytes[part]]).toEqual([part, encodeCpio(own).length - TRAILER_BYTES + (part === 'other' ? TRAILER_BYTES : 0)]);
      expect(bytes[part]).toBeGreaterThan(0);
    }
    expect(memberBytes({ path: '/a', kind: 'file', mode: 0o644, data: Buffer.from('xyz') })).toBe(encodeCpio([{ path: '/a', kind: 'file', mode: 0o644, data: Buffer.from('xyz') }]).length - TRAILER_BYTES);
  });
});
