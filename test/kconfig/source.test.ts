import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelVersion, resolveKernelSource } from '../../src/kconfig/source.js';
import { isTinyxError } from '../../src/errors.js';

describe('kernel source', () => {
  it('reads the version from the top Makefile, with an empty EXTRAVERSION', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-src-'));
    await writeFile(path.join(dir, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION =\nNAME = Curry Ramen Hotdog\n');
    expect(await kernelVersion(dir)).toBe('6.1.192');
    await writeFile(path.join(dir, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION = -rc3\n');
    expect(await kernelVersion(dir)).toBe('6.12.0-rc3');
  });

  it('refuses a directory that is not a kernel tree', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-src-'));
    await mkdir(path.join(dir, 'scripts'));
    const error = await resolveKernelSource({ kernelSrc: dir }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_KERNEL_SRC_NOT_FOUND')).toBe(true);
  });

  it('finds Debian\'s linux-source tree (unpacking it once)', async () => {
    const source = await resolveKernelSource();
    expect(source.version).toMatch(/^6\.1\.\d+$/);
    expect(source.key).toMatch(/^6\.1\.\d+-[0-9a-f]{8}$/);
  }, 300_000);
});
