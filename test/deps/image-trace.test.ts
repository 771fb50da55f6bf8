// --trace for an image: the program run under strace in a private root of the unpacked image; what it used, as image paths; nothing left behind.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveImageApp, straceInImage, type ChrootRun, type ImageRoot } from '../../src/deps/index.js';
import { defaultRun, imageFacts, lookupPath, openImage } from '../../src/image/index.js';
import { writeTree } from '../../src/image/tree.js';
import { buildBusyboxLayout, IMAGE_ONLY_PAGE } from '../image/busybox-image.js';
import { REPO, tempDir } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROOT = { uid: 0, gid: 0, home: '/root' };

let tmp: Awaited<ReturnType<typeof tempDir>>;
let layout: string;
let image: ImageRoot;
let run: ChrootRun;
beforeAll(async () => {
  tmp = await tempDir('tinyx-image-trace-test-');
  layout = await buildBusyboxLayout(path.join(tmp.dir, 'image'));
  const opened = await openImage(layout, { cacheRoot: path.join(tmp.dir, 'cache') });
  const facts = await imageFacts(opened);
  image = { rootfs: opened.rootfs, tree: facts.tree };
  run = defaultRun(opened.config.config, facts);
}, 120_000);
afterAll(async () => {
  for (const pid of await running(tmp.dir)) process.kill(pid, 'SIGKILL');
  await tmp.cleanup();
});

/** Live processes whose command line names `marker`. */
async function running(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) pids.push(Number(name));
  }
  return pids;
}

/** The trace's mounts as any process on this machine sees them (in whatever mount namespace). */
async function traceMounts(): Promise<string[]> {
  const lines: string[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const text = await readFile(`/proc/${name}/mountinfo`, 'utf8').catch(() => '');
    lines.push(...text.split('\n').filter((l) => / - \S+ tinyx-(trace|image|dev|tmp) /.test(l)));
  }
  return lines;
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await check()) return true;
  return check();
}

/** Every path of the unpacked tree with its size and modification time. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir, { recursive: true })) {
    const info = await stat(path.join(dir, name)).catch(() => undefined);
    out.push(`${name} ${info?.size} ${info?.mtimeMs} ${info?.mode}`);
  }
  return out.sort();
}

/** A shell loop, run as root, whose command line carries `marker`, ignoring SIGTERM. */
const stubborn = (marker: string): ChrootRun => ({ ...run, user: ROOT, argv: ['/bin/sh', '-c', 'trap "" TERM; while :; do /bin/busybox sleep 1; done', marker] });

describe('straceInImage', () => {
  it('sees the server open, at its image path, the page it reads only when the tests request it; no host file; nothing left running or mounted', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const probe = path.join(tmp.dir, 'probe.sh');
    await writeFile(probe, `#!/bin/sh\nfor i in $(seq 50); do curl -sf "http://$TINYX_HOST:$TINYX_PORT${IMAGE_ONLY_PAGE.replace('/srv/www', '')}" && exit 0; sleep 0.2; done; exit 1\n`, { mode: 0o755 });
    const marker = `${tmp.dir}-httpd`;
    const traced = await straceInImage(image, { ...run, argv: [...run.argv, '-p', String(port), '-r', marker] }, { probe: { command: probe, port }, seconds: 30 });
    expect(traced.files).toContain(IMAGE_ONLY_PAGE);
    expect(existsSync(IMAGE_ONLY_PAGE)).toBe(false);
    expect(traced.files).toContain('/bin/httpd');
    expect(traced.syscalls).toEqual(expect.arrayContaining(['accept', 'bind', 'listen', 'socket']));
    expect(traced.families.filter((f) => f.startsWith('AF_INET'))).not.toEqual([]);
    // Every path is the image's: none of the host programs that set up the run.
    expect(traced.files.filter((f) => !lookupPath(image.tree, f))).toEqual([]);
    expect(await running(marker)).toEqual([]);
    expect(await traceMounts()).toEqual([]);
  }, 60_000);

  it('runs with the image\'s environment, user and working directory (created: the image has none)', async () => {
    const script = '/bin/busybox cat "$DATA" /etc/secret; [ -d . ] && echo in "$PWD"';
    const traced = await straceInImage(image, { ...run, env: [...run.env, 'DATA=/etc/data.txt'], argv: ['/bin/sh', '-c', script] });
    expect(run.user.uid).toBe(1000);
    expect(traced.files).toContain('/etc/data.txt');
    expect(traced.files).not.toContain('/etc/secret');
    expect(traced.files).toContain('/srv/work');
  }, 60_000);

  it('names the calls of the program and what it forks from the program\'s start on, none of the run\'s set-up (chroot, working directory, groups)', async () => {
    const traced = await straceInImage(image, { ...run, argv: ['/bin/sh', '-c', '/bin/busybox cat /etc/data.txt /etc/none; /bin/busybox true'] });
    expect(run.user.uid).toBe(1000);
    expect(traced.syscalls).toEqual(expect.arrayContaining(['execve', 'wait4', 'exit_group']));
    // unshare's chroot, chdir and setgroups come before the program (busybox then drops to its user again itself: setgid, setuid)
    expect(traced.syscalls.filter((c) => ['chroot', 'chdir', 'setgroups', 'unshare', 'mount'].includes(c))).toEqual([]);
    expect(traced.syscalls).toEqual(expect.arrayContaining(['setgid', 'setuid']));
    expect(traced.failedCalls.filter((f) => f.endsWith(': ENOENT'))).not.toEqual([]);
    expect(traced.families).toEqual([]);
  }, 60_000);

  it('gives the private root the image\'s owners: its user writes where the image lets it (the unpacked tree is root\'s)', async () => {
    expect(image.tree.get('srv/app-data')).toMatchObject({ uid: 1000, gid: 1000, mode: 0o700 });
    const traced = await straceInImage(image, { ...run, argv: ['/bin/sh', '-c', 'echo x > /srv/app-data/log && /bin/busybox cat /srv/app-data/log'] });
    expect(run.user.uid).toBe(1000);
    expect(traced.writtenDirs).toContain('/srv/app-data');
  }, 60_000);

  it('writes into a layer of its own: the cached image is unchanged', async () => {
    const before = await snapshot(image.rootfs);
    const script = 'echo x > /srv/spool/copy; /bin/busybox mkdir /srv/spool/new; echo y > /srv/spool/new/f; echo z > /etc/data.txt; /bin/busybox rm /srv/www/only-in-image.html';
    const traced = await straceInImage(image, { ...run, user: ROOT, argv: ['/bin/sh', '-c', script] });
    expect(traced.writtenDirs).toEqual(['/etc', '/srv/spool', '/srv/spool/new']);
    expect(await snapshot(image.rootfs)).toEqual(before);
    expect(existsSync(path.join(image.rootfs, 'srv/spool/copy'))).toBe(false);
  }, 60_000);

  it('resolveImageApp({ trace }) adds what the run used, found in the image; what the run created is left out', async () => {
    const argv = ['/bin/sh', '-c', '/bin/busybox cat /etc/data.txt; /bin/busybox mkdir -p /srv/spool/made; echo x > /srv/spool/made/f'];
    const manifest = await resolveImageApp(image, { argv }, { trace: { run: { ...run, argv } } });
    expect(manifest.entries.find((e) => e.guestPath === '/etc/data.txt')).toMatchObject({ kind: 'file', hostPath: path.join(image.rootfs, 'etc/data.txt'), reason: 'used at run time (strace): /etc/data.txt' });
    expect(manifest.entries.find((e) => e.guestPath === '/srv/spool')).toMatchObject({ kind: 'dir', mode: 0o1777 });
    expect(manifest.entries.find((e) => e.guestPath.startsWith('/srv/spool/made'))).toBeUndefined();
    expect(manifest.entries.filter((e) => e.hostPath !== undefined && !e.hostPath.startsWith(`${image.rootfs}/`))).toEqual([]);
    expect(manifest.traced?.syscalls).toEqual(expect.arrayContaining(['execve', 'mkdir', 'wait4']));
    expect((await resolveImageApp(image, { argv })).traced).toBeUndefined();
  }, 60_000);

  it('stops on abort: no process of the run (one that ignores SIGTERM) and no mount is left', async () => {
    const marker = `${tmp.dir}-aborted`;
    const controller = new AbortController();
    const traced = straceInImage(image, stubborn(marker), { seconds: 120, signal: controller.signal });
    expect(await until(async () => (await running(marker)).length >= 2, 20_000), 'the program started').toBe(true);
    controller.abort();
    await expect(traced).rejects.toMatchObject({ code: 'TINYX_INTERRUPTED' });
    expect(await running(marker)).toEqual([]);
    expect(await traceMounts()).toEqual([]);
  }, 60_000);

  it('refuses with TINYX_IMAGE_TRACE_FAILED when the program cannot start in the image', async () => {
    await expect(straceInImage(image, { ...run, argv: ['/bin/no-such-program'] })).rejects.toMatchObject({
      code: 'TINYX_IMAGE_TRACE_FAILED', message: expect.stringMatching(/\/bin\/no-such-program did not start in the image: .*No such file/),
    });
  });

  it('refuses with TINYX_IMAGE_TRACE_FAILED when strace is not on PATH', async () => {
    const bin = path.join(tmp.dir, 'bin-without-strace');
    await mkdir(bin);
    for (const tool of ['setpriv', 'unshare', 'sh', 'mount', 'mknod', 'env']) await symlink((await execa('sh', ['-c', `command -v ${tool}`])).stdout, path.join(bin, tool));
    const saved = process.env.PATH;
    process.env.PATH = bin;
    try {
      await expect(straceInImage(image, run)).rejects.toMatchObject({ code: 'TINYX_IMAGE_TRACE_FAILED', message: expect.stringMatching(/strace not found on PATH/) });
    } finally {
      process.env.PATH = saved;
    }
  });

  it('refuses with TINYX_IMAGE_TRACE_FAILED when the private root cannot be mounted', async () => {
    await expect(straceInImage({ ...image, rootfs: path.join(tmp.dir, 'no-such-rootfs') }, run)).rejects.toMatchObject({
      code: 'TINYX_IMAGE_TRACE_FAILED', message: expect.stringMatching(/private root could not be set up: .*mount/),
    });
    expect(await traceMounts()).toEqual([]);
  });
});

describe('the process running straceInImage ends mid-run', () => {
  /** A node process tracing a program that ignores SIGTERM, as the CLI does: SIGTERM aborts, and it exits once the trace has stopped. */
  async function startChild(name: string) {
    const marker = `${tmp.dir}-${name}`;
    const scratch = path.join(tmp.dir, `${name}-tmp`);
    await mkdir(scratch);
    const script = path.join(tmp.dir, `${name}.mjs`);
    await writeFile(script, `
import { straceInImage } from ${JSON.stringify(path.join(REPO, 'dist/deps/index.js'))};
import { readTree } from ${JSON.stringify(path.join(REPO, 'dist/image/index.js'))};
const [rootfs, treeFile, runJson] = process.argv.slice(2);
const controller = new AbortController();
process.on('SIGTERM', () => controller.abort());
straceInImage({ rootfs, tree: await readTree(treeFile) }, JSON.parse(runJson), { seconds: 120, signal: controller.signal })
  .then(() => console.log('finished'), (e) => console.log(e.code))
  .then(() => process.exit(143));
`);
    const treeFile = path.join(tmp.dir, `${name}-tree.json`);
    await writeTree(treeFile, image.tree);
    const child = execa('node', [script, image.rootfs, treeFile, JSON.stringify(stubborn(marker))], { reject: false, env: { TMPDIR: scratch } });
    expect(await until(async () => (await running(marker)).length >= 2, 20_000), 'the program started').toBe(true);
    return { child, marker, scratch };
  }

  it('SIGTERM: the trace stops, and no process, mount or scratch dir is left', async () => {
    const { child, marker, scratch } = await startChild('term');
    child.kill('SIGTERM');
    const result = await child;
    expect(result.stdout).toBe('TINYX_INTERRUPTED');
    expect(await running(marker)).toEqual([]);
    expect(await traceMounts()).toEqual([]);
    expect(await readdir(scratch)).toEqual([]);
  }, 60_000);

  it('SIGKILL: no finally runs, yet the kernel ends every process of the run and its mounts', async () => {
    const { child, marker } = await startChild('kill');
    child.kill('SIGKILL');
    await child;
    expect(await until(async () => (await running(marker)).length === 0, 10_000)).toBe(true);
    expect(await traceMounts()).toEqual([]);
  }, 60_000);
});
