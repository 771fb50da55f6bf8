// The boot-speed search against a fake guest whose boot times each option changes by a known amount.
import { describe, expect, it } from 'vitest';
import { fasterBeyondNoise, mad, median, searchBootSpeedups, type BootSample } from '../../src/search/boot-speed.js';

/** Boot times around `ms`, spread by ±`jitter` (the same five offsets each time). */
const boots = (ms: number, jitter = 20) => [-1, -0.5, 0, 0.5, 1].map((f) => ms + f * jitter);

/** A fake guest: 1500 ms to the app, less by each option's gain in `gains`; options in `fails` fail. */
function guest(gains: Record<string, number>, fails: string[] = []) {
  const measured: string[] = [];
  const measure = async (cmdline: string): Promise<BootSample> => {
    measured.push(cmdline);
    const tokens = cmdline.split(' ');
    const failing = tokens.find((t) => fails.includes(t));
    if (failing) return { passed: false, reason: `fail: tests exited with 1 (${failing})`, ms: [1500] };
    return { passed: true, reason: '', ms: boots(1500 - tokens.reduce((sum, t) => sum + (gains[t] ?? 0), 0)) };
  };
  return { measure, measured };
}

describe('fasterBeyondNoise', () => {
  it('takes a gain larger than twice the spread and 2% of the boot; not one inside either', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(fasterBeyondNoise(boots(1500), boots(1400)).faster).toBe(true);
    // 20 ms faster: below 2% of 1500 ms (30 ms), however steady.
    expect(fasterBeyondNoise(boots(1500, 2), boots(1480, 2))).toMatchObject({ faster: false, gainMs: 20, noiseMs: 30 });
    // 100 ms faster, but the boots stray by 100 ms (MAD 50): within the noise.
    expect(fasterBeyondNoise(boots(1500, 200), boots(1400, 200)).faster).toBe(false);
  });
});

describe('searchBootSpeedups', () => {
  it('keeps each option that passes faster beyond the noise, one at a time, and leaves the rest with why', async () => {
    const fake = guest({ 'tsc=reliable': 300, 'i8042.noaux': 5, 'cryptomgr.notests': 150 }, ['8250.nr_uarts=1']);
    const result = await searchBootSpeedups({
      cmdline: 'console=ttyS0 panic=-1', speedups: ['tsc=reliable', 'i8042.noaux', '8250.nr_uarts=1', 'cryptomgr.notests'], runs: 5, measure: fake.measure,
    });
    expect(result.added).toEqual(['tsc=reliable', 'cryptomgr.notests']);
    expect(result.cmdline).toBe('console=ttyS0 panic=-1 tsc=reliable cryptomgr.notests');
    expect(result).toMatchObject({ fromMs: 1500, toMs: 1050, runs: 5 });
    expect(result.trials.map((t) => [t.option, t.kept])).toEqual([['tsc=reliable', true], ['i8042.noaux', false], ['8250.nr_uarts=1', false], ['cryptomgr.notests', true]]);
    expect(result.trials[1]!.detail).toMatch(/^5 ms faster, within the noise/);
    expect(result.trials[2]!.detail).toMatch(/^fails: fail: tests exited with 1/);
    // Each later try is measured on top of what was kept before it.
    expect(fake.measured.at(-1)).toBe('console=ttyS0 panic=-1 tsc=reliable cryptomgr.notests');
  });

  it('does not try an option the command line already sets, by name (tsc=unstable there: tsc=reliable is not added)', async () => {
    const fake = guest({ 'tsc=reliable': 300, no_timer_check: 200 });
    const result = await searchBootSpeedups({ cmdline: 'console=ttyS0 tsc=unstable', speedups: ['tsc=reliable', 'no_timer_check'], runs: 5, measure: fake.measure });
    expect(result.trials.map((t) => t.option)).toEqual(['no_timer_check']);
    expect(fake.measured).toEqual(['console=ttyS0 tsc=unstable', 'console=ttyS0 tsc=unstable no_timer_check']);
  });

  it('refuses to go on when the result itself fails a boot', async () => {
    const fake = guest({}, ['panic=-1']);
    await expect(searchBootSpeedups({ cmdline: 'console=ttyS0 panic=-1', speedups: ['tsc=reliable'], runs: 5, measure: fake.measure })).rejects.toThrow(/the result failed a boot/);
  });
});
