// Pure readers behind image analysis: an image's dpkg status file, and the names musl's loader answers for itself.
import { describe, expect, it } from 'vitest';
import { parseDpkgStatus } from '../../src/deps/imagedpkg.js';
import { isMuslLoader, isMuslReserved } from '../../src/deps/musl.js';

describe('parseDpkgStatus', () => {
  it('lists installed packages only, a Multi-Arch: same one by its name:arch as dpkg -S prints it', () => {
    const status = [
      'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nVersion: 2.36-9',
      'Package: dash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 0.5.12-2',
      'Package: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1',
    ].join('\n\n');
    expect(parseDpkgStatus(status)).toEqual([
      { name: 'libc6', id: 'libc6:amd64', version: '2.36-9' },
      { name: 'dash', id: 'dash', version: '0.5.12-2' },
    ]);
    expect(parseDpkgStatus('')).toEqual([]);
  });
});

describe('musl', () => {
  it('knows its loader and the libraries it holds itself', () => {
    expect(isMuslLoader('/lib/ld-musl-x86_64.so.1')).toBe(true);
    expect(isMuslLoader('/lib64/ld-linux-x86-64.so.2')).toBe(false);
    expect(['libc.so', 'libpthread.so.0', 'libm.so.6', 'libdl.so.2'].every(isMuslReserved)).toBe(true);
    expect(['libcrypto.so.3', 'libmagic.so.1', 'libz.so.1'].some(isMuslReserved)).toBe(false);
  });
});
