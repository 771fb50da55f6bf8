// Real failing boots (QEMU, TCG, the start kernel) classified from their console: unpacking, memory, a missing file, ENOSYS, a shell.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { compressArchive, type Compression } from '../../src/packager/compress.js';
import { encodeCpio, type CpioEntry } from '../../src/packager/cpio.js';
import { planArchive } from '../../src/packager/initramfs.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Profile } from '../../src/profile/types.js';
import { bootAndTest } from '../../src/tester/boot.js';
import { writeSquashfs } from '../../src/packager/squashfs.js';
import { DISK_ROOT_ARGS } from '../../src/vm/spec.js';
import { startAdvice, type StartFacts } from '../../src/tester/start-advice.js';
import { classifyStartFailure } from '../../src/tester/start-failure.js';
import { REPO, tempDir } from '../deps/helpers.js';
import { startKernel } from '../helpers/start-kernel.js';

const FIXTURES = path.join(REPO, 'test/fixtures/tester/start-failure');
let tmp: Awaited<ReturnType<typeof tempDir>>;
let bzImage: string;
let profile: Profile;
beforeAll(async () => {
  tmp = await tempDir('tinyx-start-failure-');
  bzImage = process.env.TINYX_TEST_BZIMAGE ?? (await startKernel()).bzImage;
  profile = await loadProfile();
}, 60 * 60_000);
afterAll(() => tmp.cleanup());

interface Packed { file: string; bytes: number; uncompressedBytes: number; compression: Compression }

/** A fixture program compiled, packed with tinyx's init (plus `extra` members), compressed so. */
async function pack(fixture: string, options: { appArgs?: string[]; compression?: Compression; extra?: CpioEntry[] } = {}): Promise<Packed> {
  const app = path.join(tmp.dir, fixture);
  await execa('gcc', ['-Wall', '-Werror', '-o', app, path.join(FIXTURES, `${fixture}.c`)]);
  const manifest = await resolveApp(app);
  const planned = await planArchive({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: options.appArgs ?? [], network: { guestPort: 80 }, kind: 'tinyx' } });
  const archive = encodeCpio([...planned.entries, ...(options.extra ?? [])]);
  const compression = options.compression ?? 'gzip';
  const file = path.join(tmp.dir, `${fixture}.cpio.${compression}`);
  const compressed = await compressArchive(archive, compression);
  await writeFile(file, compressed);
  return { file, bytes: compressed.length, uncompressedBytes: archive.length, compression };
}

/** Boots it (the app never serves, so the probe never runs) and returns the whole console. */
async function boot(name: string, initramfs: string, memory = profile.qemu.memory): Promise<string> {
  const outcome = await bootAndTest({
    bzImage, initramfs, cmdline: profile.boot.cmdline, qemu: { ...profile.qemu, memory }, network: { guestPort: 80 }, accel: 'tcg',
    tests: path.join(REPO, 'examples/hello-http/probe.sh'), logDir: path.join(tmp.dir, `boot-${name}`), bootTimeoutMs: 120_000, readyTimeoutMs: 60_000, testTimeoutMs: 30_000,
  });
  expect(outcome.status).not.toBe('pass');
  return readFile(outcome.consoleLog, 'latin1');
}

const facts = (packed: Packed, memory = profile.qemu.memory): StartFacts => ({ initKind: 'tinyx', memory, initramfs: packed, hostHas: existsSync });

describe('a start VM that fails is classified by its console', () => {
  it('a truncated xz initramfs: unpack, the kernel\'s own words quoted, even though the app then failed to start', async () => {
    const packed = await pack('missing-config', { compression: 'xz' });
    await truncate(packed.file, Math.floor((await stat(packed.file)).size / 2));
    const failure = classifyStartFailure(await boot('truncated', packed.file), 'tinyx');
    expect(failure).toEqual({ kind: 'unpack', evidence: 'Initramfs unpacking failed: XZ-compressed data is corrupt' });
    expect(startAdvice(failure, facts(packed))).toMatch(/corrupt or truncated/);
  });

  it('an xz dictionary the guest cannot allocate (64 MiB in a 48M guest): unpack, advising another compressor or more memory', async () => {
    const packed = await pack('missing-config', { compression: 'xz' });
    const { stdout } = await execa('sh', ['-c', `xz -dc ${packed.file} | xz -T1 --check=crc32 --lzma2=preset=6,dict=64MiB -c > ${packed.file}.big && echo ok`]);
    expect(stdout).toBe('ok');
    const failure = classifyStartFailure(await boot('dict', `${packed.file}.big`, '48M'), 'tinyx');
    expect(failure).toEqual({ kind: 'unpack', evidence: 'Initramfs unpacking failed: XZ decompressor ran out of memory' });
    const advice = startAdvice(failure, facts(packed, '48M'));
    expect(advice).toContain('--compression zstd or gzip');
    expect(advice).toContain('the guest\'s 48M (the profile\'s qemu.memory)');
  });

  it('an app allocating more than the 64M guest has: memory (killed by the OOM killer), naming the setting', async () => {
    const packed = await pack('hog');
    const failure = classifyStartFailure(await boot('hog', packed.file, '64M'), 'tinyx');
    expect(failure).toEqual({ kind: 'memory', evidence: 'TINYX-APP-EXITED 137' });
    expect(startAdvice(failure, facts(packed, '64M'))).toMatch(/^The guest has 64M \(the profile's qemu.memory\), and the gzip initramfs \([\d.]+ MB, [\d.]+ MB unpacked\)/);
  });

  it('an app whose configuration file is on the host but not in the VM: missing-file, advising --include PATH or --trace', async () => {
    const config = path.join(tmp.dir, 'x.conf');
    await writeFile(config, 'listen 80\n');
    const packed = await pack('missing-config', { appArgs: [config] });
    const failure = classifyStartFailure(await boot('missing', packed.file), 'tinyx');
    expect(failure).toEqual({ kind: 'missing-file', evidence: `could not open configuration file "${config}": No such file or directory`, path: config });
    expect(startAdvice(failure, facts(packed))).toBe(`${config} is not in the VM, but this host has it: add it with --include ${config}, or run with --trace (the app runs on this host and the files it opens are added).`);
    expect(startAdvice(failure, { ...facts(packed), hostHas: () => false })).toMatch(/nor on this host/);
  });

  it('an app calling shmget on the start kernel (SYSVIPC off): enosys, naming the call', async () => {
    const config = await readFile(path.join(process.env.TINYX_TEST_START_BUILD_DIR ?? (await startKernel()).buildDir, '.config'), 'utf8');
    expect(config).toContain('# CONFIG_SYSVIPC is not set');
    const packed = await pack('shmget');
    const failure = classifyStartFailure(await boot('shmget', packed.file), 'tinyx');
    expect(failure).toEqual({ kind: 'enosys', evidence: 'shmget: Function not implemented', call: 'shmget' });
    expect(startAdvice(failure, facts(packed))).toMatch(/^The app called shmget, a system call the start kernel does not have: .*kernel\.enable/);
  });

  it('an app exec\'ing /bin/sh under tinyx\'s init: shell, advising --init busybox; under BusyBox\'s the same line is a missing file', async () => {
    const packed = await pack('exec-sh');
    const console = await boot('exec-sh', packed.file);
    const failure = classifyStartFailure(console, 'tinyx');
    expect(failure).toEqual({ kind: 'shell', evidence: 'exec /bin/sh: No such file or directory', path: '/bin/sh' });
    expect(startAdvice(failure, facts(packed))).toContain('try --init busybox');
    expect(classifyStartFailure(console, 'busybox')).toMatchObject({ kind: 'missing-file', path: '/bin/sh' });
    // With nothing of the above, the kernel's panic is named; with nothing at all, the advice is the generic one.
    expect(classifyStartFailure(`${console}\n[    1.6] Kernel panic - not syncing: No working init found.  Try passing init= option to kernel.`.replace(/^exec .*$/m, ''), 'tinyx'))
      .toEqual({ kind: 'no-init', evidence: 'Kernel panic - not syncing: No working init found.  Try passing init= option to kernel.' });
    const unknown = classifyStartFailure(console.replace(/^exec .*$/m, ''), 'busybox');
    expect(unknown).toEqual({ kind: 'unknown' });
    expect(startAdvice(unknown, { ...facts(packed), initKind: 'busybox' })).toBe('Check the app and the tests by hand.');
  });

  it('a disk root on a kernel without the block driver and squashfs: root-disk, naming the harness lists; a write to it: read-only, advising a volume', async () => {
    const app = path.join(tmp.dir, 'disk-server');
    await execa('gcc', ['-Wall', '-Werror', '-o', app, path.join(FIXTURES, 'missing-config.c')]);
    const manifest = await resolveApp(app);
    const planned = await planArchive({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 }, kind: 'tinyx', readOnlyRoot: true } });
    const image = await writeSquashfs(planned.entries, { compression: 'gzip', fast: true, outFile: path.join(tmp.dir, 'root.squashfs') });
    // The start kernel has neither VIRTIO_BLK nor SQUASHFS: the kernel finds no root to mount.
    const outcome = await bootAndTest({
      bzImage, initramfs: image.file, rootDisk: true, cmdline: `${profile.boot.cmdline} ${DISK_ROOT_ARGS.join(' ')}`, qemu: profile.qemu, network: { guestPort: 80 }, accel: 'tcg',
      tests: path.join(REPO, 'examples/hello-http/probe.sh'), logDir: path.join(tmp.dir, 'boot-disk'), bootTimeoutMs: 120_000, readyTimeoutMs: 60_000, testTimeoutMs: 30_000,
    });
    expect(outcome.status).not.toBe('pass');
    const console = await readFile(outcome.consoleLog, 'latin1');
    // Without the block layer the kernel mounts no root and says only that it found no /init.
    const failure = classifyStartFailure(console, 'tinyx', true);
    expect(failure).toEqual({ kind: 'root-disk', evidence: expect.stringMatching(/Requested init \/init failed|No working init found/) });
    expect(classifyStartFailure(console, 'tinyx').kind).toBe('no-init');
    // With the block layer but no squashfs, the kernel names the root it could not mount.
    expect(classifyStartFailure('[    0.9] VFS: Cannot open root device "vda" or unknown-block(254,0): error -19\n[    0.9] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(254,0)', 'tinyx', true))
      .toEqual({ kind: 'root-disk', evidence: 'VFS: Cannot open root device "vda" or unknown-block(254,0): error -19' });
    const packed = { file: image.file, bytes: image.bytes, uncompressedBytes: 0, compression: 'gzip' as const };
    expect(startAdvice(failure, facts(packed))).toContain('kernel.harness.disk');
    // The app's own words when it writes to the read-only root (a disk kernel prints them; the classifier reads any console).
    const readOnly = classifyStartFailure('TINYX-APP-STARTED\nserver: cannot open /var/lib/app/state: Read-only file system\nTINYX-APP-EXITED 1', 'tinyx');
    expect(readOnly).toEqual({ kind: 'read-only', evidence: 'server: cannot open /var/lib/app/state: Read-only file system', path: '/var/lib/app/state' });
    expect(startAdvice(readOnly, facts(packed))).toContain('--volume HOST_DIR:/var/lib/app');
  });
});
