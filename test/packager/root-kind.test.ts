// --root and --volume read: the root's kind (auto: a disk for a large root, never with workers) and each volume's guest path, image name and host directory.
import { describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { LARGE_ARCHIVE_BYTES } from '../../src/packager/compress.js';
import { decideRoot, parseRootChoice, parseVolumes, volumeFileName } from '../../src/packager/root-kind.js';

const usage = (run: () => unknown) => {
  try {
    run();
  } catch (e) {
    expect(isTinyxError(e, 'TINYX_USAGE')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('--root', () => {
  it('reads auto, initramfs and disk, and refuses anything else', () => {
    expect(['auto', 'initramfs', 'disk'].map(parseRootChoice)).toEqual(['auto', 'initramfs', 'disk']);
    expect(usage(() => parseRootChoice('squashfs'))).toContain('--root must be one of auto, initramfs, disk, received "squashfs"');
  });

  it('auto takes a disk from LARGE_ARCHIVE_BYTES up, an initramfs below, and an initramfs with workers', () => {
    expect(decideRoot('auto', LARGE_ARCHIVE_BYTES - 1, false).kind).toBe('initramfs');
    expect(decideRoot('auto', LARGE_ARCHIVE_BYTES, false)).toEqual({ kind: 'disk', reason: 'auto: the root is 64.0 MiB, 64 MiB or more' });
    expect(decideRoot('auto', LARGE_ARCHIVE_BYTES * 3, true).kind).toBe('initramfs');
    expect(decideRoot('disk', 1, false).kind).toBe('disk');
    expect(decideRoot('initramfs', LARGE_ARCHIVE_BYTES * 3, false).kind).toBe('initramfs');
  });
});

describe('--volume', () => {
  it('resolves the host directory, normalizes the guest path and names each image uniquely', () => {
    expect(parseVolumes(['data:/var/lib/db/', '/srv/a:/x/data', 'b:/data'], '/home/u')).toEqual([
      { host: '/home/u/data', guest: '/var/lib/db', file: 'db.ext4' },
      { host: '/srv/a', guest: '/x/data', file: 'data.ext4' },
      { host: '/home/u/b', guest: '/data', file: 'data-2.ext4' },
    ]);
    expect(parseVolumes(['d:/.hidden dir'], '/')[0]!.file).toBe('_hidden_dir.ext4');
  });

  it('refuses a value without both parts, a relative, root or reserved guest path, and overlapping volumes', () => {
    expect(usage(() => parseVolumes(['/srv/data'], '/'))).toContain('--volume takes HOST_DIR:GUEST_DIR');
    expect(usage(() => parseVolumes([':/data'], '/'))).toContain('--volume takes HOST_DIR:GUEST_DIR');
    expect(usage(() => parseVolumes(['d:data'], '/'))).toContain('GUEST_DIR absolute');
    expect(usage(() => parseVolumes(['d:/'], '/'))).toContain('may not be / or under /proc');
    expect(usage(() => parseVolumes(['d:/tmp/x'], '/'))).toContain('may not be / or under');
    expect(usage(() => parseVolumes(['d:/dev'], '/'))).toContain('may not be / or under');
    expect(usage(() => parseVolumes(['a:/data', 'b:/data/sub'], '/'))).toContain('/data/sub overlaps the volume at /data');
    expect(usage(() => parseVolumes(Array.from({ length: 25 }, (_, i) => `d${i}:/v${i}`), '/'))).toContain('at most 24 --volume flags');
  });

  it('names the out dir\'s images: the seeded one and the tested one', () => {
    expect(volumeFileName('data.ext4')).toBe('volume-data.ext4');
    expect(volumeFileName('data.ext4', 'tested')).toBe('volume-data.tested.ext4');
  });
});
