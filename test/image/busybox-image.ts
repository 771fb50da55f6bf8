// Builds, offline with umoci, a small image of the host's static BusyBox: a web root, a file only the image has, a user, a directory anyone may write.
import { chmod, chown, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { addTreeLayer, configure, newLayout } from '../../scripts/images/layout.mjs';

/** The page only this image has: no host has /srv/www/only-in-image.html. */
export const IMAGE_ONLY_PAGE = '/srv/www/only-in-image.html';

/**
 * An OCI layout at `dir`/layout, tag "busybox": /bin/busybox (static) with /bin/sh and
 * /bin/httpd linked to it, IMAGE_ONLY_PAGE, /etc/data.txt, a 0600 /etc/secret, /etc/passwd with user app (1000),
 * a 1777 /srv/spool, a 0700 /srv/app-data of app's own, no /proc, /dev, /sys or /tmp. Its config: Entrypoint
 * [/bin/httpd -f -h /srv/www], User app, WorkingDir /srv/work (not in the image).
 */
export async function buildBusyboxLayout(dir: string): Promise<string> {
  const layout = await newLayout(dir, 'busybox');
  await addTreeLayer(layout, 'busybox', path.join(dir, 'bundle'), async (root) => {
    for (const d of ['bin', 'etc', 'srv/www', 'srv/spool', 'srv/app-data']) await mkdir(path.join(root, d), { recursive: true });
    await copyFile('/usr/bin/busybox', path.join(root, 'bin/busybox'));
    for (const name of ['sh', 'httpd']) await symlink('busybox', path.join(root, 'bin', name));
    await writeFile(path.join(root, IMAGE_ONLY_PAGE.slice(1)), 'served from the image\n');
    await writeFile(path.join(root, 'etc/data.txt'), 'data\n');
    await writeFile(path.join(root, 'etc/secret'), 'root only\n', { mode: 0o600 });
    await writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/srv:/bin/sh\n');
    await writeFile(path.join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\n');
    await chmod(path.join(root, 'srv/spool'), 0o1777);
    await chmod(path.join(root, 'srv/app-data'), 0o700);
    await chown(path.join(root, 'srv/app-data'), 1000, 1000);
  });
  await configure(layout, 'busybox', { entrypoint: ['/bin/httpd', '-f', '-h', '/srv/www'], user: ['app'], workingdir: ['/srv/work'] });
  return layout;
}
