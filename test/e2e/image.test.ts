// Container images end to end: `tinyx minimize --image` on the images the set-up builds (scripts/example-images.mjs):
// hello-http as a docker save archive (glibc) and against musl, and Debian's lighttpd as an OCI archive. Each run is
// bounded to one candidate (the start kernel and one small build, shared by the three), so the suite stays short;
// `bench/images.mjs` runs the full searches.
import { execa } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capture } from '../helpers/capture.js';
import { runMain } from '../../src/cli/main.js';
import { membersOf } from '../helpers/newc.js';

const root = path.resolve(__dirname, '../..');
const images = path.join(root, 'examples/images');
const BOUNDED = ['--candidates', 'SIGNALFD', '--compare-compression', 'none', '--keep-cmdline', '--keep-memory', '--final-runs', '1'];

async function minimizeImage(image: string, probe: string, extra: string[] = []) {
  const out = await mkdtemp(path.join(tmpdir(), 'tinyx-e2e-image-'));
  const log = capture();
  const code = await runMain(['minimize', '--image', path.join(images, image), '--tests', path.join(root, probe), '--out', out, ...BOUNDED, ...extra], log.io);
  expect(code, log.err.join('')).toBe(0);
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
  const run = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'));
  return { out, report, run, log };
}

/** The guest paths of the out dir's initramfs (uncompressed with the tool its extension names). */
async function guestPaths(out: string, report: { initramfs: { compression: string } }): Promise<string[]> {
  const tool = { gzip: 'gzip', xz: 'xz', zstd: 'zstd', lz4: 'lz4' }[report.initramfs.compression]!;
  const file = (await execa('sh', ['-c', `ls ${out}/initramfs.cpio.*`])).stdout.trim();
  const { stdout } = await execa(tool, ['-dc', file], { encoding: 'buffer' });
  return [...membersOf(Buffer.from(stdout)).keys()].map((name) => `/${name.replace(/^\.?\//, '')}`);
}

describe('tinyx minimize --image (real builds and boots)', () => {
  it('minimizes a docker save archive of hello-http from its config alone: the program, its port, its libraries from the image', async () => {
    const { out, report, run, log } = await minimizeImage('hello-http.tar', 'examples/hello-http/probe.sh');
    expect(report.image).toMatchObject({ format: 'docker-archive', platform: 'linux/amd64', run: { argv: ['/app/server'], workingDir: '/', port: 80 } });
    expect(report.image.layersBytes).toBeGreaterThan(report.final.initramfsBytes);
    expect(report.app).toBe(path.join(images, 'hello-http.tar'));
    expect(run).toMatchObject({ image: path.join(images, 'hello-http.tar'), port: 80 });
    expect(run.app).toBeUndefined();
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('## The image');
    expect(log.out.join('')).toContain('report.md');
    const paths = await guestPaths(out, report);
    expect(paths).toContain('/app/server');
    expect(paths.some((p) => p.endsWith('/libc.so.6'))).toBe(true);
    // `tinyx verify` plans the run again from run.json (the image is not read again) and agrees.
    const verify = capture();
    expect(await runMain(['verify', out], verify.io), verify.err.join('')).toBe(0);
  });

  it('takes a libc that is not the host\'s: the musl image boots with musl\'s loader and no glibc', async () => {
    const { out, report } = await minimizeImage('hello-http-musl.tar', 'examples/hello-http/probe.sh');
    const paths = await guestPaths(out, report);
    // The image's /lib is merged into /usr/lib: its loader is a link there to musl's libc.
    expect(paths).toEqual(expect.arrayContaining(['/lib', '/usr/lib/ld-musl-x86_64.so.1', '/usr/lib/x86_64-linux-musl/libc.so']));
    expect(paths.some((p) => p.endsWith('/libc.so.6'))).toBe(false);
  });

  it('minimizes an OCI archive of Debian\'s lighttpd, its files attributed to the image\'s own packages', async () => {
    // The config comes in as the program's argument (-f); the site it serves, read only at run time, is named as an image path.
    const { report } = await minimizeImage('lighttpd-debian.oci.tar', 'examples/lighttpd/probe.sh', ['--include', '/var/www/html']);
    expect(report.image).toMatchObject({ format: 'oci-archive', run: { argv: ['/usr/sbin/lighttpd', '-D', '-f', '/etc/lighttpd/lighttpd.conf'], port: 80 } });
    expect(report.rootfs.packages).toEqual(expect.arrayContaining(['lighttpd']));
    expect(report.rootfs.packageClosure).toBeUndefined();
  });
});
