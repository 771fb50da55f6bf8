// The generated inittab and rc: no shell needed for init's line, valid sh, safe quoting.
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderInittab, renderRc } from '../../src/packager/init.js';
import { GUEST_NET, MARKER_APP_EXITED, MARKER_APP_STARTED, MARKER_INIT_FAILED } from '../../src/packager/markers.js';
import { tempDir } from '../deps/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-init-');
});
afterAll(async () => tmp.cleanup());

const offline = { appGuestPath: '/app/server', appArgs: ['80', "it's", 'a b', '$HOME'], env: { GREETING: 'hi "there"', A: '1' }, cwd: '/srv' };
const spec = { ...offline, network: { guestPort: 80 } };

describe('renderInittab', () => {
  it('has one sysinit line without shell metacharacters and no getty', () => {
    const tab = renderInittab();
    const lines = tab.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual(['::sysinit:/bin/busybox sh /etc/tinyx/rc']);
    expect(tab).not.toMatch(/respawn|askfirst|getty/);
  });
});

describe('renderRc', () => {
  const rc = renderRc(spec);

  it('mounts, brings up the network from GUEST_NET, starts the app and prints the markers', () => {
    expect(rc).toContain('mount -t proc proc /proc');
    expect(rc).toContain('mount -t devtmpfs devtmpfs /dev');
    expect(rc).toContain(`ifconfig ${GUEST_NET.iface} ${GUEST_NET.address} netmask ${GUEST_NET.netmask} up`);
    expect(rc).toContain(`route add default gw ${GUEST_NET.gateway}`);
    expect(rc).toContain(`say "${MARKER_APP_STARTED}"`);
    expect(rc).toContain(`say "${MARKER_APP_EXITED} $status"`);
    expect(rc).toContain(`say "${MARKER_INIT_FAILED} the app could not be executed (status $status)"`);
    expect(rc.indexOf('export A=')).toBeLessThan(rc.indexOf('export GREETING='));
    // Once the app has exited and been reported, the VM ends (QEMU's -no-reboot then exits).
    expect(rc.trimEnd().split('\n').slice(-2)).toEqual(['$bb sync', '$bb reboot -f']);
    expect(rc.indexOf(`say "${MARKER_APP_EXITED} $status"`)).toBeLessThan(rc.indexOf('$bb reboot -f'));
  });

  for (const shell of ['/bin/busybox', 'dash']) {
    it(`is valid sh for ${shell}`, async () => {
      const file = path.join(tmp.dir, 'rc');
      await writeFile(file, rc);
      const args = shell === 'dash' ? ['-n', file] : ['sh', '-n', file];
      await execa(shell, args);
    });
  }

  it('mounts each volume (ext4, its path quoted) before the app, says the root is read-only on a disk, and is still valid sh', async () => {
    const withVolumes = renderRc({ ...spec, volumes: [{ device: 'vdb', path: "/srv/it's data" }], readOnlyRoot: true });
    expect(withVolumes).toContain(`$bb mount -t ext4 -o noatime /dev/vdb '/srv/it'\\''s data'`);
    expect(withVolumes.indexOf('mount -t ext4')).toBeLessThan(withVolumes.indexOf(`say "${MARKER_APP_STARTED}"`));
    expect(withVolumes).toContain('read-only disk');
    expect(rc).not.toContain('mount -t ext4');
    const file = path.join(tmp.dir, 'rc-volumes');
    await writeFile(file, withVolumes);
    await execa('dash', ['-n', file]);
    expect(() => renderRc({ ...spec, volumes: [{ device: 'vdb', path: 'data' }] })).toThrow(/bad volume/);
  });

  it('rejects bad environment names and ports', () => {
    expect(() => renderRc({ ...spec, env: { 'A-B': 'x' } })).toThrow(/environment variable/);
    expect(() => renderRc({ ...spec, network: { guestPort: 70000 } })).toThrow(/port/);
    expect(() => renderRc({ ...spec, network: { guestPort: -1 } })).toThrow(/port/);
  });

  it('sets up no eth0 for port 0 (no network device), and is still valid sh', async () => {
    const none = renderRc(offline);
    expect(none).not.toContain(`ifconfig ${GUEST_NET.iface}`);
    expect(none).toContain('ifconfig lo 127.0.0.1 up');
    expect(none).toContain(`say "${MARKER_APP_STARTED}"`);
    const file = path.join(tmp.dir, 'rc-port0');
    await writeFile(file, none);
    await execa('dash', ['-n', file]);
  });
});
