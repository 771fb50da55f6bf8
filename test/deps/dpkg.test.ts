// Parsers for dpkg output and merged-usr aliases, then attribution against the real dpkg database.
import { describe, expect, it } from 'vitest';
import { isPlainPath, mergedUsrAlias, parseDpkgSearch, parseDpkgVersions } from '../../src/deps/dpkg.js';
import { attributePackages } from '../../src/deps/packages.js';
import { resolveApp } from '../../src/deps/index.js';

describe('dpkg output parsers', () => {
  it('maps merged-usr spellings both ways', () => {
    expect(mergedUsrAlias('/usr/lib/x86_64-linux-gnu/libc.so.6')).toBe('/lib/x86_64-linux-gnu/libc.so.6');
    expect(mergedUsrAlias('/bin/dash')).toBe('/usr/bin/dash');
    expect(mergedUsrAlias('/usr/share/doc/x')).toBeUndefined();
    expect(mergedUsrAlias('/library/x')).toBeUndefined();
  });

  it('parses dpkg -S lines, several owners and diversions', () => {
    const out = parseDpkgSearch([
      'libc6:amd64: /lib/x86_64-linux-gnu/libc.so.6',
      'libfakeroot:amd64, libc6:amd64, libc-bin: /etc/ld.so.conf.d',
      'diversion by dash from: /bin/sh',
      'curl: /usr/bin/curl',
    ].join('\n'));
    expect(out.get('/lib/x86_64-linux-gnu/libc.so.6')).toEqual(['libc6:amd64']);
    expect(out.get('/etc/ld.so.conf.d')).toEqual(['libfakeroot:amd64', 'libc6:amd64', 'libc-bin']);
    expect(out.has('/bin/sh')).toBe(false);
    expect(out.get('/usr/bin/curl')).toEqual(['curl']);
  });

  it('parses dpkg-query versions and spots glob characters', () => {
    expect(parseDpkgVersions('curl\t7.88.1-10\nlibc6:amd64\t2.36-9\n\n')).toEqual(new Map([['curl', '7.88.1-10'], ['libc6:amd64', '2.36-9']]));
    expect(isPlainPath('/usr/lib/libx.so')).toBe(true);
    expect(isPlainPath('/usr/lib/lib[x].so')).toBe(false);
  });
});

describe('attributePackages', () => {
  it('finds the package and version of each of curl\'s files, across merged-usr spellings', async () => {
    const manifest = await resolveApp('/usr/bin/curl');
    const packages = await attributePackages(manifest);
    expect(packages.get('/usr/bin/curl')?.package).toBe('curl');
    expect(packages.get('/usr/lib/x86_64-linux-gnu/libc.so.6')).toMatchObject({ package: 'libc6:amd64', version: expect.stringMatching(/^2\.36/) });
    expect(packages.get('/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0')?.package).toBe('libcurl4:amd64');
    expect(packages.get('/usr/lib64/ld-linux-x86-64.so.2')?.package).toBe('libc6:amd64');
    expect(packages.has('/lib')).toBe(false); // a merged-usr directory link, owned by dozens
    for (const e of manifest.entries.filter((x) => x.kind === 'file')) expect(packages.get(e.guestPath)?.version, e.guestPath).toBeTruthy();
  });
});
