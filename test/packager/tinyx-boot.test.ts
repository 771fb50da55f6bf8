// Real boots (QEMU, TCG, the default profile's start kernel) of initramfs packed with tinyx's own init and
// no BusyBox: the example server passes its probe, an ELF app gets its user, groups, environment, cwd and
// arguments (its probe reads them back), and an app that cannot be executed is reported as the rc does.
import { execa } from 'execa';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { GUEST_PATH_ENV } from '../../src/packager/init.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { MARKER_APP_EXITED, MARKER_INIT_FAILED, MARKER_INIT_STARTED, type GuestNetwork } from '../../src/packager/markers.js';
import { loadProfile } from '../../src/profile/load.js';
import { bootAndTest, type BootRequest } from '../../src/tester/boot.js';
import { startGuest } from '../../src/tester/guest.js';
import { vmSpec } from '../../src/vm/spec.js';
import type { Profile } from '../../src/profile/types.js';
import { quote } from '../../src/util/shell.js';
import { REPO, buildExampleServer, tempDir } from '../deps/helpers.js';
import { startKernel } from '../helpers/start-kernel.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let bzImage: string;
let profile: Profile;
beforeAll(async () => {
  tmp = await tempDir('tinyx-tinyx-boot-');
  // The start kernel the global setup made sure of (built once per machine, stored by config hash).
  bzImage = process.env.TINYX_TEST_BZIMAGE ?? (await startKernel()).bzImage;
  profile = await loadProfile();
}, 60 * 60_000);
afterAll(async () => tmp.cleanup());

/** What the kernel prints as tinyx's init ends the VM (a reboot: QEMU's -no-reboot then exits). */
const ENDED = /reboot: Restarting system/;

async function listing(file: string): Promise<string[]> {
  const { stdout } = await execa('sh', ['-c', `zcat '${file}' | cpio -tv --quiet`]);
  return stdout.split('\n');
}

function request(name: string, initramfs: string, network: GuestNetwork | undefined, tests: string): BootRequest {
  return {
    bzImage, initramfs, cmdline: profile.boot.cmdline, qemu: profile.qemu, network, tests, accel: 'tcg',
    logDir: path.join(tmp.dir, name), bootTimeoutMs: 120_000, readyTimeoutMs: 60_000, testTimeoutMs: 60_000,
  };
}

describe('tinyx\'s init boots under QEMU', () => {
  it('serves hello-http to its probe, with no BusyBox, applets, inittab or rc in the image', async () => {
    const manifest = await resolveApp(await buildExampleServer());
    const init = { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } };
    const tinyx = await buildInitramfs({ manifest, init: { ...init, kind: 'tinyx' }, outFile: path.join(tmp.dir, 'server-tinyx.cpio.gz') });
    const busybox = await buildInitramfs({ manifest, init, outFile: path.join(tmp.dir, 'server-busybox.cpio.gz') });
    process.stderr.write(`[tinyx-boot] hello-http initramfs: tinyx init ${tinyx.uncompressedBytes} B raw / ${tinyx.bytes} B gzip, ${tinyx.entries} entries; BusyBox ${busybox.uncompressedBytes} B raw / ${busybox.bytes} B gzip, ${busybox.entries} entries\n`);
    const files = await listing(tinyx.file);
    expect(files.filter((l) => /busybox|inittab|etc\/tinyx\/rc|bin\/sh\b/.test(l))).toEqual([]);
    expect(files.find((l) => / init$/.test(l))).toMatch(/^-rwxr-xr-x/);
    expect(files.some((l) => / etc\/tinyx\/init\.conf$/.test(l))).toBe(true);
    expect(tinyx.bytes).toBeLessThan(busybox.bytes - 500_000);

    const outcome = await bootAndTest(request('server', tinyx.file, { guestPort: 80 }, path.join(REPO, 'examples/hello-http/probe.sh')));
    const text = await readFile(outcome.consoleLog, 'utf8');
    expect(outcome.status, `${outcome.reason}\n--- console ---\n${text}`).toBe('pass');
    // The init's markers carry the guest's clock (seconds since the kernel's timekeeping started), which the timing reads.
    expect(text).toMatch(new RegExp(`^${MARKER_INIT_STARTED} \\d+\\.\\d{6}\\r?$`, 'm'));
    expect(outcome.timing?.guestInitMs).toBeGreaterThan(0);
    expect(outcome.timing?.guestInitMs).toBeLessThan(outcome.timing!.initMs!);
    expect(outcome.timing?.guestAppMs).toBeGreaterThanOrEqual(outcome.timing!.guestInitMs!);
    expect(text).not.toMatch(/tinyx: no |TINYX-INIT-FAILED/);
    process.stderr.write(`[tinyx-boot] hello-http under TCG: ${JSON.stringify(outcome.timing)}\n`);
  });

  it('starts an ELF app as its user, with its groups, environment, cwd (created and given to the user) and arguments; /dev/shm and /dev/pts mounted', async () => {
    const work = path.join(tmp.dir, 'whoami');
    await mkdir(work, { recursive: true });
    const app = path.join(work, 'whoami');
    await execa('gcc', ['-Wall', '-Wextra', '-Werror', '-o', app, path.join(REPO, 'test/fixtures/packager/whoami.c')]);
    const manifest = await resolveApp(app);
    const accounts = {
      passwd: 'root:x:0:0:root:/root:/bin/sh\nsvc:x:4321:4321:service:/srv:/usr/sbin/nologin\n',
      group: 'root:x:0:\nsvc:x:4321:\nextra:x:4400:bob,svc\nnotmine:x:4500:bob\n',
    };
    const init = {
      appGuestPath: manifest.app.guestPath, appArgs: ["it's", 'a b', '$HOME', ''], kind: 'tinyx' as const,
      user: 'svc', cwd: '/srv/who', env: { GREETING: 'hi "there" $x' },
    };
    const { file } = await buildInitramfs({ manifest, init, accounts, outFile: path.join(tmp.dir, 'whoami.cpio.gz') });
    const expected = `WHOAMI uid=4321 euid=4321 gid=4321 egid=4321 groups=4321,4400 cwd=/srv/who owner=4321:4321 home=/srv user=svc logname=svc path=${GUEST_PATH_ENV} greeting=hi "there" $x args=[it's][a b][$HOME][] shm=tmpfs pts=devpts end`;
    // Port 0: the tests run once the app has started and read the console, as the test contract says.
    const probe = path.join(work, 'probe.sh');
    await writeFile(probe, `#!/bin/sh
expected=${quote(expected)}
for i in $(seq 1 100); do grep -q '^${MARKER_APP_EXITED} ' "$TINYX_CONSOLE" && break; sleep 0.2; done
lines=$(tr -d '\\r' < "$TINYX_CONSOLE")
printf '%s\\n' "$lines" | grep -qxF "$expected" || { echo "probe: the console lacks: $expected" >&2; exit 1; }
printf '%s\\n' "$lines" | grep -qx '${MARKER_APP_EXITED} 3' || { echo "probe: no exit status 3" >&2; exit 1; }
`);
    await chmod(probe, 0o755);
    const outcome = await bootAndTest(request('whoami', file, undefined, probe));
    const text = (await readFile(outcome.consoleLog, 'utf8')).replace(/\r/g, '');
    expect(outcome.status, `${outcome.reason}\n--- console ---\n${text}`).toBe('pass');
    expect(text).toContain(`${expected}\n`);
    expect(text).not.toMatch(/tinyx: no |TINYX-INIT-FAILED/);
  });

  it('says the app could not be executed (status 127) when its loader is missing, then ends the VM: QEMU exits', async () => {
    const manifest = await resolveApp(await buildExampleServer());
    const broken = { ...manifest, entries: manifest.entries.filter((e) => !e.guestPath.endsWith('/ld-linux-x86-64.so.2')) };
    const { file } = await buildInitramfs({ manifest: broken, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 }, kind: 'tinyx' }, outFile: path.join(tmp.dir, 'broken.cpio.gz') });
    const vm = vmSpec({ ...profile.qemu, extraArgs: [] }, { kernel: bzImage, initramfs: file, cmdline: profile.boot.cmdline, network: { guestPort: 80 }, hostPort: 20000 + Math.floor(Math.random() * 20000) });
    const guest = await startGuest({ vm, consoleLog: path.join(tmp.dir, 'broken.console'), accel: 'tcg' });
    try {
      expect(await guest.waitFor([ENDED], 60_000), guest.console()).toBeDefined();
      // -no-reboot: QEMU itself exits, as run.sh's does when the app ends.
      expect(await Promise.race([guest.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('still running'), 10_000))])).toBe('exited');
      const text = guest.console().replace(/\r/g, '');
      expect(text).toContain(`${MARKER_INIT_FAILED} cannot execute ${manifest.app.guestPath}: No such file or directory\n`);
      expect(text).toMatch(new RegExp(`^${MARKER_APP_EXITED} 127$`, 'm'));
      expect(text).toMatch(new RegExp(`^${MARKER_INIT_FAILED} the app could not be executed \\(status 127\\)$`, 'm'));
      expect(text.indexOf(`${MARKER_APP_EXITED} 127`)).toBeLessThan(text.search(ENDED));
    } finally {
      await guest.stop();
    }
  });
});
