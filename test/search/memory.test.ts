// The memory search: bisection to the least guest memory that passes, with run.sh's margin.
import { describe, expect, it } from 'vitest';
import { leastMemory, MEMORY_FLOOR_MIB, memoryForRoot, parseMiB, ROOT_HEADROOM_MIB, runMemory } from '../../src/search/memory.js';

/** A guest that passes with `need` MiB or more, counting its boots. */
function guest(need: number) {
  const booted: number[] = [];
  const probe = async (mib: number) => {
    booted.push(mib);
    return mib >= need ? { passed: true, reason: 'pass: tests passed' } : { passed: false, reason: 'boot-timeout: no marker' };
  };
  return { probe, booted };
}

describe('memory search', () => {
  it('reads QEMU sizes in MiB and refuses what it cannot read', () => {
    expect(parseMiB('256M')).toBe(256);
    expect(parseMiB('256')).toBe(256);
    expect(parseMiB('1G')).toBe(1024);
    expect(parseMiB('2g')).toBe(2048);
    expect(parseMiB('1G,slots=2,maxmem=4G')).toBeUndefined();
  });

  it.each([31, 8, 9, 200, 256])('finds the least memory that passes (need %i MiB) in about log2 boots, one MiB less failing', async (need) => {
    const { probe, booted } = guest(need);
    const found = await leastMemory(probe, 256);
    expect(found.leastMiB).toBe(need);
    expect(booted.length).toBeLessThanOrEqual(Math.ceil(Math.log2(256 - MEMORY_FLOOR_MIB + 1)));
    expect(new Set(booted).size).toBe(booted.length);
    if (need > MEMORY_FLOOR_MIB) expect(found.probes.find((p) => p.mib === need - 1)).toMatchObject({ passed: false });
    if (need < 256) expect(found.probes.find((p) => p.mib === need)).toMatchObject({ passed: true });
    expect(found.probes.every((p) => p.passed === (p.mib >= need))).toBe(true);
  });

  it('gives run.sh the least plus 25%, rounded up, never more than the profile had', async () => {
    expect((await leastMemory(guest(31).probe, 256)).runMiB).toBe(39);
    expect((await leastMemory(guest(40).probe, 256)).runMiB).toBe(50);
    const tight = await leastMemory(guest(250).probe, 256);
    expect([tight.leastMiB, tight.runMiB, tight.marginPercent]).toEqual([250, 256, 25]);
  });

  it('stays at the profile\'s memory when every smaller probe fails', async () => {
    const found = await leastMemory(guest(1000).probe, 256);
    expect([found.leastMiB, found.runMiB]).toEqual([256, 256]);
    expect(found.probes.every((p) => !p.passed)).toBe(true);
  });
});

describe('the guest memory a root needs', () => {
  const MiB = 2 ** 20;
  it('is the archive as loaded, the files it unpacks and the headroom, rounded up to 64 MiB', () => {
    // The bundled example: 0.8 MB of xz, 2 MB unpacked.
    expect(memoryForRoot({ bytes: 800_000, uncompressedBytes: 2_000_000 })).toBe(192);
    // A 211 MB closure booted uncompressed: loaded and unpacked, twice its size.
    expect(memoryForRoot({ bytes: 211 * MiB, uncompressedBytes: 211 * MiB })).toBe(576);
    expect(ROOT_HEADROOM_MIB).toBe(128);
  });

  it('raises the profile\'s memory only when the root needs more, and keeps a size it cannot read', () => {
    expect(runMemory('256M', { bytes: 800_000, uncompressedBytes: 2_000_000 })).toEqual({ memory: '256M' });
    expect(runMemory('256M', { bytes: 211 * MiB, uncompressedBytes: 211 * MiB })).toEqual({ memory: '576M', raised: { fromMiB: 256, needMiB: 576 } });
    expect(runMemory('1G', { bytes: 211 * MiB, uncompressedBytes: 211 * MiB })).toEqual({ memory: '1G' });
    expect(runMemory('256M,slots=2,maxmem=1G', { bytes: 211 * MiB, uncompressedBytes: 211 * MiB })).toEqual({ memory: '256M,slots=2,maxmem=1G' });
  });
});
