// `select` edges from the real kernel's Kconfig (skipped without the kernel tree).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadKconfig } from '../../src/kconfig/engine.js';
import { selectMap } from '../../src/kernel-trace/selects.js';
import { KERNEL_SRC } from './helpers.js';

describe.skipIf(!existsSync(`${KERNEL_SRC}/Kconfig`))('selectMap', () => {
  it('lists the enabled options an enabled option selects', async () => {
    const model = await loadKconfig(KERNEL_SRC);
    const enabled = new Set(['RD_XZ', 'DECOMPRESS_XZ', 'XZ_DEC', 'BLK_DEV_INITRD', 'RD_GZIP', 'DECOMPRESS_GZIP', 'ZLIB_INFLATE']);
    const map = selectMap(model, enabled);
    expect(map.get('RD_XZ')).toEqual(['DECOMPRESS_XZ']);
    expect(map.get('DECOMPRESS_GZIP')).toEqual(['ZLIB_INFLATE']);
    expect(map.has('XZ_DEC')).toBe(false);
  });
});
