// The root's squashfs image with the real mksquashfs and unsquashfs: owners, modes, kinds, device numbers and bytes as the entries give them, byte-identical rebuilds, each compressor.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { COMPRESSIONS } from '../../src/packager/compress.js';
import type { CpioEntry } from '../../src/packager/cpio.js';
import { pseudoLine, pseudoName, SQUASHFS_OPTION, squashfsCompressorArgs, writeSquashfs } from '../../src/packager/squashfs.js';
import { sha256File } from '../../src/util/hash.js';

const BIG = randomBytes(3 << 20);
const ODD_NAME = '/srv/#odd "name"\\x\ty';

/** A small root: an owned private dir and file, a symlink, a console, a name with a space, odd characters, a 3 MB file. */
function entries(): CpioEntry[] {
  return [
    { path: '/home/app', kind: 'dir', mode: 0o750, uid: 1234, gid: 5678 },
    { path: '/home/app/secret', kind: 'file', mode: 0o700, uid: 1234, gid: 5678, data: Buffer.from('s3cret\n') },
    { path: '/bin', kind: 'dir', mode: 0o755 },
    { path: '/bin/busybox', kind: 'file', mode: 0o755, data: Buffer.from('#!/bin/false\n') },
    { path: '/bin/sh', kind: 'symlink', mode: 0o777, target: 'busybox' },
    { path: '/dev/console', kind: 'char', mode: 0o600, major: 5, minor: 1 },
    { path: '/srv/my file.txt', kind: 'file', mode: 0o644, uid: 7, gid: 8, data: Buffer.from('spaced out\n') },
    { path: ODD_NAME, kind: 'file', mode: 0o640, uid: 9, gid: 10, data: Buffer.from('odd\n') },
    { path: '/data/big', kind: 'file', mode: 0o600, uid: 1234, gid: 1234, data: BIG },
  ];
}

interface Listed { type: string; perms: string; uid: number; gid: number; size: string; target?: string }

/** `unsquashfs -lln`, by guest path ("/" the root). */
async function listing(image: string): Promise<Map<string, Listed>> {
  const { stdout } = await execa('unsquashfs', ['-lln', '-UTC', image]);
  const out = new Map<string, Listed>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S)(\S{9}) (\d+)\/(\d+)\s+(\d+|\d+,\s*\d+) \d{4}-\d\d-\d\d \d\d:\d\d squashfs-root(.*)$/.exec(line);
    if (!m) continue;
    const [, type, perms, uid, gid, size, rest] = m as unknown as [string, string, string, string, string, string, string];
    const [name, target] = type === 'l' ? rest.split(' -> ') as [string, string] : [rest, undefined];
    out.set(name === '' ? '/' : name, { type, perms, uid: Number(uid), gid: Number(gid), size, ...(target === undefined ? {} : { target }) });
  }
  return out;
}

async function cat(image: string, guestPath: string): Promise<Buffer> {
  const { stdout } = await execa('unsquashfs', ['-cat', image, guestPath], { encoding: 'buffer', stripFinalNewline: false });
  return Buffer.from(stdout);
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-squashfs-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pseudo file lines', () => {
  it('gives staged paths an m line and char devices a c line, modes in octal, names relative to the root', () => {
    expect(pseudoLine({ path: '/home/app', kind: 'dir', mode: 0o750, uid: 1234, gid: 5678 })).toBe('home/app m 750 1234 5678');
    expect(pseudoLine({ path: '/bin/sh', kind: 'symlink', mode: 0o777 })).toBe('bin/sh m 777 0 0');
    expect(pseudoLine({ path: '/dev/console', kind: 'char', mode: 0o600, major: 5, minor: 1 })).toBe('dev/console c 600 0 0 5 1');
    expect(pseudoLine({ path: '/usr/bin/su', kind: 'file', mode: 0o4755 })).toBe('usr/bin/su m 4755 0 0');
  });

  it('backslashes white space, quotes, backslashes and #; refuses a newline', () => {
    expect(pseudoName('a b\tc"d\\e#f')).toBe('a\\ b\\\tc\\"d\\\\e\\#f');
    expect(() => pseudoName('a\nb')).toThrow(/newline/);
  });

  it('maps each compressor to its kernel option and its options (fast, shipped)', () => {
    expect(SQUASHFS_OPTION).toEqual({ gzip: 'SQUASHFS_ZLIB', xz: 'SQUASHFS_XZ', zstd: 'SQUASHFS_ZSTD', lz4: 'SQUASHFS_LZ4' });
    expect(squashfsCompressorArgs('gzip', true)).toEqual(['-Xcompression-level', '1']);
    expect(squashfsCompressorArgs('gzip', false)).toEqual(['-Xcompression-level', '9']);
    expect(squashfsCompressorArgs('zstd', false)).toEqual(['-Xcompression-level', '19']);
    expect(squashfsCompressorArgs('lz4', false)).toEqual(['-Xhc']);
    expect(squashfsCompressorArgs('lz4', true)).toEqual([]);
    expect(squashfsCompressorArgs('xz', false)).toEqual([]);
  });
});

describe('writeSquashfs', () => {
  it('keeps the entries\' owners, modes, kinds, device numbers, link targets and bytes', async () => {
    const outFile = path.join(dir, 'tree', 'rootfs.squashfs');
    const result = await writeSquashfs(entries(), { compression: 'gzip', fast: true, outFile });
    expect(result.file).toBe(outFile);
    expect(result.bytes).toBe((await stat(outFile)).size);
    expect(result.sha256).toBe(await sha256File(outFile));

    const list = await listing(outFile);
    expect(list.get('/')).toMatchObject({ type: 'd', perms: 'rwxr-xr-x', uid: 0, gid: 0 });
    expect(list.get('/home')).toMatchObject({ type: 'd', perms: 'rwxr-xr-x', uid: 0, gid: 0 });
    expect(list.get('/home/app')).toMatchObject({ type: 'd', perms: 'rwxr-x---', uid: 1234, gid: 5678 });
    expect(list.get('/home/app/secret')).toMatchObject({ type: '-', perms: 'rwx------', uid: 1234, gid: 5678 });
    expect(list.get('/bin/busybox')).toMatchObject({ type: '-', perms: 'rwxr-xr-x', uid: 0, gid: 0 });
    expect(list.get('/bin/sh')).toMatchObject({ type: 'l', uid: 0, gid: 0, target: 'busybox' });
    expect(list.get('/dev')).toMatchObject({ type: 'd', perms: 'rwxr-xr-x', uid: 0, gid: 0 });
    expect(list.get('/dev/console')).toMatchObject({ type: 'c', perms: 'rw-------', uid: 0, gid: 0 });
    expect(list.get('/dev/console')!.size.replace(/\s+/g, '')).toBe('5,1');
    expect(list.get('/srv/my file.txt')).toMatchObject({ type: '-', perms: 'rw-r--r--', uid: 7, gid: 8, size: '11' });
    expect(list.get(ODD_NAME)).toMatchObject({ type: '-', perms: 'rw-r-----', uid: 9, gid: 10 });
    expect(list.get('/data/big')).toMatchObject({ type: '-', perms: 'rw-------', uid: 1234, gid: 1234, size: String(BIG.length) });
    expect(list.size).toBe(14);

    expect(await cat(outFile, 'srv/my file.txt')).toEqual(Buffer.from('spaced out\n'));
    expect((await cat(outFile, 'data/big')).equals(BIG)).toBe(true);
    expect(await readdir(path.dirname(outFile))).toEqual(['rootfs.squashfs']);
  });

  it('gives the same bytes for the same entries', async () => {
    const a = await writeSquashfs(entries(), { compression: 'gzip', fast: true, outFile: path.join(dir, 'same', 'a.squashfs') });
    const b = await writeSquashfs(entries().reverse(), { compression: 'gzip', fast: true, outFile: path.join(dir, 'same', 'b.squashfs') });
    expect(b.sha256).toBe(a.sha256);
    expect(b.bytes).toBe(a.bytes);
  });

  it.each(COMPRESSIONS.flatMap((compression) => [true, false].map((fast) => ({ compression, fast }))))('compresses with $compression (fast: $fast)', async ({ compression, fast }) => {
    const outFile = path.join(dir, 'comp', `${compression}-${fast}.squashfs`);
    const small = entries().filter((e) => e.path !== '/data/big');
    await writeSquashfs(small, { compression, fast, outFile });
    const { stdout } = await execa('unsquashfs', ['-s', outFile]);
    expect(stdout).toMatch(new RegExp(`^Compression ${compression}$`, 'm'));
    expect(await cat(outFile, 'home/app/secret')).toEqual(Buffer.from('s3cret\n'));
  });

  it('refuses a path below a symlink, which staging would follow out of its dir', async () => {
    const outFile = path.join(dir, 'below', 'rootfs.squashfs');
    await expect(writeSquashfs([
      { path: '/lib', kind: 'symlink', mode: 0o777, target: dir },
      { path: '/lib/escaped', kind: 'file', mode: 0o644, data: Buffer.from('x') },
    ], { compression: 'gzip', fast: true, outFile })).rejects.toThrow(/below \/lib, a symlink/);
    expect(await readdir(dir)).not.toContain('escaped');
    expect(await readdir(path.dirname(outFile))).toEqual([]);
  });

  it('turns a failed mksquashfs into TINYX_COMPRESSOR_FAILED with its message, and leaves nothing behind', async () => {
    const outFile = path.join(dir, 'fail', 'rootfs.squashfs');
    const error = await writeSquashfs([{ path: '/x', kind: 'file', mode: 0o644, uid: 2 ** 33, data: Buffer.from('x') }], { compression: 'gzip', fast: true, outFile }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_COMPRESSOR_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/mksquashfs failed[\s\S]*Uid 8589934592 out of range/);
    expect(await readdir(path.dirname(outFile))).toEqual([]);
  });

  it('names the package when mksquashfs is not installed', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(dir, 'no-such-bin');
    try {
      const error = await writeSquashfs(entries(), { compression: 'gzip', fast: true, outFile: path.join(dir, 'missing', 'rootfs.squashfs') }).catch((e: unknown) => e);
      expect(isTinyxError(error, 'TINYX_COMPRESSOR_NOT_FOUND')).toBe(true);
      expect((error as { advice?: string }).advice).toContain('apt-get install squashfs-tools');
    } finally {
      process.env.PATH = saved;
    }
  });

  it('stops when its signal is aborted, with the signal\'s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    controller.abort(reason);
    const outFile = path.join(dir, 'abort', 'rootfs.squashfs');
    await expect(writeSquashfs(entries(), { compression: 'xz', fast: false, outFile, signal: controller.signal })).rejects.toBe(reason);
    expect(await readdir(path.dirname(outFile))).toEqual([]);
  });
});
