// Package dependency closure: Depends parsing, alternatives, virtual packages, and the host's dpkg.
import { describe, expect, it } from 'vitest';
import { hostPackageClosure, packageClosure, parseDependsField, parseInstalled, type InstalledPackage } from '../../src/deps/pkgclosure.js';

const pkg = (name: string, kib: number, depends: string[][] = [], provides: string[] = []): InstalledPackage => ({ id: name, name, installedKiB: kib, depends, provides });

describe('parseDependsField', () => {
  it('splits groups and alternatives and drops versions and arch qualifiers', () => {
    expect(parseDependsField('libc6 (>= 2.36), media-types | mime-support, python3:any (>= 3.9) [amd64]')).toEqual([['libc6'], ['media-types', 'mime-support'], ['python3']]);
    expect(parseDependsField('')).toEqual([]);
  });
});

describe('parseInstalled', () => {
  it('keeps installed packages only, with Pre-Depends before Depends', () => {
    const out = parseInstalled('a:amd64\ta\t10\tvirt (= 1)\tb\tc\tii \nold\told\t5\t\t\t\trc \n');
    expect(out).toEqual([{ id: 'a:amd64', name: 'a', installedKiB: 10, provides: ['virt'], depends: [['c'], ['b']] }]);
  });
});

describe('packageClosure', () => {
  it('follows dependencies, the first installed alternative, and virtual packages', () => {
    const installed = [
      pkg('app', 100, [['libc'], ['missing-init', 'init-helpers'], ['www-browser']]),
      pkg('libc', 1000),
      pkg('init-helpers', 50, [['libc']]),
      pkg('other-helpers', 70),
      pkg('lynx', 300, [], ['www-browser']),
    ];
    const closure = packageClosure(['app'], installed);
    expect(closure.packages).toEqual(['app', 'init-helpers', 'libc', 'lynx']);
    expect(closure.installedBytes).toBe((100 + 1000 + 50 + 300) * 1024);
    expect(closure.unresolved).toEqual([]);
  });

  it('lists dependencies nothing installed satisfies', () => {
    expect(packageClosure(['app'], [pkg('app', 1, [['gone']])]).unresolved).toEqual(['gone']);
  });
});

describe('hostPackageClosure', () => {
  it('measures dash with libc6 from the real dpkg database', async () => {
    const closure = await hostPackageClosure(['dash']);
    expect(closure?.packages).toEqual(expect.arrayContaining(['dash', 'libc6:amd64']));
    expect(closure?.installedBytes).toBeGreaterThan(10 * 1024 * 1024);
  });
});
