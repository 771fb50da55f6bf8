// Boots the initramfs under QEMU with the default profile's start kernel (built once per machine):
// the example server must answer its probe through the port forward, and an exiting app is reported.
import { execa, type ResultPromise } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { MARKER_APP_EXITED, MARKER_APP_STARTED, MARKER_INIT_FAILED } from '../../src/packager/markers.js';
import { startKernel } from '../helpers/start-kernel.js';
import { REPO, buildExampleServer, tempDir } from '../deps/helpers.js';

let BZIMAGE: string;
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-boot-');
  BZIMAGE = (await startKernel()).bzImage;
}, 60 * 60_000);
afterAll(async () => tmp.cleanup());

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function boot(initrd: string, port: number, consoleLog: string): ResultPromise {
  return execa('qemu-system-x86_64', [
    '-M', 'pc', '-no-reboot', '-display', 'none', '-nodefaults', '-no-user-config', '-serial', 'stdio', '-m', '256M',
    '-kernel', BZIMAGE, '-initrd', initrd, '-append', 'console=ttyS0 panic=-1',
    '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${port}-:80`, '-device', 'virtio-net-pci,netdev=n0',
  ], { stdout: { file: consoleLog }, reject: false, timeout: 60_000 });
}

async function waitForConsole(file: string, pattern: RegExp, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = existsSync(file) ? await readFile(file, 'utf8') : '';
    if (pattern.test(text) || Date.now() > deadline) return text;
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

describe('initramfs boots under QEMU', () => {
  it('says early when the app cannot be executed at all', async () => {
    const manifest = await resolveApp(await buildExampleServer());
    // drop the ELF interpreter: the kernel cannot exec the app
    const broken = { ...manifest, entries: manifest.entries.filter((e) => !e.guestPath.endsWith('/ld-linux-x86-64.so.2')) };
    const { file } = await buildInitramfs({ manifest: broken, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'broken.cpio.gz') });
    const consoleLog = path.join(tmp.dir, 'broken.console');
    const qemu = boot(file, await freePort(), consoleLog);
    try {
      const text = await waitForConsole(consoleLog, new RegExp(MARKER_INIT_FAILED), 40_000);
      expect(text).toMatch(new RegExp(`^${MARKER_APP_EXITED} 127`, 'm'));
      expect(text).toMatch(new RegExp(`^${MARKER_INIT_FAILED} the app could not be executed`, 'm'));
    } finally {
      qemu.kill();
      await qemu;
    }
  });

  it('serves the example app to its probe through the port forward', async () => {
    const manifest = await resolveApp(await buildExampleServer());
    const { file } = await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'server.cpio.gz') });
    const port = await freePort();
    const consoleLog = path.join(tmp.dir, 'server.console');
    const qemu = boot(file, port, consoleLog);
    try {
      // as the tester does: wait for the app to start, then run its probe
      await waitForConsole(consoleLog, new RegExp(MARKER_APP_STARTED), 60_000);
      const probe = await execa(path.join(REPO, 'examples/hello-http/probe.sh'), {
        env: { TINYX_HOST: '127.0.0.1', TINYX_PORT: String(port), TINYX_CONSOLE: consoleLog }, reject: false, timeout: 30_000,
      });
      const text = await readFile(consoleLog, 'utf8');
      expect(probe.exitCode, `${probe.stderr}\n--- console ---\n${text}`).toBe(0);
      expect(text).toContain(MARKER_APP_STARTED);
      expect(text).not.toMatch(/tinyx: no (proc|sysfs|eth0|loopback)/);
    } finally {
      qemu.kill();
      await qemu;
    }
  });

  it('passes args, env and cwd to the app exactly', async () => {
    const script = path.join(tmp.dir, 'show.sh');
    await writeFile(script, '#!/bin/sh\nprintf "SHOW pwd=%s greeting=%s args=" "$(pwd)" "$GREETING"\nprintf "[%s]" "$@"\necho\nexit 3\n');
    await chmod(script, 0o755);
    const manifest = await resolveApp(script);
    const init = { appGuestPath: manifest.app.guestPath, appArgs: ["it's", 'a b', '$HOME'], network: { guestPort: 80 }, env: { GREETING: 'hi "there"' }, cwd: '/tmp' };
    const { file } = await buildInitramfs({ manifest, init, outFile: path.join(tmp.dir, 'show.cpio.gz') });
    const consoleLog = path.join(tmp.dir, 'show.console');
    const qemu = boot(file, await freePort(), consoleLog);
    try {
      const text = await waitForConsole(consoleLog, new RegExp(`${MARKER_APP_EXITED} \\d+`), 40_000);
      expect(text).toContain(`SHOW pwd=/tmp greeting=hi "there" args=[it's][a b][$HOME]`);
      expect(text).toContain(`${MARKER_APP_EXITED} 3`);
    } finally {
      qemu.kill();
      await qemu;
    }
  });

  it('reports the exit status of an app that stops, then ends the VM: QEMU exits on its own', async () => {
    const manifest = await resolveApp('/usr/bin/false');
    const { file } = await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'false.cpio.gz') });
    const consoleLog = path.join(tmp.dir, 'false.console');
    const qemu = boot(file, await freePort(), consoleLog);
    try {
      const text = await waitForConsole(consoleLog, new RegExp(`${MARKER_APP_EXITED} \\d+`), 40_000);
      expect(text).toContain(`${MARKER_APP_EXITED} 1`);
      expect(text).not.toContain(MARKER_INIT_FAILED);
      // The rc's `reboot -f` under -no-reboot: QEMU exits well before boot()'s 60 s timeout would kill it.
      const ended = await qemu;
      expect(ended.timedOut, await readFile(consoleLog, 'utf8')).toBe(false);
      expect(ended.exitCode).toBe(0);
      expect(await readFile(consoleLog, 'utf8')).toMatch(/reboot: Restarting system/);
    } finally {
      qemu.kill();
      await qemu;
    }
  });
});
