// tinyx's own init: it compiles with musl-gcc to a small static ELF, prints the markers the tester waits for,
// and its parser (run on the host with --check) reads what init-conf.ts writes and refuses anything else.
import { execa } from 'execa';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElf } from '../../src/deps/elf.js';
import { isTinyxError } from '../../src/errors.js';
import { isStaticElf } from '../../src/packager/busybox.js';
import { GUEST_PATH_ENV } from '../../src/packager/init.js';
import { encodeInitConf, INIT_CONF_MAGIC } from '../../src/packager/init-conf.js';
import { GUEST_NET, MARKER_APP_EXITED, MARKER_APP_STARTED, MARKER_INIT_FAILED, MARKER_INIT_STARTED } from '../../src/packager/markers.js';
import { findTinyxInit, TINYX_INIT_CFLAGS, TINYX_INIT_SOURCE } from '../../src/packager/tinyx-init.js';
import { REPO, tempDir } from '../deps/helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let init: string;
beforeAll(async () => {
  tmp = await tempDir('tinyx-init-c-');
  init = path.join(tmp.dir, 'tinyx-init');
  await execa('musl-gcc', [...TINYX_INIT_CFLAGS, '-o', init, path.join(REPO, TINYX_INIT_SOURCE)]);
});
afterAll(async () => tmp.cleanup());

/** What the compiled init's parser makes of `bytes`, with `env` as the kernel's environment. */
async function check(bytes: Buffer | string, env: Record<string, string> = { HOME: '/', TERM: 'linux' }) {
  const file = path.join(tmp.dir, `conf-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, bytes);
  const r = await execa(init, ['--check', file], { env, extendEnv: false, reject: false });
  return { code: r.exitCode, lines: String(r.stdout).split('\n') };
}
const raw = (...fields: string[]) => Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');

describe('tinyx-init.c', () => {
  it('compiles with musl-gcc -static -Os -s -Wall -Wextra -Werror to a small static ELF executable', async () => {
    const bytes = await readFile(init);
    const elf = parseElf(bytes);
    expect(elf.interp).toBeUndefined();
    expect(await isStaticElf(init)).toBe(true);
    expect(bytes.readUInt16LE(16)).toBe(2); // ET_EXEC
    expect((await stat(init)).size).toBeLessThan(100 * 1024);
    expect((await execa('file', [init])).stdout).toMatch(/statically linked/);
  });

  it('prints the console markers of markers.ts and the rc\'s messages', async () => {
    const source = await readFile(path.join(REPO, TINYX_INIT_SOURCE), 'utf8');
    for (const marker of [MARKER_INIT_STARTED, MARKER_APP_STARTED, MARKER_APP_EXITED, MARKER_INIT_FAILED]) expect(source).toContain(`"${marker}"`);
    for (const what of ['proc', 'sysfs', 'devtmpfs', 'loopback', 'default route']) expect(source).toContain(`"tinyx: no ${what}"`);
  });

  it('refuses to run outside PID 1 without --check', async () => {
    const r = await execa(init, [], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/PID 1/);
  });
});

describe('its parser (--check) on what init-conf.ts writes', () => {
  it('reads back every field; the kernel\'s environment stays unless the config sets the key', async () => {
    const spec = { appGuestPath: '/app/server', appArgs: ["it's", 'a b', '', 'x\ny', 'back\\slash'], network: { guestPort: 80 }, env: { GREETING: 'hi "there"', TERM: 'vt100' }, cwd: '/srv/who', user: 'www-data' };
    const conf = encodeInitConf(spec, { name: 'www-data', uid: 33, gid: 33, home: '/var/www', groups: [33, 44] });
    const { code, lines } = await check(conf, { HOME: '/', TERM: 'linux', BOOT_FLAG: '1' });
    expect(code).toBe(0);
    expect(lines).toEqual([
      'port 80', `iface ${GUEST_NET.iface}`, `net ${GUEST_NET.address} ${GUEST_NET.netmask} ${GUEST_NET.gateway}`, 'cwd /srv/who', 'user 33 33 33,44',
      'env BOOT_FLAG=1', `env PATH=${GUEST_PATH_ENV}`, 'env HOME=/var/www', 'env GREETING=hi "there"', 'env LOGNAME=www-data', 'env TERM=vt100', 'env USER=www-data',
      'arg /app/server', "arg it's", 'arg a b', 'arg ', 'arg x\\x0ay', 'arg back\\x5cslash',
    ]);
  });

  it('reads the volumes, each a device and the path it is mounted at, and refuses a device with a / or a relative path', async () => {
    const conf = encodeInitConf({ appGuestPath: '/usr/bin/false', appArgs: [], volumes: [{ device: 'vdb', path: '/var/lib/db' }, { device: 'vdc', path: '/srv/a b' }] });
    const { code, lines } = await check(conf);
    expect(code).toBe(0);
    expect(lines.filter((l) => l.startsWith('volume '))).toEqual(['volume /dev/vdb at /var/lib/db', 'volume /dev/vdc at /srv/a b']);
    for (const bad of ['volume=vd/b:/data', 'volume=vdb:data', 'volume=:/data', 'volume=vdb']) {
      const refused = await check(raw(INIT_CONF_MAGIC, 'port=0', 'cwd=/', bad, 'arg=/app', 'end'));
      expect(refused.code).toBe(1);
      expect(refused.lines[0]).toContain('expected volume=DEV:PATH');
    }
    expect(() => encodeInitConf({ appGuestPath: '/app', appArgs: [], volumes: [{ device: 'vd/b', path: '/data' }] })).toThrow(/bad volume/);
  });

  it('reads a port 0 config with no user', async () => {
    const { code, lines } = await check(encodeInitConf({ appGuestPath: '/usr/bin/false', appArgs: [] }));
    expect(code).toBe(0);
    expect(lines).toEqual(['port 0', 'cwd /', 'env TERM=linux', `env PATH=${GUEST_PATH_ENV}`, 'env HOME=/', 'arg /usr/bin/false']);
  });

  const refusals: Array<[string, Buffer, RegExp]> = [
    ['an empty file', Buffer.alloc(0), /the file is empty/],
    ['another format', raw('tinyx-init 2', 'port=0'), /field 1: expected "tinyx-init 1"/],
    ['a truncated file', Buffer.from(`${INIT_CONF_MAGIC}\0port=0\0cwd=/\0arg=/x\0end`), /not ended by a NUL byte/],
    ['a port with a leading zero', raw(INIT_CONF_MAGIC, 'port=080'), /field 2: expected port=N \(0-65535\), got "port=080"/],
    ['a port out of range', raw(INIT_CONF_MAGIC, 'port=65536'), /field 2: expected port=N/],
    ['a port without its network', raw(INIT_CONF_MAGIC, 'port=80', 'cwd=/'), /field 3: expected iface=NAME, got "cwd=\/"/],
    ['a bad address', raw(INIT_CONF_MAGIC, 'port=80', 'iface=eth0', 'address=10.0.2.300'), /field 4: expected address=A\.B\.C\.D/],
    ['a relative cwd', raw(INIT_CONF_MAGIC, 'port=0', 'cwd=srv'), /field 3: expected cwd=PATH \(absolute\)/],
    ['a uid without gid', raw(INIT_CONF_MAGIC, 'port=0', 'cwd=/', 'uid=1', 'groups=1', 'arg=/x', 'end'), /field 5: expected gid=N/],
    ['a bad groups list', raw(INIT_CONF_MAGIC, 'port=0', 'cwd=/', 'uid=1', 'gid=1', 'groups=1,,2', 'arg=/x', 'end'), /field 6: expected groups=/],
    ['a bad variable name', raw(INIT_CONF_MAGIC, 'port=0', 'cwd=/', 'env=1A=b', 'arg=/x', 'end'), /field 4: expected env=KEY=VALUE/],
    ['no program', raw(INIT_CONF_MAGIC, 'port=0', 'cwd=/', 'end'), /field 4: expected arg=PROGRAM \(at least one argument\), got "end"/],
    ['a relative program', raw(INIT_CONF_MAGIC, 'port=0', 'cwd=/', 'arg=x', 'arg=/y', 'end'), /field 4: expected arg=PROGRAM \(an absolute path first\), got "arg=x"/],
    ['an unknown field', raw(INIT_CONF_MAGIC, 'port=0', 'cwd=/', 'arg=/x', 'user=nobody', 'end'), /field 5: expected arg=VALUE or end, got "user=nobody"/],
    ['no end', raw(INIT_CONF_MAGIC, 'port=0', 'cwd=/', 'arg=/x'), /field 5: expected arg=VALUE or end, got the end of the file/],
    ['something after end', raw(INIT_CONF_MAGIC, 'port=0', 'cwd=/', 'arg=/x', 'end', 'junk\n'), /field 6: expected nothing after end, got "junk\\x0a"/],
  ];
  for (const [what, bytes, message] of refusals) {
    it(`refuses ${what}, saying which field is wrong`, async () => {
      const { code, lines } = await check(bytes);
      expect(code).toBe(1);
      expect(lines[0]).toMatch(/^refused: /);
      expect(lines[0]).toMatch(message);
    });
  }
});

describe('findTinyxInit', () => {
  it('takes an explicit static ELF, and says how to get one when it is missing or dynamic', async () => {
    expect(await findTinyxInit(init)).toBe(init);
    const missing = await findTinyxInit(path.join(tmp.dir, 'none')).catch((e: unknown) => e);
    expect(isTinyxError(missing, 'TINYX_INIT_NOT_FOUND')).toBe(true);
    expect((missing as Error & { advice?: string }).advice).toMatch(/musl-tools/);
    const dynamic = path.join(tmp.dir, 'dynamic');
    await writeFile(dynamic, await readFile('/usr/bin/true'));
    await chmod(dynamic, 0o755);
    expect(isTinyxError(await findTinyxInit(dynamic).catch((e: unknown) => e), 'TINYX_INIT_NOT_FOUND')).toBe(true);
  });
});
