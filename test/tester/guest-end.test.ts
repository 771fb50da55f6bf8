// How QEMU ends, on the real start kernel: a guest that ends itself (its app exits, or it panics with
// panic=-1) leaves QEMU exit 0 and is a verdict; a QEMU killed mid-boot is the machinery's failure.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';
import { Evaluator } from '../../src/search/evaluator.js';
import type { MinimizeEvent } from '../../src/search/events.js';
import { Journal } from '../../src/search/journal.js';
import { bootAndTest } from '../../src/tester/boot.js';
import { LocalExecutor } from '../../src/tester/executor.js';
import { startGuest } from '../../src/tester/guest.js';
import { vmSpec } from '../../src/vm/spec.js';
import { Workspace } from '../../src/tester/workspace.js';
import { startKernel } from '../helpers/start-kernel.js';

let dir: string;
let bzImage: string;
let profile: Profile;
let initramfs: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tinyx-guest-end-'));
  bzImage = process.env.TINYX_TEST_BZIMAGE ?? (await startKernel()).bzImage;
  profile = await loadProfile();
  const manifest = await resolveApp('/usr/bin/false');
  initramfs = (await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [] }, outFile: path.join(dir, 'false.cpio.gz') })).file;
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Boots the start kernel with the app `false` under TCG until QEMU exits by itself. */
async function bootToEnd(cmdline: string, name: string) {
  const guest = await startGuest({
    vm: vmSpec(profile.qemu, { kernel: bzImage, initramfs, cmdline, hostPort: 0 }), consoleLog: path.join(dir, name, 'console.log'), accel: 'tcg',
  });
  const timer = setTimeout(() => void guest.stop(), 90_000);
  await guest.exited;
  clearTimeout(timer);
  return { end: guest.ended(), console: guest.console() };
}

describe('a guest that ends by itself', () => {
  it('leaves QEMU exit 0 when its app exits (init reboots, -no-reboot ends QEMU)', async () => {
    const { end, console } = await bootToEnd(profile.boot.cmdline, 'exits');
    expect(console).toContain('TINYX-APP-EXITED 1');
    expect(end).toEqual({ exitCode: 0, signal: undefined, logFailure: undefined });
  });

  it('leaves QEMU exit 0 when the kernel panics (panic=-1), and the boot is a panic verdict', async () => {
    const cmdline = `${profile.boot.cmdline} rdinit=/nonexistent init=/nonexistent`;
    const { end, console } = await bootToEnd(cmdline, 'panics');
    expect(console).toContain('Kernel panic - not syncing');
    expect(end).toEqual({ exitCode: 0, signal: undefined, logFailure: undefined });
    const outcome = await bootAndTest({
      bzImage, initramfs, cmdline, qemu: { ...profile.qemu, accel: 'tcg' }, tests: '/bin/true', logDir: path.join(dir, 'panic-verdict'),
      bootTimeoutMs: 90_000, readyTimeoutMs: 10_000, testTimeoutMs: 10_000,
    });
    expect(outcome.status).toBe('panic');
  });
});

/** SIGKILLs every QEMU booting `file` half a second after it shows up (the guest boots for 1-3 s), until stopped. */
function killQemuBooting(file: string) {
  const killed: number[] = [];
  const seen = new Map<number, number>();
  const seek = async () => {
    for (const entry of await readdir('/proc')) {
      const pid = Number(entry);
      if (!/^\d+$/.test(entry) || killed.includes(pid)) continue;
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
      if (!cmdline[0]?.endsWith('qemu-system-x86_64') || !cmdline.includes(file)) continue;
      if (!seen.has(pid)) seen.set(pid, Date.now());
      if (Date.now() - seen.get(pid)! < 500) continue;
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    }
  };
  const timer = setInterval(() => void seek(), 100);
  return { killed, stop: () => clearInterval(timer) };
}

describe('a QEMU killed mid-boot (SIGKILL, as by the OOM killer)', () => {
  it('is no verdict: tried once more, then the run stops with TINYX_QEMU_FAILED and nothing is journaled', async () => {
    const workspace = new Workspace('stand-in', path.join(dir, 'cache'));
    const candidate = { config: new Map([['A', 'y']]), hash: 'qemu-killed' };
    await mkdir(workspace.artifactDir(candidate.hash), { recursive: true });
    await copyFile(bzImage, path.join(workspace.artifactDir(candidate.hash), 'bzImage'));
    const executor = new LocalExecutor({
      srcDir: '/nonexistent', initramfs, tests: '/bin/true', qemu: { ...profile.qemu, accel: 'tcg' },
      bootTimeoutMs: 90_000, readyTimeoutMs: 10_000, testTimeoutMs: 10_000,
    }, workspace, [0]);
    const out = path.join(dir, 'out');
    const journal = await Journal.open(out);
    const events: MinimizeEvent[] = [];
    const evaluator = new Evaluator({
      normalizer: { olddefconfig: async (c) => c }, executor, journal, runKey: 'k', logRoot: path.join(out, 'logs'), emit: (e) => events.push(e),
    });
    const killer = killQemuBooting(initramfs);
    const error = await evaluator.evaluate(candidate, profile.boot.cmdline, '-A').catch((e: unknown) => e).finally(killer.stop);
    expect(error).toMatchObject({ code: 'TINYX_QEMU_FAILED', message: expect.stringContaining('QEMU was killed by SIGKILL while the guest ran') });
    expect(killer.killed).toHaveLength(2);
    expect(events.filter((e) => e.type === 'warning' && e.message.includes('trying once more'))).toHaveLength(1);
    expect(journal.get(evaluator.keyOf(candidate, profile.boot.cmdline))).toBeUndefined();
    expect(await readFile(path.join(out, 'journal.jsonl'), 'utf8').catch(() => '')).toBe('');
  });
});
