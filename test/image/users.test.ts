// An image's User resolved against its own /etc/passwd and /etc/group, as runc does it.
import { describe, expect, it } from 'vitest';
import { resolveUser } from '../../src/image/users.js';

const passwd = 'root:x:0:0:root:/root:/bin/sh\n# a comment\napp:x:1000:1000::/home/app:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n';
const group = 'root:x:0:\napp:x:1000:\nweb:x:2000:app\n';

describe('resolveUser', () => {
  it('runs as root when the image names no user', () => {
    expect(resolveUser('', passwd, group)).toEqual({ uid: 0, gid: 0, name: 'root', home: '/root' });
    expect(resolveUser('', undefined, undefined)).toEqual({ uid: 0, gid: 0, home: '/' });
  });

  it('takes a name, or a uid found in passwd, with its primary group and home', () => {
    expect(resolveUser('app', passwd, group)).toEqual({ uid: 1000, gid: 1000, name: 'app', home: '/home/app' });
    expect(resolveUser('33', passwd, group)).toEqual({ uid: 33, gid: 33, name: 'www-data', home: '/var/www' });
  });

  it('takes a uid that passwd lacks, with group 0 and home /', () => {
    expect(resolveUser('4242', passwd, group)).toEqual({ uid: 4242, gid: 0, home: '/' });
    expect(resolveUser('4242:4343', undefined, undefined)).toEqual({ uid: 4242, gid: 4343, home: '/' });
  });

  it('takes a group after the colon, by name or gid, over the primary group', () => {
    expect(resolveUser('app:web', passwd, group)).toMatchObject({ uid: 1000, gid: 2000 });
    expect(resolveUser('app:33', passwd, group)).toMatchObject({ uid: 1000, gid: 33 });
  });

  it('refuses a user or group name the image does not have, saying which file lacks it', () => {
    expect(() => resolveUser('nginx', passwd, group)).toThrow(expect.objectContaining({ code: 'TINYX_USER_NOT_FOUND', message: expect.stringContaining("the image's /etc/passwd has no user nginx") }));
    expect(() => resolveUser('app:staff', passwd, group)).toThrow(expect.objectContaining({ code: 'TINYX_USER_NOT_FOUND', message: expect.stringContaining('no group staff') }));
    expect(() => resolveUser('app', undefined, undefined)).toThrow(expect.objectContaining({ code: 'TINYX_USER_NOT_FOUND', message: expect.stringContaining('the image has no /etc/passwd') }));
  });
});
