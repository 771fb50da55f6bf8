// The newc encoder checked byte-wise and by GNU cpio itself (listing and extraction).
import { execa } from 'execa';
import { lstat, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCpio, type CpioEntry } from '../../src/packager/cpio.js';
import { tempDir } from '../deps/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-cpio-');
});
afterAll(async () => tmp.cleanup());

const entries: CpioEntry[] = [
  { path: '/etc/hello', kind: 'file', mode: 0o644, data: Buffer.from('hello, world\n') },
  { path: '/bin', kind: 'dir', mode: 0o755 },
  { path: '/bin/sh', kind: 'symlink', mode: 0o777, target: 'busybox' },
  { path: '/etc', kind: 'dir', mode: 0o755 },
  { path: '/dev', kind: 'dir', mode: 0o755 },
  { path: '/dev/console', kind: 'char', mode: 0o600, major: 5, minor: 1 },
  { path: '/bin/busybox', kind: 'file', mode: 0o755, data: Buffer.from('odd length!') },
  { path: '/empty', kind: 'file', mode: 0o600 },
];

describe('encodeCpio', () => {
  it('is byte-for-byte deterministic whatever the input order', () => {
    const a = encodeCpio(entries);
    const b = encodeCpio([...entries].reverse());
    expect(a.equals(b)).toBe(true);
    expect(a.length % 4).toBe(0);
  });

  it('writes sorted names, inode 1 first, mtime 0, root owner, and the trailer', () => {
    const archive = encodeCpio(entries);
    const head = archive.subarray(0, 110).toString('latin1');
    expect(head.slice(0, 6)).toBe('070701');
    const field = (i: number): number => parseInt(head.slice(6 + i * 8, 14 + i * 8), 16);
    expect(field(0)).toBe(1); // ino
    expect(field(1)).toBe(0o040755); // mode of "bin"
    expect([field(2), field(3), field(5)]).toEqual([0, 0, 0]); // uid, gid, mtime
    expect(archive.subarray(110, 114).toString()).toBe('bin\0');
    expect(archive.includes(Buffer.from('TRAILER!!!\0'))).toBe(true);
  });

  it('writes the owner an entry names (a state directory the app\'s user writes to)', () => {
    const archive = encodeCpio([{ path: '/var/log/app', kind: 'dir', mode: 0o750, uid: 33, gid: 4 }]);
    const field = (i: number): number => parseInt(archive.subarray(6 + i * 8, 14 + i * 8).toString('latin1'), 16);
    expect([field(2), field(3)]).toEqual([33, 4]);
  });

  it('is listed by GNU cpio in sorted order with types, sizes and device numbers', async () => {
    const file = path.join(tmp.dir, 'a.cpio');
    await writeFile(file, encodeCpio(entries));
    const { stdout: names } = await execa('cpio', ['-it', '--quiet'], { inputFile: file });
    expect(names.split('\n')).toEqual(['bin', 'bin/busybox', 'bin/sh', 'dev', 'dev/console', 'empty', 'etc', 'etc/hello']);
    const { stdout: long } = await execa('cpio', ['-itv', '--quiet'], { inputFile: file });
    expect(long).toMatch(/^crw------- +1 root +root +5, +1 .* dev\/console$/m);
    expect(long).toMatch(/^lrwxrwxrwx .* bin\/sh -> busybox$/m);
    expect(long).toMatch(/^-rw-r--r-- .* 13 .* etc\/hello$/m);
  });

  it('extracts with GNU cpio to the same files, modes and links', async () => {
    const file = path.join(tmp.dir, 'b.cpio');
    const out = path.join(tmp.dir, 'out');
    await writeFile(file, encodeCpio(entries.filter((e) => e.kind !== 'char')));
    await execa('mkdir', ['-p', out]);
    await execa('cpio', ['-idm', '--quiet', '--no-absolute-filenames'], { inputFile: file, cwd: out });
    expect(await readFile(path.join(out, 'etc/hello'), 'utf8')).toBe('hello, world\n');
    expect(await readFile(path.join(out, 'bin/busybox'), 'utf8')).toBe('odd length!');
    expect(await readlink(path.join(out, 'bin/sh'))).toBe('busybox');
    expect((await lstat(path.join(out, 'bin/busybox'))).mode & 0o7777).toBe(0o755);
    expect((await lstat(path.join(out, 'empty'))).size).toBe(0);
  });

  it('rejects duplicates and bad names', () => {
    expect(() => encodeCpio([entries[1] as CpioEntry, { ...(entries[1] as CpioEntry) }])).toThrow(/duplicate/);
    expect(() => encodeCpio([{ path: '/a/../b', kind: 'dir', mode: 0o755 }])).toThrow(/bad cpio path/);
    expect(() => encodeCpio([{ path: '/', kind: 'dir', mode: 0o755 }])).toThrow(/bad cpio path/);
  });
});
