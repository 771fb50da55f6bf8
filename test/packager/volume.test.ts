// Data volumes with the real mkfs.ext4 and debugfs: owners and modes kept (the root's too), files read back, absent paths refused, a sparse image, the read-back command.
import { chmod, chown, lchown, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import {
  checkVolumeTools, makeVolume, parseDebugfsStat, readVolumeFile, treeUsage, volumeBytes, volumeReadBackHint, volumeStat,
} from '../../src/packager/volume.js';

const PG_CONF = 'listen_addresses = \'*\'\nport = 5432\n';
const ODD = 'we "odd" name';

let dir: string;
let seed: string;
let image: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-volume-'));
  seed = path.join(dir, 'seed');
  await mkdir(path.join(seed, 'data', 'sub'), { recursive: true });
  await writeFile(path.join(seed, 'data', 'pg.conf'), PG_CONF);
  await writeFile(path.join(seed, 'data', 'sub', ODD), 'odd\n');
  await symlink('pg.conf', path.join(seed, 'data', 'link'));
  await chown(path.join(seed, 'data'), 1234, 1234);
  await chmod(path.join(seed, 'data'), 0o700);
  await chown(path.join(seed, 'data', 'pg.conf'), 1234, 1234);
  await chmod(path.join(seed, 'data', 'pg.conf'), 0o600);
  await lchown(path.join(seed, 'data', 'link'), 1234, 1234);
  await chown(path.join(seed, 'data', 'sub'), 4321, 99);
  await chmod(path.join(seed, 'data', 'sub'), 0o750);
  await chown(seed, 555, 556);
  await chmod(seed, 0o711);
  image = (await makeVolume(seed, path.join(dir, 'out', 'volumes', 'data.ext4'))).file;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('volume sizes and debugfs output', () => {
  it('sizes a volume as (bytes + 4 KiB per inode) x 2 + 64 MiB, rounded up to a MiB', () => {
    expect(volumeBytes({ bytes: 0, inodes: 1 })).toBe(65 << 20);
    expect(volumeBytes({ bytes: 10 << 20, inodes: 256 })).toBe((64 + 20 + 2) << 20);
    expect(volumeBytes({ bytes: (10 << 20) + 1, inodes: 256 })).toBe((64 + 20 + 3) << 20);
  });

  it('counts the seed\'s files\' bytes and its inodes, itself included', async () => {
    expect(await treeUsage(seed)).toEqual({ bytes: Buffer.byteLength(PG_CONF) + 4, inodes: 6 });
  });

  it('parses debugfs\'s stat', () => {
    const text = 'Inode: 12   Type: directory    Mode:  0700   Flags: 0x80000\nGeneration: 0    Version: 0x00000000:00000000\nUser:  1234   Group:  5678   Project:     0   Size: 1024\n';
    expect(parseDebugfsStat(text, 'x')).toEqual({ uid: 1234, gid: 5678, mode: 0o700, kind: 'dir' });
    expect(parseDebugfsStat(text.replace('directory', 'FIFO').replace('0700', '4755'), 'x')).toEqual({ uid: 1234, gid: 5678, mode: 0o4755, kind: 'other' });
    expect(() => parseDebugfsStat('nothing', 'x')).toThrow(/no type/);
  });
});

describe('makeVolume', () => {
  it('has its tools on this host', async () => {
    await expect(checkVolumeTools()).resolves.toBeUndefined();
  });

  it('keeps every owner and mode, the root\'s too', async () => {
    expect(await volumeStat(image, '/')).toEqual({ uid: 555, gid: 556, mode: 0o711, kind: 'dir' });
    expect(await volumeStat(image, '/data')).toEqual({ uid: 1234, gid: 1234, mode: 0o700, kind: 'dir' });
    expect(await volumeStat(image, '/data/pg.conf')).toEqual({ uid: 1234, gid: 1234, mode: 0o600, kind: 'file' });
    expect(await volumeStat(image, '/data/link')).toEqual({ uid: 1234, gid: 1234, mode: 0o777, kind: 'symlink' });
    expect(await volumeStat(image, '/data/sub')).toEqual({ uid: 4321, gid: 99, mode: 0o750, kind: 'dir' });
    expect(await volumeStat(image, 'data/sub')).toEqual({ uid: 4321, gid: 99, mode: 0o750, kind: 'dir' });
  });

  it('reads files back, odd names too', async () => {
    expect((await readVolumeFile(image, '/data/pg.conf')).toString()).toBe(PG_CONF);
    expect((await readVolumeFile(image, `/data/sub/${ODD}`)).toString()).toBe('odd\n');
  });

  it('refuses an absent path and a directory, clearly', async () => {
    await expect(readVolumeFile(image, '/data/missing.conf')).rejects.toThrow(/No such file in the volume .*: \/data\/missing\.conf\.$/);
    await expect(volumeStat(image, '/nope')).rejects.toThrow(/No such file/);
    await expect(readVolumeFile(image, '/data')).rejects.toThrow(/is a directory, not a regular file/);
  });

  it('writes a clean, labelled, sparse image of the computed size, and nothing else', async () => {
    const info = await stat(image);
    expect(info.size).toBe(volumeBytes(await treeUsage(seed)));
    expect(info.blocks * 512).toBeLessThan(info.size / 4);
    await execa('e2fsck', ['-fn', image]);
    expect((await execa('e2label', [image])).stdout.trim()).toBe('tinyx-data');
    expect(await readdir(path.dirname(image))).toEqual(['data.ext4']);
  });

  it('refuses a seed that is not a directory', async () => {
    const error = await makeVolume(path.join(dir, 'absent'), path.join(dir, 'out', 'x.ext4')).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_USAGE')).toBe(true);
  });

  it('gives a read-back command that copies the contents out', async () => {
    const hint = volumeReadBackHint(image);
    expect(hint).toBe(`mkdir -p data-contents && debugfs -R "rdump / data-contents" ${image}`);
    expect(volumeReadBackHint('/tmp/my vol.ext4')).toBe(`mkdir -p my_vol-contents && debugfs -R "rdump / my_vol-contents" '/tmp/my vol.ext4'`);
    const cwd = path.join(dir, 'readback');
    await mkdir(cwd);
    await execa('sh', ['-c', hint], { cwd });
    expect(await readFile(path.join(cwd, 'data-contents', 'data', 'pg.conf'), 'utf8')).toBe(PG_CONF);
    expect((await stat(path.join(cwd, 'data-contents', 'data'))).mode & 0o7777).toBe(0o700);
  });
});
