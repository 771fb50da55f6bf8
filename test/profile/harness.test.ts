// What the harness needs follows the run: the network path with a port, and the RD_ option of the run's initramfs compression.
import { describe, expect, it } from 'vitest';
import { COMPRESSIONS, COMPRESSORS } from '../../src/packager/compress.js';
import { harnessAlways, harnessNeeds, RUN_DECOMPRESSOR } from '../../src/profile/harness.js';
import { loadProfile, parseProfile } from '../../src/profile/load.js';

describe('harness needs', () => {
  it('puts the RD_ option of the run\'s compression where the profile writes RD_<compression>, and no other RD_', async () => {
    const profile = await loadProfile();
    const at = profile.kernel.harness.always.indexOf(RUN_DECOMPRESSOR);
    expect(at).toBeGreaterThan(0);
    for (const compression of COMPRESSIONS) {
      const always = harnessAlways(profile, compression);
      expect(always[at]).toBe(COMPRESSORS[compression].initramfsOption);
      expect(always.filter((n) => n.startsWith('RD_'))).toEqual([COMPRESSORS[compression].initramfsOption]);
      expect(always).not.toContain(RUN_DECOMPRESSOR);
    }
    expect(harnessAlways(profile, 'xz')).toEqual(['64BIT', 'PRINTK', 'TTY', 'SERIAL_8250', 'SERIAL_8250_CONSOLE', 'BLK_DEV_INITRD', 'RD_XZ', 'BINFMT_ELF']);
  });

  it('adds the network path only with a port', async () => {
    const profile = await loadProfile();
    expect(harnessNeeds(profile, undefined, 'lz4')).toEqual(harnessAlways(profile, 'lz4'));
    expect(harnessNeeds(profile, { guestPort: 80 }, 'lz4')).toEqual([...harnessAlways(profile, 'lz4'), ...profile.kernel.harness.network]);
  });

  it('leaves a profile without the placeholder as it is (its RD_ options, if any, are its own)', () => {
    const profile = parseProfile('kernel:\n  harness:\n    always: [TTY, RD_GZIP]\n    network: [NET]\n', 'own.yaml');
    expect(harnessNeeds(profile, { guestPort: 80 }, 'xz')).toEqual(['TTY', 'RD_GZIP', 'NET']);
  });

  it('with a disk root: the disk list with the run\'s squashfs decompressor, and without what only unpacks an initramfs', async () => {
    const profile = await loadProfile();
    const disk = harnessNeeds(profile, undefined, 'zstd', { rootDisk: true });
    expect(disk).toEqual(expect.arrayContaining(['BLOCK', 'VIRTIO_BLK', 'SQUASHFS', 'SQUASHFS_ZSTD', 'BINFMT_ELF']));
    expect(disk).not.toContain('BLK_DEV_INITRD');
    expect(disk.filter((n) => n.startsWith('RD_') || n.includes('<'))).toEqual([]);
    expect(harnessNeeds(profile, undefined, 'xz', { rootDisk: true })).toContain('SQUASHFS_XZ');
    expect(harnessNeeds(profile, undefined, 'xz')).not.toContain('SQUASHFS');
  });

  it('with volumes: the volume list, beside an initramfs or a disk root', async () => {
    const profile = await loadProfile('qemu-microvm');
    const volumes = harnessNeeds(profile, undefined, 'gzip', { volumes: true });
    expect(volumes).toEqual(expect.arrayContaining(['DEVTMPFS', 'EXT4_FS', 'VIRTIO_BLK', 'VIRTIO_MMIO', 'BLK_DEV_INITRD', 'RD_GZIP']));
    expect(volumes).not.toContain('SQUASHFS');
    expect(harnessNeeds(profile, undefined, 'gzip', { rootDisk: true, volumes: true })).toEqual(expect.arrayContaining(['EXT4_FS', 'SQUASHFS_ZLIB']));
  });
});
