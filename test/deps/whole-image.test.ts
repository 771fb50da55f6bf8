import { describe, expect, it } from 'vitest';
import { wholeImageManifest } from '../../src/deps/whole-image.js';
import { Tree } from '../../src/image/index.js';

const tree = Tree.fromList([
  ['', { type: 'directory', mode: 0o755, uid: 0, gid: 0 }],
  ['app', { type: 'directory', mode: 0o755, uid: 0, gid: 0 }],
  ['app/server', { type: 'file', mode: 0o4755, uid: 0, gid: 0, size: 10 }],
  ['srv', { type: 'directory', mode: 0o750, uid: 33, gid: 33 }],
  ['lib', { type: 'symlink', mode: 0o777, uid: 0, gid: 0, target: 'usr/lib' }],
  ['dev', { type: 'directory', mode: 0o755, uid: 0, gid: 0 }],
  ['dev/null', { type: 'char-device', mode: 0o666, uid: 0, gid: 0, major: 1, minor: 3 }],
  ['dev/sda', { type: 'block-device', mode: 0o660, uid: 0, gid: 6, major: 8, minor: 0 }],
  ['run/fifo', { type: 'fifo', mode: 0o644, uid: 0, gid: 0 }],
]);

describe('--image-whole', () => {
  it('takes every path of the image with its mode, owner and device numbers, the program as the app, no block device or fifo', () => {
    const m = wholeImageManifest({ rootfs: '/cache/img/rootfs', tree }, '/app/server');
    expect(m.app).toEqual({ hostPath: '/cache/img/rootfs/app/server', guestPath: '/app/server' });
    const by = new Map(m.entries.map((e) => [e.guestPath, e]));
    expect([...by.keys()].sort()).toEqual(['/app', '/app/server', '/dev', '/dev/null', '/lib', '/srv']);
    expect(by.get('/app/server')).toMatchObject({ kind: 'file', hostPath: '/cache/img/rootfs/app/server', mode: 0o755, part: 'app' });
    expect(by.get('/srv')).toMatchObject({ kind: 'dir', mode: 0o750, uid: 33, gid: 33, part: 'libraries' });
    expect(by.get('/lib')).toMatchObject({ kind: 'symlink', target: 'usr/lib' });
    expect(by.get('/dev/null')).toMatchObject({ kind: 'char', major: 1, minor: 3 });
  });

  it('keeps the setuid bit only when asked', () => {
    const m = wholeImageManifest({ rootfs: '/r', tree }, '/app/server', true);
    expect(m.entries.find((e) => e.guestPath === '/app/server')!.mode).toBe(0o4755);
  });
});
