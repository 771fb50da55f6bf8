// The loader's search order and $ORIGIN/$LIB/$PLATFORM expansion, as pure functions.
import { describe, expect, it } from 'vitest';
import { defaultDirs, expandTokens, searchCandidates, usesOrigin, type SearchObject } from '../../src/deps/search.js';

const exe: SearchObject = { path: '/opt/app/bin/app', bits: 64, machine: 62 };

describe('expandTokens', () => {
  it('expands $ORIGIN, ${ORIGIN}, $LIB and $PLATFORM', () => {
    expect(expandTokens('$ORIGIN/../lib', exe)).toBe('/opt/app/bin/../lib');
    expect(expandTokens('${ORIGIN}/x', exe)).toBe('/opt/app/bin/x');
    expect(expandTokens('/usr/$LIB/foo', exe)).toBe('/usr/lib/x86_64-linux-gnu/foo');
    expect(expandTokens('/p/$PLATFORM', exe)).toBe('/p/x86_64');
    expect(expandTokens('/x/$ORIGINAL', exe)).toBe('/x/$ORIGINAL');
  });

  it('knows when an object depends on its own location', () => {
    expect(usesOrigin({ runpath: ['$ORIGIN/lib'] })).toBe(true);
    expect(usesOrigin({ rpath: ['/usr/lib'] })).toBe(false);
  });
});

describe('searchCandidates', () => {
  it('uses DT_RPATH (own, then the executable) when there is no DT_RUNPATH, before the cache and default dirs', () => {
    const lib: SearchObject = { path: '/opt/app/lib/liba.so', bits: 64, machine: 62, rpath: ['$ORIGIN/private'] };
    const main = { ...exe, rpath: ['/opt/app/lib'] };
    const c = searchCandidates('libb.so.1', { requester: lib, executable: main, cached: ['/lib/x86_64-linux-gnu/libb.so.1'] });
    expect(c.map((x) => `${x.via} ${x.path}`)).toEqual([
      'rpath /opt/app/lib/private/libb.so.1',
      'rpath /opt/app/lib/libb.so.1',
      'ld.so.cache /lib/x86_64-linux-gnu/libb.so.1',
      'default /usr/lib/x86_64-linux-gnu/libb.so.1',
      'default /lib/libb.so.1',
      'default /usr/lib/libb.so.1',
    ]);
  });

  it('ignores DT_RPATH when the requester has DT_RUNPATH', () => {
    const main = { ...exe, rpath: ['/r'], runpath: ['/rp'] };
    const c = searchCandidates('libz.so.1', { requester: main, executable: main, cached: [] });
    expect(c[0]).toEqual({ path: '/rp/libz.so.1', via: 'runpath' });
    expect(c.some((x) => x.via === 'rpath')).toBe(false);
  });

  it('takes a name with a slash as a path', () => {
    expect(searchCandidates('./libx.so', { requester: exe, executable: exe, cached: [] })).toEqual([{ path: '/opt/app/bin/libx.so', via: 'path' }]);
  });

  it('has Debian multiarch default dirs', () => {
    expect(defaultDirs(64, 62)).toEqual(['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib']);
    expect(defaultDirs(64, 183)[0]).toBe('/lib/aarch64-linux-gnu');
  });
});
