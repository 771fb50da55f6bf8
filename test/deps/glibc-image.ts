// Builds, offline with umoci, a small glibc image whose library is found only through the image's own ld.so.cache, behind an absolute symlink.
import { execa } from 'execa';
import { copyFile, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MULTIARCH = 'usr/lib/x86_64-linux-gnu';

/**
 * An OCI layout at `dir`/layout, tag "glibc", merged-/usr like Debian 12 (/bin, /lib -> usr/...),
 * this host's libc.so.6, its loader (/lib64/ld-linux-x86-64.so.2 an absolute symlink, as Debian has
 * it) and dash as /bin/sh, and:
 * - /usr/bin/prog, which needs libx.so.1; libx lives at /srv/libs/libx.so.1.0, reached through
 *   the absolute symlink /opt/lib/libx.so.1 -> /srv/libs/libx.so.1.0, and /opt/lib is only in the
 *   image's ld.so.conf, so only the image's ld.so.cache (ldconfig -r) finds it;
 * - /usr/bin/hello.sh, a #!/bin/sh script;
 * - /usr/bin/escape -> ../../../../usr/bin/prog, a symlink that climbs above the root.
 */
export async function buildGlibcLayout(dir: string): Promise<string> {
  const layout = path.join(dir, 'layout');
  const bundle = path.join(dir, 'bundle');
  await execa('umoci', ['init', '--layout', layout]);
  await execa('umoci', ['new', '--image', `${layout}:glibc`]);
  await execa('umoci', ['unpack', '--image', `${layout}:glibc`, bundle]);
  const root = path.join(bundle, 'rootfs');
  for (const d of [MULTIARCH, 'usr/bin', 'lib64', 'srv/libs', 'opt/lib', 'etc']) await mkdir(path.join(root, d), { recursive: true });
  for (const name of ['bin', 'lib']) await symlink(`usr/${name}`, path.join(root, name));
  for (const lib of ['libc.so.6', 'ld-linux-x86-64.so.2']) await copyFile(path.join('/', MULTIARCH, lib), path.join(root, MULTIARCH, lib));
  await symlink('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', path.join(root, 'lib64/ld-linux-x86-64.so.2'));
  await copyFile('/usr/bin/dash', path.join(root, 'usr/bin/dash'));
  await symlink('dash', path.join(root, 'usr/bin/sh'));

  const src = path.join(dir, 'src');
  await mkdir(src, { recursive: true });
  await writeFile(path.join(src, 'x.c'), 'int x(void) { return 42; }\n');
  await writeFile(path.join(src, 'prog.c'), 'int x(void);\nint main(void) { return x() == 42 ? 0 : 1; }\n');
  await execa('gcc', ['-shared', '-fPIC', '-Wl,-soname,libx.so.1', '-o', path.join(src, 'libx.so'), path.join(src, 'x.c')]);
  await execa('gcc', ['-o', path.join(root, 'usr/bin/prog'), path.join(src, 'prog.c'), `-L${src}`, '-lx']);
  await copyFile(path.join(src, 'libx.so'), path.join(root, 'srv/libs/libx.so.1.0'));
  await symlink('/srv/libs/libx.so.1.0', path.join(root, 'opt/lib/libx.so.1'));
  await writeFile(path.join(root, 'etc/ld.so.conf'), '/opt/lib\n');
  await execa('ldconfig', ['-r', root]);

  await writeFile(path.join(root, 'usr/bin/hello.sh'), '#!/bin/sh\necho hello from the image\n', { mode: 0o755 });
  await symlink('../../../../usr/bin/prog', path.join(root, 'usr/bin/escape'));
  await execa('umoci', ['repack', '--image', `${layout}:glibc`, bundle]);
  await rm(bundle, { recursive: true });
  await execa('umoci', ['config', '--image', `${layout}:glibc`, '--config.entrypoint', '/usr/bin/prog']);
  await execa('umoci', ['gc', '--layout', layout]);
  return layout;
}
