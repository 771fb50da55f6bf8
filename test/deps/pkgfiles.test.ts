// Files by Debian package: --include-package, and the plugins and state directories of the app's own package.
import { describe, expect, it } from 'vitest';
import { isTinyxError } from '../../src/errors.js';
import { resolveApp } from '../../src/deps/index.js';
import { owningPackage, runtimePaths } from '../../src/deps/pkgfiles.js';

describe('runtimePaths', () => {
  it('drops documentation, man pages and host administration files', () => {
    expect(runtimePaths(['/.', '/usr/sbin/x', '/usr/share/doc/x/copyright', '/usr/share/man/man8/x.8.gz', '/etc/init.d/x', '/etc/cron.daily/x', '/etc/x/x.conf']))
      .toEqual(['/usr/sbin/x', '/etc/x/x.conf']);
  });
});

describe('the app\'s own package (Debian lighttpd)', () => {
  it('brings the plugins lighttpd dlopens and the directory it logs into', async () => {
    expect(await owningPackage('/usr/sbin/lighttpd')).toBe('lighttpd');
    const manifest = await resolveApp('/usr/sbin/lighttpd');
    const at = (p: string) => manifest.entries.find((e) => e.guestPath === p);
    expect(at('/usr/lib/lighttpd/mod_accesslog.so')?.reason).toMatch(/plugin it may dlopen/);
    expect(at('/var/log/lighttpd')).toMatchObject({ kind: 'dir', uid: 33, gid: 33 }); // lighttpd opens its logs as www-data
    // a plugin's own libraries come along (mod_authn_file needs libcrypt)
    expect(manifest.entries.some((e) => e.guestPath.includes('libcrypt.so.1'))).toBe(true);
    const without = await resolveApp('/usr/sbin/lighttpd', { noPackageExtras: true });
    expect(without.entries.some((e) => e.guestPath.startsWith('/usr/lib/lighttpd/'))).toBe(false);
  });
});

describe('--include-package', () => {
  it('takes a package\'s files whole (ca-certificates)', async () => {
    const manifest = await resolveApp('/bin/busybox', { includePackages: ['ca-certificates'] });
    const certs = manifest.entries.filter((e) => e.kind === 'file' && e.guestPath.startsWith('/usr/share/ca-certificates/'));
    expect(certs.length).toBeGreaterThan(50);
    expect(certs[0]?.reason).toBe('--include-package ca-certificates');
    expect(manifest.entries.some((e) => e.guestPath.startsWith('/usr/share/doc/'))).toBe(false);
  });

  it('names a package that is not installed', async () => {
    const error = await resolveApp('/bin/busybox', { includePackages: ['no-such-package-here'] }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_PACKAGE_NOT_FOUND')).toBe(true);
    expect(String(error)).toMatch(/no-such-package-here is not installed/);
  });
});
