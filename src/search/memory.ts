// The least guest memory the final VM still passes its tests with: a few boots, no build.

/** One boot of the memory search: the guest memory it had and how it ended. */
export interface MemoryProbe {
  mib: number;
  passed: boolean;
  reason: string;
}

export interface MemorySearch {
  /** The profile's guest memory, which the search starts from (it passed there). */
  fromMiB: number;
  /** The least memory that passed; every probe below it failed (the last one at leastMiB - 1, unless leastMiB is the floor). */
  leastMiB: number;
  /** What run.sh gives the guest: leastMiB plus the margin, rounded up to whole MiB, at most fromMiB. */
  runMiB: number;
  marginPercent: number;
  probes: MemoryProbe[];
}

/** The margin run.sh adds to the least memory that passed: page cache, a larger request, a slower host. */
export const MEMORY_MARGIN_PERCENT = 25;

/** Below this no x86_64 kernel and initramfs boot; the search does not go lower. */
export const MEMORY_FLOOR_MIB = 8;

/** QEMU's -m value in MiB ("256M", "1G", "256"); undefined for forms it cannot read (a size with slots, say). */
export function parseMiB(memory: string): number | undefined {
  const m = /^(\d+)([MG]?)$/i.exec(memory.trim());
  if (!m) return undefined;
  return Number(m[1]) * (m[2]?.toUpperCase() === 'G' ? 1024 : 1);
}

/**
 * Bisects guest memory between the floor and `fromMiB` (known to pass): about log2(fromMiB) boots.
 * Failing with less memory is taken as monotone (a guest that fails with N MiB fails with fewer), as
 * it is for the kernel's own allocations; each failure is confirmed by the caller's probe like any other.
 */
export async function leastMemory(probe: (mib: number) => Promise<{ passed: boolean; reason: string }>, fromMiB: number, floorMiB = MEMORY_FLOOR_MIB): Promise<MemorySearch> {
  const probes: MemoryProbe[] = [];
  let fails = floorMiB - 1;
  let passes = fromMiB;
  while (passes - fails > 1) {
    const mib = Math.floor((fails + passes) / 2);
    const outcome = await probe(mib);
    probes.push({ mib, ...outcome });
    if (outcome.passed) passes = mib;
    else fails = mib;
  }
  const runMiB = Math.min(fromMiB, Math.ceil((passes * (100 + MEMORY_MARGIN_PERCENT)) / 100));
  return { fromMiB, leastMiB: passes, runMiB, marginPercent: MEMORY_MARGIN_PERCENT, probes };
}

/** Beside the root: the kernel, its allocations and the app's own (the bundled examples pass with 20-60 MiB in all). */
export const ROOT_HEADROOM_MIB = 128;

/**
 * Pure: the guest memory an initramfs boot needs at least, in MiB: the archive as QEMU loads it,
 * the root it unpacks into RAM, and the headroom; rounded up to 64 MiB.
 */
export function memoryForRoot(initramfs: { bytes: number; uncompressedBytes: number }): number {
  const need = Math.ceil((initramfs.bytes + initramfs.uncompressedBytes) / 2 ** 20) + ROOT_HEADROOM_MIB;
  return Math.ceil(need / 64) * 64;
}

/**
 * The guest memory the run's boots get: the profile's, or what the root needs when that is more
 * (`raised` then says from what). A profile size the memory search cannot read is kept as it is.
 */
export function runMemory(profileMemory: string, initramfs: { bytes: number; uncompressedBytes: number }): { memory: string; raised?: { fromMiB: number; needMiB: number } } {
  const fromMiB = parseMiB(profileMemory);
  const needMiB = memoryForRoot(initramfs);
  if (fromMiB === undefined || needMiB <= fromMiB) return { memory: profileMemory };
  return { memory: `${needMiB}M`, raised: { fromMiB, needMiB } };
}
