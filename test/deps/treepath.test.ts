// resolveParents: symlinked parents followed (relative, absolute, chained), last component kept, loops caught.
import { describe, expect, it } from 'vitest';
import { resolveParents } from '../../src/deps/treepath.js';
import { isTinyxError } from '../../src/errors.js';

const tree = new Map<string, { kind: string; target?: string }>([
  ['/lib', { kind: 'symlink', target: 'usr/lib' }],
  ['/usr', { kind: 'dir' }],
  ['/usr/lib', { kind: 'dir' }],
  ['/usr/lib/cur', { kind: 'symlink', target: '/opt/v2' }],
  ['/a', { kind: 'symlink', target: 'b' }],
  ['/b', { kind: 'symlink', target: 'a' }],
]);
const lookup = (p: string) => tree.get(p);

describe('resolveParents', () => {
  it('follows relative and absolute directory links, not the last component', () => {
    expect(resolveParents(lookup, '/lib/x86_64-linux-gnu/libc.so.6')).toBe('/usr/lib/x86_64-linux-gnu/libc.so.6');
    expect(resolveParents(lookup, '/lib/cur/bin/app')).toBe('/opt/v2/bin/app');
    expect(resolveParents(lookup, '/lib')).toBe('/lib');
    expect(resolveParents(lookup, '/etc/../usr/./lib/x')).toBe('/usr/lib/x');
  });

  it('reports a loop', () => {
    let error: unknown;
    try {
      resolveParents(lookup, '/a/file');
    } catch (e) {
      error = e;
    }
    expect(isTinyxError(error, 'TINYX_SYMLINK_LOOP')).toBe(true);
  });
});
