// What changed between an app's last result and its new one: options by name, across kernels too; needs; sizes.
import { describe, expect, it } from 'vitest';
import { parseDotConfig } from '../../src/kconfig/dotconfig.js';
import type { Report } from '../../src/output/report.js';
import { neededChanges, optionChanges, sizeChange } from '../../src/fleet/diff.js';

const config = (...lines: string[]) => parseDotConfig(lines.join('\n'));

describe('optionChanges', () => {
  const before = config('CONFIG_NET=y', 'CONFIG_EPOLL=y', '# CONFIG_FUTEX is not set', 'CONFIG_OLD_THING=y', 'CONFIG_MOD=m', 'CONFIG_LOG_BUF_SHIFT=17');
  const now = config('CONFIG_NET=y', '# CONFIG_EPOLL is not set', 'CONFIG_FUTEX=y', 'CONFIG_NEW_THING=y', 'CONFIG_MOD=m', 'CONFIG_LOG_BUF_SHIFT=14');

  it('on one kernel: the options (=y, =m) enabled now and not before, and the other way round, by name', () => {
    expect(optionChanges(before, now)).toEqual({ added: ['FUTEX', 'NEW_THING'], removed: ['EPOLL', 'OLD_THING'], appeared: [], vanished: [] });
    expect(optionChanges(now, now)).toEqual({ added: [], removed: [], appeared: [], vanished: [] });
  });

  it('across a kernel upgrade: an option the old kernel lacks appeared, one the new kernel lacks vanished', () => {
    const oldKernel = new Set(['NET', 'EPOLL', 'FUTEX', 'OLD_THING', 'MOD', 'LOG_BUF_SHIFT']);
    const newKernel = new Set(['NET', 'EPOLL', 'FUTEX', 'NEW_THING', 'MOD', 'LOG_BUF_SHIFT']);
    expect(optionChanges(before, now, { before: oldKernel, now: newKernel })).toEqual({
      added: ['FUTEX'], removed: ['EPOLL'], appeared: ['NEW_THING'], vanished: ['OLD_THING'],
    });
  });

  it('without a kernel\'s option names, nothing is said to be new to it or gone from it', () => {
    const newKernel = new Set(['NET', 'EPOLL', 'FUTEX', 'NEW_THING', 'MOD']);
    expect(optionChanges(before, now, { now: newKernel })).toEqual({ added: ['FUTEX', 'NEW_THING'], removed: ['EPOLL'], appeared: [], vanished: ['OLD_THING'] });
  });
});

describe('neededChanges', () => {
  const report = (kept: string[], noops: string[] = [], keptReasons: Record<string, string> = {}) => ({ kept, noops, keptReasons }) as unknown as Report;

  it('compares what each search found needed: not the options forced back on, nor those kept for growing the config', () => {
    const before = report(['MULTIUSER', 'EPOLL', 'SHMEM'], ['SHMEM'], { MULTIUSER: 'fail: tests exited with 1', EPOLL: 'fail: tests exited with 1' });
    const now = report(['MULTIUSER', 'FUTEX', 'EXPERT'], [], { MULTIUSER: 'fail: tests exited with 1', FUTEX: 'panic: x', EXPERT: 'grows the config: +3 -1' });
    expect(neededChanges(before, now)).toEqual({ added: ['FUTEX'], removed: ['EPOLL'] });
  });
});

describe('sizeChange', () => {
  it('gives the change in bytes, and null where a figure is missing', () => {
    expect(sizeChange(1000, 1200)).toEqual({ bytes: 1000, previous: 1200, change: -200 });
    expect(sizeChange(1000, undefined)).toEqual({ bytes: 1000, previous: null, change: null });
    expect(sizeChange(undefined, 1200)).toEqual({ bytes: null, previous: 1200, change: null });
  });
});
