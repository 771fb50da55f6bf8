// bootAndTest() on the real start kernel: an app that exits at once is a verdict at once.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { loadProfile } from '../../src/profile/load.js';
import { bootAndTest } from '../../src/tester/boot.js';
import { REPO, tempDir } from '../deps/helpers.js';
import { startKernel } from '../helpers/start-kernel.js';

describe('a boot whose app exits before its port answers', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('tinyx-boot-');
  });
  afterAll(() => tmp.cleanup());

  it('fails on the init\'s exit marker, long before the ready timeout', async () => {
    const kernel = await startKernel();
    const profile = await loadProfile();
    const manifest = await resolveApp('/usr/bin/false');
    const initramfs = await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'false.cpio.gz') });
    const started = Date.now();
    const outcome = await bootAndTest({
      bzImage: kernel.bzImage, initramfs: initramfs.file, cmdline: profile.boot.cmdline, qemu: profile.qemu, network: { guestPort: 80 },
      tests: path.join(REPO, 'examples/hello-http/probe.sh'), logDir: path.join(tmp.dir, 'false'),
      bootTimeoutMs: 120_000, readyTimeoutMs: 90_000, testTimeoutMs: 60_000,
    });
    expect(outcome.status).toBe('fail');
    expect(outcome.reason).toBe('the app exited before its port answered (TINYX-APP-EXITED 1)');
    expect(outcome.testMs).toBe(0);
    // Under TCG the guest boots and false exits within seconds; the ready timeout is 90 s.
    expect(Date.now() - started).toBeLessThan(45_000);
  });
});
