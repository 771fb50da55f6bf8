// Real Debian programs through `tinyx minimize` with no kernel search: the start kernel (built by
// the global setup) boots each packed rootfs under QEMU and the app's probe must pass against it.
import { execa } from 'execa';
import { chmod, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capture } from '../helpers/capture.js';
import { runMain } from '../../src/cli/main.js';
import type { Report } from '../../src/output/report.js';

const root = path.resolve(__dirname, '../..');
const examples = path.join(root, 'examples');

/** A probe that checks how the app was started (the example probes read EXPECT_*). */
async function probeExpecting(probe: string, expect: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-apps-probe-'));
  const file = path.join(dir, 'probe.sh');
  const vars = Object.entries(expect).map(([k, v]) => `${k}='${v}'`).join(' ');
  await writeFile(file, `#!/bin/sh\n${vars} exec '${probe}'\n`);
  await chmod(file, 0o755);
  return file;
}

/**
 * `minimize` with no candidates: packs the rootfs, boots the start kernel (from the store) with it, runs the probe twice.
 * The rootfs stays as the analysis packed it (--no-prune, --no-strip): these tests are about what the analysis finds.
 */
async function minimizeNoSearch(name: string, args: string[], appArgs: string[] = []): Promise<{ out: string; code: number; log: ReturnType<typeof capture>; report: Report; files: string[]; seconds: number }> {
  const out = await mkdtemp(path.join(tmpdir(), `tinyx-apps-${name}-`));
  const log = capture();
  const began = Date.now();
  const code = await runMain(['minimize', ...args, '--out', out, '--candidates=', '--no-prune', '--no-strip', '--keep-cmdline', '--keep-memory', '--compare-compression', 'none', '--final-runs', '1', '--boot-timeout', '240', '--', ...appArgs], log.io);
  const seconds = (Date.now() - began) / 1000;
  const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8').catch(() => '{}')) as Report;
  const listing = await execa('sh', ['-c', `${await catInitramfs(out)} | cpio -t --quiet`], { reject: false });
  return { out, code, log, report, files: String(listing.stdout).split('\n').filter(Boolean), seconds };
}

/** A shell command that writes the out dir's initramfs uncompressed (its name says its compression). */
async function catInitramfs(out: string): Promise<string> {
  const name = (await readdir(out)).find((n) => n.startsWith('initramfs.cpio.')) ?? 'initramfs.cpio.gz';
  const tool = { gz: 'zcat', xz: 'xzcat', zst: 'zstdcat', lz4: 'lz4cat' }[name.slice('initramfs.cpio.'.length)] ?? 'zcat';
  return `${tool} '${path.join(out, name)}'`;
}

async function journalStatuses(out: string): Promise<string[]> {
  const text = await readFile(path.join(out, 'journal.jsonl'), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { verdict?: { status?: string } }).verdict?.status ?? '?');
}

describe('real applications boot in their minimized VM and pass their probes', () => {
  it('Debian lighttpd: a dlopen\'ed plugin, logs in /var/log, privileges dropped to www-data', async () => {
    const dir = path.join(examples, 'lighttpd');
    const run = await minimizeNoSearch('lighttpd', [
      '--app', '/usr/sbin/lighttpd', '--tests', path.join(dir, 'probe.sh'), '--port', '80',
      '--include', `${dir}/lighttpd.conf:/etc/lighttpd/lighttpd.conf`, '--include', `${dir}/www:/var/www/html`,
    ], ['-D', '-f', '/etc/lighttpd/lighttpd.conf']);
    expect(run.code, run.log.err.join('')).toBe(0);
    expect(await journalStatuses(run.out)).toEqual(expect.arrayContaining(['pass']));
    expect(run.report.builds).toBe(0);
    // An ELF app: tinyx's own init, no BusyBox in the guest.
    expect(run.report.init).toMatchObject({ kind: 'tinyx', choice: 'auto' });
    expect(run.files.filter((f) => /busybox|etc\/tinyx\/rc/.test(f))).toEqual([]);
    const rootfs = run.report.rootfs;
    expect(rootfs.packages).toContain('lighttpd');
    expect(run.files).toEqual(expect.arrayContaining(['usr/sbin/lighttpd', 'usr/lib/lighttpd/mod_accesslog.so', 'var/log/lighttpd', 'var/www/html/index.html']));
    const passwd = await execa('sh', ['-c', `${await catInitramfs(run.out)} | cpio -i --quiet --to-stdout etc/passwd`]);
    expect(passwd.stdout).toMatch(/^www-data:x:33:33:/m);
    expect(rootfs.appFiles).toBeLessThan(40);
    expect(rootfs.packageClosure?.installedBytes).toBeGreaterThan(rootfs.uncompressedBytes);
    expect(await readFile(path.join(run.out, 'report.md'), 'utf8')).toMatch(/Debian package closure, installed \| \d+/);
    process.stderr.write(`[apps] lighttpd: ${JSON.stringify({ ...sizes(rootfs), seconds: run.seconds })}\n`);
  });

  it('a Python service: python3 with the modules it imports, run as www-data with --env and --cwd', async () => {
    const dir = path.join(examples, 'py-notes');
    const probe = await probeExpecting(path.join(dir, 'probe.sh'), { EXPECT_USER: 'www-data', EXPECT_CWD: '/srv/notes', EXPECT_GREETING: 'hello' });
    const run = await minimizeNoSearch('py-notes', [
      '--app', path.join(dir, 'notes.py'), '--tests', probe, '--port', '8000',
      '--user', 'www-data', '--env', 'GREETING=hello', '--cwd', '/srv/notes',
    ], ['8000']);
    expect(run.code, run.log.err.join('')).toBe(0);
    expect(await journalStatuses(run.out)).toEqual(expect.arrayContaining(['pass']));
    const stdlib = run.files.filter((f) => f.startsWith('usr/lib/python3.11/') && /\.(py|so)$/.test(f));
    expect(stdlib.length).toBeGreaterThan(40);
    expect(stdlib.length).toBeLessThan(150);
    expect(run.files).not.toContain('usr/lib/python3.11/unittest/__init__.py');
    expect(run.files).toContain('usr/lib/python3.11/http/server.py');
    const runSpec = JSON.parse(await readFile(path.join(run.out, 'run.json'), 'utf8'));
    expect(runSpec).toMatchObject({ user: 'www-data', env: { GREETING: 'hello' }, cwd: '/srv/notes' });
    expect(run.report.rootfs.user).toBe('www-data');
    expect(run.report.init).toMatchObject({ kind: 'busybox', choice: 'auto' }); // a script keeps BusyBox
    process.stderr.write(`[apps] py-notes: ${JSON.stringify({ ...sizes(run.report.rootfs), seconds: run.seconds })}\n`);
  });

  it('a shell script: the programs it runs come from --trace, run as nobody', async () => {
    const dir = path.join(examples, 'sh-status');
    const probe = await probeExpecting(path.join(dir, 'probe.sh'), { EXPECT_USER: 'nobody', EXPECT_GREETING: 'hi' });
    const run = await minimizeNoSearch('sh-status', [
      '--app', path.join(dir, 'status.sh'), '--tests', probe, '--port', '18093',
      '--user', 'nobody', '--env', 'GREETING=hi', '--env', 'PORT=18093', '--trace',
    ]);
    expect(run.code, run.log.err.join('')).toBe(0);
    expect(await journalStatuses(run.out)).toEqual(expect.arrayContaining(['pass']));
    // `id` is not a BusyBox applet in the guest: only the trace can have brought it
    expect(run.report.rootfs.traceAdded).toContain('/usr/bin/id');
    expect(run.files).toContain('usr/bin/id');
    expect(await readFile(path.join(run.out, 'report.md'), 'utf8')).toMatch(/The --trace run added \d+ paths/);
    process.stderr.write(`[apps] sh-status: ${JSON.stringify({ ...sizes(run.report.rootfs), traceAdded: run.report.rootfs.traceAdded, seconds: run.seconds })}\n`);
  });
});

function sizes(rootfs: Report['rootfs']) {
  return {
    uncompressed: rootfs.uncompressedBytes, compressed: rootfs.compressedBytes, entries: rootfs.entries, appFiles: rootfs.appFiles,
    closureBytes: rootfs.packageClosure?.installedBytes, closurePackages: rootfs.packageClosure?.packages.length,
  };
}
