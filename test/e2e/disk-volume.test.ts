// A service on a read-only disk root with its data on a volume: minimized end to end (real builds and
// boots); the data directory, owned by another user with mode 0700, reaches the guest as it is, and
// what the app wrote is read back on the host from the out dir's tested volume.
import { execa } from 'execa';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../helpers/capture.js';
import { runMain } from '../../src/cli/main.js';
import type { Report } from '../../src/output/report.js';
import { readVolumeFile, volumeStat } from '../../src/packager/volume.js';

const root = path.resolve(__dirname, '../..');

describe('tinyx minimize --root disk --volume', () => {
  let dir: string;
  let app: string;
  let probe: string;
  let seed: string;

  beforeAll(async () => {
    dir = await mkdtemp('/tmp/tinyx-e2e-disk-');
    app = path.join(dir, 'vol-http');
    await execa('gcc', ['-O2', '-o', app, path.join(root, 'test/fixtures/apps/vol-http.c')]);
    seed = path.join(dir, 'seed');
    await mkdir(path.join(seed, 'private'), { recursive: true });
    await writeFile(path.join(seed, 'private', 'pg.conf'), 'secret\n');
    await chmod(path.join(seed, 'private'), 0o700);
    await chown(path.join(seed, 'private'), 1234, 1234);
    probe = path.join(root, 'test/fixtures/apps/vol-http-probe.sh');
  }, 60_000);
  /** vol-http minimized on a disk root with its volume, one candidate searched, into `out`. */
  async function minimizeOnDisk(out: string, more: string[] = []) {
    const log = capture();
    const code = await runMain([
      'minimize', '--app', app, '--tests', probe, '--port', '80', '--out', out, '--root', 'disk', '--volume', `${seed}:/data`, ...more,
      '--compression', 'xz', '--candidates', 'SIGNALFD', '--keep-cmdline', '--keep-memory', '--compare-compression', 'none', '--final-runs', '1', '--no-prune', '--no-strip',
    ], log.io);
    return { code, log };
  }
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('boots the app from a squashfs disk with its volume, and the out dir holds what the tests wrote', async () => {
    const out = path.join(dir, 'out');
    const { code, log } = await minimizeOnDisk(out);
    const err = log.err.join('');
    expect(code, err).toBe(0);
    expect(err).toContain('root: a read-only squashfs disk (as asked (--root))');
    expect(err).toMatch(/volume \/data: \/dev\/vdb, ext4 seeded from /);

    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as Report;
    expect(report.initramfs.disk).toBe(true);
    expect(report.harness).toEqual(expect.arrayContaining(['VIRTIO_BLK', 'SQUASHFS', 'SQUASHFS_XZ', 'EXT4_FS', 'DEVTMPFS']));
    expect(report.harness).not.toContain('BLK_DEV_INITRD');
    expect(report.cmdline).toContain('root=/dev/vda');
    expect(report.volumes).toEqual([expect.objectContaining({ guest: '/data', device: 'vdb', file: 'volume-data.ext4', tested: 'volume-data.tested.ext4' })]);

    // The squashfs root has the app; the kernel boots it from the first disk.
    const { stdout: listing } = await execa('unsquashfs', ['-lln', path.join(out, 'rootfs.squashfs')]);
    expect(listing).toMatch(/ squashfs-root\/app\/vol-http$/m);
    expect(listing).toMatch(/^drwxr-xr-x 0\/0 .* squashfs-root\/data$/m);
    const runSh = await readFile(path.join(out, 'run.sh'), 'utf8');
    expect(runSh).toContain('file=rootfs.squashfs,format=raw,if=none,id=disk0,readonly=on');
    expect(runSh).toContain('file=volume-data.ext4,format=raw,if=none,id=disk1');
    expect(runSh).not.toContain('-initrd');

    // What the app wrote: in the tested volume, not in the seeded one run.sh boots.
    const tested = path.join(out, 'volume-data.tested.ext4');
    expect((await readVolumeFile(tested, '/written.txt')).toString()).toBe('written by the guest\n');
    await expect(readVolumeFile(path.join(out, 'volume-data.ext4'), '/written.txt')).rejects.toThrow(/not found|no such/i);
    expect(await volumeStat(tested, '/private')).toEqual({ uid: 1234, gid: 1234, mode: 0o700, kind: 'dir' });
    expect((await readVolumeFile(tested, '/private/pg.conf')).toString()).toBe('secret\n');
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('debugfs -R "rdump / ');
  }, 3_600_000);

  it('does the same with the BusyBox init, whose rc mounts the volume', async () => {
    const out = path.join(dir, 'out-busybox');
    const { code, log } = await minimizeOnDisk(out, ['--init', 'busybox']);
    expect(code, log.err.join('')).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as Report;
    expect(report.initramfs.disk).toBe(true);
    const { stdout: listing } = await execa('unsquashfs', ['-lln', path.join(out, 'rootfs.squashfs')]);
    expect(listing).toMatch(/ squashfs-root\/bin\/busybox$/m);
    const tested = path.join(out, 'volume-data.tested.ext4');
    expect((await readVolumeFile(tested, '/written.txt')).toString()).toBe('written by the guest\n');
    expect(await volumeStat(tested, '/private')).toEqual({ uid: 1234, gid: 1234, mode: 0o700, kind: 'dir' });
  }, 3_600_000);
});
