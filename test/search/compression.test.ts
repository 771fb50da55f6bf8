// The run's compression (auto: the smallest initramfs, the real compressors) and the compression stage against a fake evaluator.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { canonicalDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { initramfsFileName, type Compression } from '../../src/packager/compress.js';
import { encodeCpio } from '../../src/packager/cpio.js';
import type { InitramfsResult, PackedArchive } from '../../src/packager/initramfs.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';
import {
  compareCompressions, compressInitramfs, planCompression, shipInitramfs, smallerThanShipped, type CompressionRow,
} from '../../src/search/compression.js';
import type { BootVariant, Normalized } from '../../src/search/evaluator.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import type { Verdict, VerdictStatus } from '../../src/tester/verdict.js';
import { sha256 } from '../../src/util/hash.js';

let dir: string;
let profile: Profile;
let packed: PackedArchive;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-compression-'));
  profile = await loadProfile();
  const text = Buffer.from(Array.from({ length: 3000 }, (_, i) => `entry ${i % 53}: some configuration text\n`).join(''));
  // A program and its text, as in an initramfs (on the bundled examples' xz is the smallest too; on tiny text alone zstd can be).
  const archive = encodeCpio([
    { path: 'bin/ls', kind: 'file', mode: 0o755, uid: 0, gid: 0, data: await readFile('/bin/ls') },
    { path: 'etc/app.conf', kind: 'file', mode: 0o644, uid: 0, gid: 0, data: text },
  ]);
  packed = { archive, entries: 2, parts: { app: 0, libraries: 0, init: 0, other: archive.length } };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the run\'s compression', () => {
  it('comes from the flag, else the profile; tools are checked before anything is packed', async () => {
    expect(await planCompression({ profile })).toEqual({ asked: 'auto', available: ['gzip', 'xz', 'zstd', 'lz4'] });
    expect(await planCompression({ profile: { ...profile, packaging: { compression: 'lz4' } } })).toMatchObject({ asked: 'lz4' });
    expect(await planCompression({ profile, compression: 'gzip', compareCompression: ['xz'] })).toMatchObject({ asked: 'gzip', compare: ['xz'] });
    const saved = process.env.PATH;
    process.env.PATH = path.join(dir, 'no-tools');
    try {
      const asked = await planCompression({ profile, compression: 'zstd' }).catch((e: unknown) => e);
      expect(isTinyxError(asked, 'TINYX_COMPRESSOR_NOT_FOUND')).toBe(true);
      expect((asked as Error).message).toBe('--compression zstd needs `zstd`, which is not installed here.');
      const fromProfile = await planCompression({ profile: { ...profile, packaging: { compression: 'xz' } } }).catch((e: unknown) => e);
      expect((fromProfile as Error).message).toBe('The profile\'s packaging.compression (xz) needs `xz`, which is not installed here.');
      const compared = await planCompression({ profile, compareCompression: ['gzip', 'lz4'] }).catch((e: unknown) => e);
      expect((compared as Error).message).toContain('--compare-compression gzip,lz4 needs `lz4`');
      // auto makes do with what there is: gzip only.
      expect(await planCompression({ profile })).toEqual({ asked: 'auto', available: ['gzip'] });
    } finally {
      process.env.PATH = saved;
    }
  });

  it('auto: compresses with every available compressor and takes the smallest (xz here); the others are written for the comparison', async () => {
    const out = await mkdtemp(path.join(dir, 'auto-'));
    const events: MinimizeEvent[] = [];
    const plan = await planCompression({ profile });
    const result = await compressInitramfs(plan, packed, out, (e) => events.push(e));
    expect(result.sizes).toHaveLength(4);
    expect(result.sizes.map((s) => s.bytes)).toEqual([...result.sizes.map((s) => s.bytes)].sort((a, b) => a - b));
    expect(result.initramfs.compression).toBe(result.sizes[0]!.compression);
    expect(result.initramfs.compression).toBe('xz');
    expect(result.initramfs.file).toBe(path.join(out, 'initramfs.cpio.xz'));
    expect(result.initramfs.uncompressedBytes).toBe(packed.archive.length);
    expect(result.others.map((o) => o.compression).sort()).toEqual(['gzip', 'lz4', 'zstd']);
    for (const w of [result.initramfs, ...result.others]) {
      const bytes = await readFile(w.file);
      expect([w.bytes, w.sha256]).toEqual([bytes.length, sha256(bytes)]);
    }
    expect(events.some((e) => e.type === 'info' && e.message.startsWith('initramfs: xz,') && e.message.includes('auto: the smallest of xz'))).toBe(true);
  });

  it('a named compressor: only it and the ones to compare are made; the run\'s own is no comparison', async () => {
    const out = await mkdtemp(path.join(dir, 'named-'));
    const events: MinimizeEvent[] = [];
    const plan = await planCompression({ profile, compression: 'lz4', compareCompression: ['lz4', 'gzip'] });
    const result = await compressInitramfs(plan, packed, out, (e) => events.push(e));
    expect(result.initramfs.compression).toBe('lz4');
    expect(result.others.map((o) => o.compression)).toEqual(['gzip']);
    expect(result.sizes.map((s) => s.compression).sort()).toEqual(['gzip', 'lz4']);
    expect(existsSync(path.join(out, initramfsFileName('xz')))).toBe(false);
    expect(events.some((e) => e.type === 'info' && e.message.includes('names lz4, the run\'s own compression'))).toBe(true);
    const none = await compressInitramfs(await planCompression({ profile, compression: 'gzip', compareCompression: [] }), packed, await mkdtemp(path.join(dir, 'none-')), () => undefined);
    expect([none.initramfs.compression, none.others]).toEqual(['gzip', []]);
  });

  it('a large archive: the tests get it uncompressed, auto picks on a sample, nothing is compared unless asked; the final root is compressed once', async () => {
    const out = await mkdtemp(path.join(dir, 'large-'));
    const events: MinimizeEvent[] = [];
    const large = packed.archive.length - 1;
    const result = await compressInitramfs(await planCompression({ profile }), packed, out, (e) => events.push(e), large);
    expect(result.initramfs).toMatchObject({ compression: 'xz', plain: true, file: path.join(out, 'initramfs.cpio'), bytes: packed.archive.length });
    expect(await readFile(result.initramfs.file)).toEqual(packed.archive);
    expect(result.others).toEqual([]);
    expect(existsSync(path.join(out, initramfsFileName('xz')))).toBe(false);
    // The sample is the whole archive here: the estimates are the real sizes.
    const exact = await compressInitramfs(await planCompression({ profile }), packed, await mkdtemp(path.join(dir, 'exact-')), () => undefined);
    expect(result.sizes).toEqual(exact.sizes);
    expect(events.some((e) => e.type === 'info' && e.message.includes('the tests boot it uncompressed, and the final root is compressed once with xz (auto: the smallest on a'))).toBe(true);
    const shipped = await shipInitramfs(result.initramfs, out);
    expect(shipped).toMatchObject({ compression: 'xz', file: path.join(out, 'initramfs.cpio.xz'), bytes: exact.initramfs.bytes, sha256: exact.initramfs.sha256 });
    expect(shipped.plain).toBeUndefined();
    const compared = await compressInitramfs(await planCompression({ profile, compression: 'zstd', compareCompression: ['gzip'] }), packed, await mkdtemp(path.join(dir, 'asked-')), () => undefined, large);
    expect([compared.initramfs.compression, compared.initramfs.plain, compared.others.map((o) => o.compression)]).toEqual(['zstd', true, ['gzip']]);
  });
});

/** An evaluator that normalizes as given and answers by the kernel compression the config picks; it records what it was asked. */
function fakeEvaluator(outcome: Partial<Record<Compression, VerdictStatus>>) {
  const asked: { config: DotConfig; label: string; variant?: BootVariant }[] = [];
  const kernelOf = (config: DotConfig) => (['gzip', 'xz', 'zstd', 'lz4'] as const).find((c) => config.get(`KERNEL_${c.toUpperCase()}`) === 'y')!;
  return {
    asked,
    normalize: async (config: DotConfig): Promise<Normalized> => ({ config, hash: sha256(canonicalDotConfig(config)) }),
    evaluate: async (candidate: Normalized, cmdline: string, label: string, variant?: BootVariant): Promise<Verdict> => {
      asked.push({ config: candidate.config, label, variant });
      const status = outcome[kernelOf(candidate.config)] ?? 'pass';
      return {
        status, reason: status === 'pass' ? 'tests passed' : `scripted ${status}`, configHash: candidate.hash, cmdline, built: true, buildMs: 1, bootMs: 1, testMs: 1,
        consoleTail: '', ...(status === 'pass' ? { timing: { initMs: 700, appMs: 900, readyMs: 1000 } } : {}),
      };
    },
  };
}

const initramfs = (compression: Compression, bytes: number): InitramfsResult => ({
  file: `/work/${initramfsFileName(compression)}`, compression, bytes, uncompressedBytes: 4000, sha256: `sha-${compression}`, entries: 3,
  parts: { app: 1, libraries: 1, init: 1, other: 1 },
});

describe('the compression stage', () => {
  const final: Normalized = { config: new Map([['KERNEL_XZ', 'y'], ['KERNEL_GZIP', 'n'], ['RD_XZ', 'y'], ['RD_GZIP', 'n'], ['NET', 'y']]), hash: 'final' };

  it('boots the final config with each other compressor (kernel choice and RD_ option) and its initramfs; the shipped row first', async () => {
    const evaluator = fakeEvaluator({ lz4: 'boot-timeout' });
    const rows = await compareCompressions({
      evaluator, final, cmdline: 'console=ttyS0',
      shipped: { initramfs: initramfs('xz', 1000), bzImageBytes: 5000, boot: { initMs: 600, appMs: 800, readyMs: 900 } },
      others: [initramfs('gzip', 1500), initramfs('lz4', 1800)],
      bzImageBytes: async (hash) => (hash === final.hash ? 5000 : 5600),
    });
    expect(rows).toEqual([
      { compression: 'xz', shipped: true, status: 'pass', reason: 'the searched result, re-checked', bzImageBytes: 5000, initramfsBytes: 1000, totalBytes: 6000, boot: { initMs: 600, appMs: 800, readyMs: 900 } },
      { compression: 'gzip', shipped: false, status: 'pass', reason: 'tests passed', bzImageBytes: 5600, totalBytes: 7100, initramfsBytes: 1500, boot: { initMs: 700, appMs: 900, readyMs: 1000 } },
      { compression: 'lz4', shipped: false, status: 'boot-timeout', reason: 'scripted boot-timeout', bzImageBytes: 5600, totalBytes: 7400, initramfsBytes: 1800 },
    ]);
    // Each compared VM: the final config, its kernel compressed with c and RD_c on (the search's RD_XZ left as it was), booted with c's initramfs.
    expect(evaluator.asked.map((a) => [a.label, a.variant])).toEqual([
      ['compression gzip', { initramfs: { file: '/work/initramfs.cpio.gz', sha256: 'sha-gzip' } }],
      ['compression lz4', { initramfs: { file: '/work/initramfs.cpio.lz4', sha256: 'sha-lz4' } }],
    ]);
    const gzip = evaluator.asked[0]!.config;
    expect(['KERNEL_GZIP', 'KERNEL_XZ', 'RD_GZIP', 'RD_XZ', 'NET'].map((n) => gzip.get(n))).toEqual(['y', 'n', 'y', 'y', 'y']);
    expect(smallerThanShipped(rows)).toBeUndefined();
  });

  it('has no bzImage for a config that did not build, and compares nothing when there is nothing to compare', async () => {
    const evaluator = fakeEvaluator({ zstd: 'build-error' });
    const rows = await compareCompressions({
      evaluator, final, cmdline: '', shipped: { initramfs: initramfs('xz', 1000), bzImageBytes: 5000 },
      others: [initramfs('zstd', 1100)], bzImageBytes: async () => 4000,
    });
    expect(rows[1]).toEqual({ compression: 'zstd', shipped: false, status: 'build-error', reason: 'scripted build-error', initramfsBytes: 1100 });
    expect(rows[0]!.boot).toBeUndefined();
    const alone = await compareCompressions({ evaluator, final, cmdline: '', shipped: { initramfs: initramfs('xz', 1000), bzImageBytes: 5000 }, others: [], bzImageBytes: async () => 1 });
    expect(alone.map((r) => r.compression)).toEqual(['xz']);
  });

  it('names the smallest passing compared VM that beats the shipped total, and the flag that searches with it', () => {
    const row = (compression: Compression, totalBytes: number | undefined, status: VerdictStatus = 'pass', shipped = false): CompressionRow => ({
      compression, shipped, status, reason: '', initramfsBytes: 1, ...(totalBytes !== undefined ? { totalBytes, bzImageBytes: totalBytes - 1 } : {}),
    });
    expect(smallerThanShipped([row('gzip', 9000, 'pass', true), row('zstd', 8500), row('xz', 8000), row('lz4', 7000, 'fail')]))
      .toEqual({ compression: 'xz', totalBytes: 8000, savedBytes: 1000, flag: '--compression xz' });
    expect(smallerThanShipped([row('xz', 8000, 'pass', true), row('gzip', 8000), row('lz4', undefined, 'build-error')])).toBeUndefined();
  });
});
