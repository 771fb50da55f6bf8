// report.md's compression section: the run's choice, the compared VMs as a table, and the flag for a smaller one.
import { describe, expect, it } from 'vitest';
import { compressionSection } from '../../src/output/compression-table.js';
import { renderMarkdown } from '../../src/output/report.js';
import type { CompressionComparison } from '../../src/search/compression.js';
import { report } from './report-fixture.js';

const comparison: CompressionComparison = {
  asked: 'auto', used: 'xz',
  initramfs: [{ compression: 'xz', bytes: 10240 }, { compression: 'zstd', bytes: 11264 }, { compression: 'gzip', bytes: 20480 }],
  rows: [
    { compression: 'xz', shipped: true, status: 'pass', reason: 'the searched result, re-checked', bzImageBytes: 102400, initramfsBytes: 10240, totalBytes: 112640, boot: { initMs: 1500, appMs: 2100, readyMs: 2600 } },
    { compression: 'zstd', shipped: false, status: 'pass', reason: 'tests passed', bzImageBytes: 92160, initramfsBytes: 11264, totalBytes: 103424, boot: { initMs: 1200, appMs: 1700, readyMs: 2000 } },
    { compression: 'gzip', shipped: false, status: 'build-error', reason: 'a | b: error', initramfsBytes: 20480 },
  ],
  smaller: { compression: 'zstd', totalBytes: 103424, savedBytes: 9216, flag: '--compression zstd' },
};

describe('the compression section', () => {
  it('tabulates the shipped VM and the compared ones, and names the flag that gives the smaller one', () => {
    const md = compressionSection(comparison).join('\n');
    expect(md).toContain('Kernel and initramfs are compressed with xz (`auto`: the smallest initramfs of xz 10 KiB, zstd 11 KiB, gzip 20 KiB).');
    expect(md).toContain('| xz (shipped) | 100 KiB | 10 KiB | 110 KiB | 1.50 s | 2.10 s | 2.60 s | pass (the result) |');
    expect(md).toContain('| zstd | 90 KiB | 11 KiB | 101 KiB | 1.20 s | 1.70 s | 2.00 s | pass |');
    expect(md).toContain('| gzip | - | 20 KiB | - | - | - | - | build-error: a \\| b: error |');
    expect(md).toContain('With zstd the VM is 9 KiB smaller in total; the shipped one stays the searched one (its 1-minimality was proven with xz): `--compression zstd` searches with zstd.');
  });

  it('says the compared boots were by the vmlinux when the result ships one (the kernel\'s compression then unpacks nothing)', () => {
    expect(compressionSection(comparison, true).join('\n')).toContain('Each was booted by its vmlinux (PVH entry), as the result ships');
    expect(compressionSection(comparison).join('\n')).not.toContain('vmlinux');
  });

  it('says when none is smaller, and shows no table when nothing was compared (--compare-compression none)', () => {
    expect(compressionSection({ ...comparison, smaller: undefined }).join('\n')).toContain('No compared compressor gives a smaller VM in total than xz.');
    const alone = compressionSection({ ...comparison, asked: 'xz', initramfs: [{ compression: 'xz', bytes: 10240 }], rows: comparison.rows.slice(0, 1), smaller: undefined });
    expect(alone.join('\n')).toContain('compressed with xz (asked for (initramfs xz 10 KiB))');
    expect(alone.join('\n')).not.toContain('| compression |');
  });

  it('is in report.md after the root file system, which names the compression; a report without the key reads as gzip', () => {
    const md = renderMarkdown({ ...report, initramfs: { ...report.initramfs, compression: 'xz' }, compression: comparison });
    expect(md).toContain('| initramfs (xz) |');
    expect(md).toContain('| initramfs, xz |');
    expect(md.indexOf('## Compression')).toBeGreaterThan(md.indexOf('## Root file system'));
    const old = renderMarkdown({ ...report, initramfs: { ...report.initramfs, compression: undefined as never } });
    expect(old).toContain('| initramfs (gzip) |');
    expect(old).not.toContain('## Compression');
  });
});
