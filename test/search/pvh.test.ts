// The PVH comparison against a fake guest whose bzImage and vmlinux boots take known times.
import { describe, expect, it } from 'vitest';
import { comparePvh, type KernelFile, type PvhBoot } from '../../src/search/pvh.js';

/** A fake guest: each kernel file's boots to the app take these times in turn; a kernel in `fails` fails its boot `at`. */
function guest(ms: Record<KernelFile, number[]>, fail?: { kernel: KernelFile; at: number }) {
  const booted: string[] = [];
  const seen: Record<KernelFile, number> = { bzImage: 0, vmlinux: 0 };
  const boot = async (kernel: KernelFile): Promise<PvhBoot> => {
    booted.push(kernel);
    const n = seen[kernel]++;
    if (fail && fail.kernel === kernel && fail.at === n + 1) return { passed: false, reason: 'boot-timeout: no TINYX-APP-STARTED within 10 s' };
    const appMs = ms[kernel][n]!;
    return { passed: true, timing: { initMs: appMs - 30, appMs, guestInitMs: appMs - 600 } };
  };
  return { boot, booted };
}

describe('comparePvh', () => {
  it('boots the two in turn and ships the vmlinux when it reaches the app faster beyond the noise, with both ways\' medians', async () => {
    const fake = guest({ bzImage: [1500, 1480, 1520, 1490, 1510], vmlinux: [1200, 1190, 1210, 1220, 1180] });
    const result = await comparePvh({ runs: 5, boot: fake.boot });
    expect(fake.booted).toEqual(['bzImage', 'vmlinux', 'bzImage', 'vmlinux', 'bzImage', 'vmlinux', 'bzImage', 'vmlinux', 'bzImage', 'vmlinux']);
    expect(result.shipped).toBe('vmlinux');
    expect(result.bzImage).toMatchObject({ medianAppMs: 1500, medianInitMs: 1470, medianGuestInitMs: 900 });
    expect(result.vmlinux).toMatchObject({ medianAppMs: 1200, appMs: [1200, 1190, 1210, 1220, 1180] });
    expect(result.detail).toBe('300 ms faster to the app (noise 30 ms)');
  });

  it('keeps the bzImage when the vmlinux is faster only within the noise', async () => {
    const fake = guest({ bzImage: [1500, 1480, 1520, 1490, 1510], vmlinux: [1490, 1485, 1495, 1480, 1500] });
    const result = await comparePvh({ runs: 5, boot: fake.boot });
    expect(result.shipped).toBe('bzImage');
    expect(result.detail).toMatch(/^10 ms faster to the app \(noise 30 ms\)$/);
    const slower = await comparePvh({ runs: 5, boot: guest({ bzImage: [1500, 1480, 1520, 1490, 1510], vmlinux: [1600, 1590, 1610, 1620, 1580] }).boot });
    expect(slower).toMatchObject({ shipped: 'bzImage', detail: '100 ms slower to the app (noise 30 ms)' });
  });

  it('keeps the bzImage when a vmlinux boot fails, and boots the vmlinux no more after it', async () => {
    const fake = guest({ bzImage: [1500, 1480, 1520], vmlinux: [900, 900, 900] }, { kernel: 'vmlinux', at: 2 });
    const result = await comparePvh({ runs: 3, boot: fake.boot });
    expect(fake.booted).toEqual(['bzImage', 'vmlinux', 'bzImage', 'vmlinux', 'bzImage']);
    expect(result.shipped).toBe('bzImage');
    expect(result.vmlinux.failed).toBe('boot 2: boot-timeout: no TINYX-APP-STARTED within 10 s');
    expect(result.detail).toBe('failed boot 2: boot-timeout: no TINYX-APP-STARTED within 10 s');
  });

  it('stops when the bzImage, which passed the search, fails a boot', async () => {
    const fake = guest({ bzImage: [1500, 1480, 1520], vmlinux: [900, 900, 900] }, { kernel: 'bzImage', at: 3 });
    await expect(comparePvh({ runs: 3, boot: fake.boot })).rejects.toMatchObject({ code: 'TINYX_FINAL_FAILS', message: expect.stringMatching(/failed a boot of its bzImage .*boot 3: boot-timeout/) });
  });
});
