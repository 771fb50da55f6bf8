// Paths looked up inside an image by its metadata index: the image's symlinks followed from the image root, never the host's.
import { describe, expect, it } from 'vitest';
import { isExecutable, lookupPath, searchPath } from '../../src/image/lookup.js';
import { Tree, type TreeEntry } from '../../src/image/tree.js';

const dir: TreeEntry = { type: 'directory', mode: 0o755, uid: 0, gid: 0 };
const exe: TreeEntry = { type: 'file', mode: 0o755, uid: 0, gid: 0, size: 1 };
const link = (target: string): TreeEntry => ({ type: 'symlink', mode: 0o777, uid: 0, gid: 0, target });

const tree = Tree.fromList([
  ['usr', dir], ['usr/bin', dir], ['usr/bin/python3.11', exe], ['usr/bin/python3', link('python3.11')],
  ['bin', link('usr/bin')], ['etc', dir], ['etc/passwd', { ...exe, mode: 0o644 }], ['etc/alt', link('/etc/passwd')],
  ['up', link('../../../../etc')], ['loop-a', link('loop-b')], ['loop-b', link('/loop-a')], ['opt', dir], ['opt/app', dir], ['opt/app/run', exe],
]);

describe('lookupPath', () => {
  it('follows relative and absolute symlinks, an absolute one from the image root', () => {
    expect(lookupPath(tree, '/bin/python3')).toEqual({ path: 'usr/bin/python3.11', entry: exe });
    expect(lookupPath(tree, '/etc/alt')?.path).toBe('etc/passwd');
  });

  it('stops ".." at the image root, as the guest does', () => {
    expect(lookupPath(tree, '/up/passwd')?.path).toBe('etc/passwd');
    expect(lookupPath(tree, '/../../etc/passwd')?.path).toBe('etc/passwd');
    expect(lookupPath(tree, '/')).toEqual({ path: '' });
  });

  it('finds nothing for a missing path, a path through a file, or a symlink loop', () => {
    expect(lookupPath(tree, '/usr/bin/perl')).toBeUndefined();
    expect(lookupPath(tree, '/etc/passwd/x')).toBeUndefined();
    expect(lookupPath(tree, '/loop-a')).toBeUndefined();
  });
});

describe('searchPath', () => {
  it('finds an executable in the first directory of PATH that has it, keeping the path it was found at', () => {
    expect(searchPath(tree, 'python3', '/usr/local/bin:/bin:/usr/bin')).toBe('/bin/python3');
    expect(searchPath(tree, 'run', '/opt/app')).toBe('/opt/app/run');
    expect(searchPath(tree, 'passwd', '/etc')).toBeUndefined();
    expect(isExecutable(tree, '/etc/passwd')).toBe(false);
  });
});
