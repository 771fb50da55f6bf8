// The guest's accounts: root, the host's system accounts, and the app's user.
import { describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { findUser, groupsOf, hostAccounts, pickAccounts } from '../../src/packager/accounts.js';
import { planRootfs } from '../../src/packager/rootfs.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
  'alice:$6$secret:1000:1000:Alice:/home/alice:/bin/bash',
  'bob:x:1001:1001::/home/bob:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
].join('\n');
const GROUP = 'root:x:0:\nwww-data:x:33:\nalice:x:1000:\nbob:x:1001:\nnogroup:x:65534:\n';

describe('pickAccounts', () => {
  it('keeps system accounts, never regular ones unless named', () => {
    const { passwd, group } = pickAccounts(PASSWD, GROUP);
    expect(passwd).toBe('root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
    expect(group).toBe('root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n');
  });

  it('adds a named user with its group, and never copies a password', () => {
    const accounts = pickAccounts(PASSWD, GROUP, ['alice']);
    expect(accounts.passwd).toContain('alice:x:1000:1000:Alice:/home/alice:/bin/bash\n');
    expect(accounts.passwd).not.toContain('$6$');
    expect(accounts.passwd).not.toContain('bob');
    expect(accounts.group).toContain('alice:x:1000:\n');
    expect(findUser(accounts, 'alice')).toEqual({ name: 'alice', uid: 1000, gid: 1000, home: '/home/alice' });
  });

  it('keeps no host member lists: a group lists only the guest\'s own user', () => {
    const group = `${GROUP}sudo:x:27:alice,bob\nssl-cert:x:103:postgres,www-data\ndocker:x:998:alice\n`;
    expect(pickAccounts(PASSWD, group).group).toBe('root:x:0:\nsudo:x:27:\nwww-data:x:33:\nssl-cert:x:103:\ndocker:x:998:\nnogroup:x:65534:\n');
    const accounts = pickAccounts(PASSWD, group, ['www-data']);
    expect(accounts.group).toContain('ssl-cert:x:103:www-data\n');
    expect(accounts.group).toContain('sudo:x:27:\n');
    expect(groupsOf(accounts, findUser(accounts, 'www-data'))).toEqual([33, 103]);
  });

  it('names a user the host does not have', () => {
    let error: unknown;
    try {
      pickAccounts(PASSWD, GROUP, ['mallory']);
    } catch (e) {
      error = e;
    }
    expect(isTinyxError(error, 'TINYX_USER_NOT_FOUND')).toBe(true);
    expect(String(error)).toMatch(/mallory/);
  });

  it('reads this host\'s databases (www-data is a Debian system account)', async () => {
    const accounts = await hostAccounts();
    expect(findUser(accounts, 'www-data').uid).toBe(33);
  });
});

describe('groupsOf', () => {
  it('gives the primary group first, then the groups that list the user, as initgroups does', () => {
    const accounts = { passwd: 'svc:x:4321:4321::/srv:/bin/false\n', group: 'svc:x:4321:\nzeta:x:4500:bob,svc\nalpha:x:4400:svc\nother:x:4600:svcx,bob\nagain:x:4321:svc\n' };
    expect(groupsOf(accounts, findUser(accounts, 'svc'))).toEqual([4321, 4400, 4500]);
    expect(groupsOf(pickAccounts(PASSWD, GROUP), findUser(pickAccounts(PASSWD, GROUP), 'www-data'))).toEqual([33]);
  });
});

describe('planRootfs with a user', () => {
  it('writes the accounts and starts the app through su', () => {
    const accounts = pickAccounts(PASSWD, GROUP);
    const nodes = planRootfs({
      manifest: { app: { hostPath: '/x', guestPath: '/app/x' }, entries: [] },
      init: { appGuestPath: '/app/x', appArgs: [], network: { guestPort: 80 }, user: 'www-data', cwd: '/srv/x', env: { A: '1' } },
      busyboxHostPath: '/bin/busybox', accounts,
    });
    const at = (p: string) => nodes.find((n) => n.path === p);
    expect(at('/etc/passwd')?.data).toContain('www-data:x:33:33:');
    const rc = String(at('/etc/tinyx/rc')?.data);
    expect(rc).toContain(`exec $bb su -p -s /bin/sh www-data -c 'exec "$0" "$@"' /app/x`);
    expect(rc).toContain("$bb chown 33:33 /srv/x");
    expect(rc).toContain("export HOME=/var/www");
    for (const dir of ['/var', '/var/log', '/var/tmp']) expect(at(dir)?.kind).toBe('dir');
    expect(at('/var/tmp')?.mode).toBe(0o1777);
  });
});
