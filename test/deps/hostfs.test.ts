// walkPath: symlinks on the way to a file are recorded at their resolved places; loops are errors.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { walkPath } from '../../src/deps/hostfs.js';
import { tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => tmp.cleanup());

describe('walkPath', () => {
  it('follows the merged-usr /lib link and the soname link of a real library', async () => {
    const walk = await walkPath('/lib/x86_64-linux-gnu/libz.so.1');
    expect(walk?.realPath).toMatch(/^\/usr\/lib\/x86_64-linux-gnu\/libz\.so\.1\.\d/);
    expect(walk?.links[0]).toEqual({ path: '/lib', target: 'usr/lib' });
    expect(walk?.links[1]).toMatchObject({ path: '/usr/lib/x86_64-linux-gnu/libz.so.1' });
  });

  it('records a relative directory link and an absolute file link', async () => {
    const d = tmp.dir;
    await mkdir(path.join(d, 'real/sub'), { recursive: true });
    await writeFile(path.join(d, 'real/sub/file'), 'x');
    await symlink('real', path.join(d, 'alias'));
    await symlink(path.join(d, 'alias/sub/file'), path.join(d, 'real/link'));
    const walk = await walkPath(path.join(d, 'alias/link'));
    expect(walk).toEqual({
      realPath: path.join(d, 'real/sub/file'),
      links: [
        { path: path.join(d, 'alias'), target: 'real' },
        { path: path.join(d, 'real/link'), target: path.join(d, 'alias/sub/file') },
      ],
    });
  });

  it('returns undefined for a missing path or a dangling link', async () => {
    await symlink('nowhere', path.join(tmp.dir, 'dangling'));
    expect(await walkPath(path.join(tmp.dir, 'missing'))).toBeUndefined();
    expect(await walkPath(path.join(tmp.dir, 'dangling'))).toBeUndefined();
  });

  it('throws TINYX_SYMLINK_LOOP on a cycle', async () => {
    await symlink('loop-b', path.join(tmp.dir, 'loop-a'));
    await symlink('loop-a', path.join(tmp.dir, 'loop-b'));
    const error = await walkPath(path.join(tmp.dir, 'loop-a')).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_SYMLINK_LOOP')).toBe(true);
  });
});
