// kernelPaths: the /proc and /sys paths in a file's bytes, as C and Go store their strings.
import { describe, expect, it } from 'vitest';
import { kernelPaths } from '../../src/syscalls/paths.js';

describe('kernelPaths', () => {
  it('reads NUL-terminated strings and splits the strings Go packs without separators', () => {
    const bytes = Buffer.from('\0/proc/self/maps\0golang.org/x/sys/cpu\0/proc/self/auxv/proc/self/exe\x01/sys/fs/cgroup\0/proc/self/maps\0');
    expect(kernelPaths(bytes)).toEqual({ procPaths: ['/proc/self/auxv', '/proc/self/exe', '/proc/self/maps'], sysPaths: ['/sys/fs/cgroup'] });
  });
});
