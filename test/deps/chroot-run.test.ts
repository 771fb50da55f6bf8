// The working directory an image trace creates: always at a path with no symlink on it, never through one to wherever it points on the host.
import { describe, expect, it } from 'vitest';
import { workDirToCreate } from '../../src/deps/chroot-run.js';
import { Tree, type TreeEntry } from '../../src/image/tree.js';

const dir: TreeEntry = { type: 'directory', mode: 0o755, uid: 0, gid: 0 };

function tree(entries: Record<string, Partial<TreeEntry>>): Tree {
  const t = new Tree();
  t.set('', dir);
  for (const [p, e] of Object.entries(entries)) t.set(p, { ...dir, ...e });
  return t;
}

describe('workDirToCreate', () => {
  const image = tree({ srv: {}, 'srv/www': {}, data: { type: 'symlink', target: '/srv' }, up: { type: 'symlink', target: 'srv/www' }, etc: {}, 'etc/motd': { type: 'file' } });

  it('creates nothing when the directory exists, even behind a symlink', () => {
    expect(workDirToCreate(image, '/srv/www')).toBeUndefined();
    expect(workDirToCreate(image, '/data/www')).toBeUndefined();
    expect(workDirToCreate(image, '/')).toBeUndefined();
  });

  it('creates the missing part under the deepest existing directory, symlinks resolved in the image', () => {
    expect(workDirToCreate(image, '/app/work')).toBe('/app/work');
    expect(workDirToCreate(image, '/data/new/deeper')).toBe('/srv/new/deeper');
    expect(workDirToCreate(image, '/up/x')).toBe('/srv/www/x');
  });

  it('creates nothing under a file', () => {
    expect(workDirToCreate(image, '/etc/motd/x')).toBeUndefined();
  });
});
