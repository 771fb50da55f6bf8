// init.conf for tinyx's init: the fields in their order, the environment as the rc gives it, bytes kept exactly.
import { describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { GUEST_PATH_ENV } from '../../src/packager/init.js';
import { appEnvironment, encodeInitConf, INIT_CONF_MAGIC } from '../../src/packager/init-conf.js';
import { GUEST_NET } from '../../src/packager/markers.js';

const fields = (bytes: Buffer) => {
  expect(bytes.at(-1)).toBe(0);
  return bytes.subarray(0, -1).toString('utf8').split('\0');
};
const user = { name: 'www-data', uid: 33, gid: 33, home: '/var/www', groups: [33, 44] };

describe('encodeInitConf', () => {
  it('writes every field in the order tinyx-init.c reads them, each ended by NUL', () => {
    const conf = encodeInitConf({ appGuestPath: '/app/server', appArgs: ['80', "it's", ''], network: { guestPort: 80 }, env: { GREETING: 'hi' }, cwd: '/srv', user: 'www-data' }, user);
    expect(fields(conf)).toEqual([
      INIT_CONF_MAGIC, 'port=80',
      `iface=${GUEST_NET.iface}`, `address=${GUEST_NET.address}`, `netmask=${GUEST_NET.netmask}`, `gateway=${GUEST_NET.gateway}`,
      'cwd=/srv', 'uid=33', 'gid=33', 'groups=33,44',
      `env=PATH=${GUEST_PATH_ENV}`, 'env=HOME=/var/www', 'env=GREETING=hi', 'env=LOGNAME=www-data', 'env=USER=www-data',
      'arg=/app/server', 'arg=80', "arg=it's", 'arg=', 'end',
    ]);
  });

  it('has no network fields for port 0, no user fields without a user, and cwd / by default', () => {
    expect(fields(encodeInitConf({ appGuestPath: '/usr/bin/false', appArgs: [] }))).toEqual([
      INIT_CONF_MAGIC, 'port=0', 'cwd=/', `env=PATH=${GUEST_PATH_ENV}`, 'env=HOME=/', 'arg=/usr/bin/false', 'end',
    ]);
  });

  it('keeps newlines, quotes, = and non-ASCII in values byte for byte (UTF-8)', () => {
    const value = 'a\nb "c" $d=e \u00e9\t';
    const conf = encodeInitConf({ appGuestPath: '/app/x', appArgs: [value], env: { V: value } });
    expect(fields(conf)).toContain(`env=V=${value}`);
    expect(fields(conf)).toContain(`arg=${value}`);
    expect(conf.includes(Buffer.from(`arg=${value}\0`, 'utf8'))).toBe(true);
  });

  it('refuses a NUL byte in a value, a bad variable name, a bad port, a relative cwd', () => {
    const error = (() => { try { encodeInitConf({ appGuestPath: '/app/x', appArgs: ['a\0b'] }); } catch (e) { return e; } })();
    expect(isTinyxError(error, 'TINYX_USAGE')).toBe(true);
    expect(() => encodeInitConf({ appGuestPath: '/app/x', appArgs: [], env: { 'A-B': '1' } })).toThrow(/environment variable/);
    expect(() => encodeInitConf({ appGuestPath: '/app/x', appArgs: [], network: { guestPort: 65536 } })).toThrow(/port/);
    expect(() => encodeInitConf({ appGuestPath: '/app/x', appArgs: [], cwd: 'srv' })).toThrow(/absolute/);
    expect(() => encodeInitConf({ appGuestPath: '/app/x', appArgs: [], user: 'www-data' })).toThrow(/passwd entry/);
  });
});

describe('appEnvironment', () => {
  it('is the rc\'s: PATH and HOME=/, then the user\'s identity and --env sorted, --env winning', () => {
    expect(appEnvironment({ appGuestPath: '/x', appArgs: [], env: { USER: 'me', B: '2', A: '1', PATH: '/opt/bin' } }, user)).toEqual([
      ['PATH', '/opt/bin'], ['HOME', '/var/www'], ['A', '1'], ['B', '2'], ['LOGNAME', 'www-data'], ['USER', 'me'],
    ]);
    expect(appEnvironment({ appGuestPath: '/x', appArgs: [] })).toEqual([['PATH', GUEST_PATH_ENV], ['HOME', '/']]);
  });
});
