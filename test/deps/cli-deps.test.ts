// `tinyx deps` through its exported command function, as the CLI calls it.
import { describe, expect, it } from 'vitest';
import { depsCommand } from '../../src/cli/deps.js';
import { isTinyxError } from '../../src/errors.js';
import { buildExampleServer } from './helpers.js';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await depsCommand(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe('tinyx deps', () => {
  it('prints a table with sizes, packages and reasons', async () => {
    const server = await buildExampleServer();
    const { code, stdout } = await run(['--app', server]);
    expect(code).toBe(0);
    expect(stdout).toContain(`App ${server} -> /app/server in the guest`);
    expect(stdout).toMatch(/MiB +\/usr\/lib\/x86_64-linux-gnu\/libc\.so\.6 +libc6:amd64 +DT_NEEDED libc\.so\.6 of \/app\/server/);
    expect(stdout).toMatch(/\/lib -> usr\/lib/);
    expect(stdout).toMatch(/^3 files \(.*MiB\), 3 symlinks, \d+ directories$/m);
    expect(stdout).toMatch(/^Packages: libc6:amd64 2\.36/m);
  });

  it('prints JSON with totals', async () => {
    const { code, stdout } = await run(['--app', '/usr/bin/curl', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.app).toEqual({ hostPath: '/usr/bin/curl', guestPath: '/usr/bin/curl' });
    const curl = report.entries.find((e: { guestPath: string }) => e.guestPath === '/usr/bin/curl');
    expect(curl).toMatchObject({ kind: 'file', package: 'curl', reason: 'app' });
    expect(curl.size).toBeGreaterThan(100_000);
    expect(report.totals.files).toBeGreaterThan(25);
    expect(report.totals.packages).toEqual(expect.arrayContaining([expect.stringMatching(/^libcurl4:amd64 7\./)]));
  });

  it('adds what a traced run opens with --trace, and checks --trace-seconds', async () => {
    const { stdout } = await run(['--app', '/usr/bin/curl', '--trace', '--trace-arg=-s', '--trace-arg', 'http://127.0.0.1:1/', '--no-packages']);
    expect(stdout).toMatch(/\/usr\/lib\/ssl\/openssl\.cnf -> \/etc\/ssl\/openssl\.cnf .*used at run time \(strace\)/);
    const error = await run(['--app', '/usr/bin/curl', '--trace-seconds', '0']).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_USAGE')).toBe(true);
  });

  it('shows the whole guest tree with --rootfs: tinyx\'s init for an ELF app, no BusyBox', async () => {
    const { stdout } = await run(['--app', await buildExampleServer(), '--rootfs', '--no-packages']);
    expect(stdout).toMatch(/ KiB +\/init +- +the kernel runs \/init: tinyx's own static init/);
    expect(stdout).toMatch(/ B +\/etc\/tinyx\/init\.conf /);
    expect(stdout).not.toMatch(/busybox|\/etc\/inittab|\/etc\/tinyx\/rc/);
    const error = await run(['--app', await buildExampleServer(), '--rootfs', '--init', 'bash']).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_USAGE')).toBe(true);
  });

  it('shows BusyBox and the rc in the guest tree with --rootfs --init busybox', async () => {
    const { stdout } = await run(['--app', await buildExampleServer(), '--rootfs', '--init', 'busybox']);
    expect(stdout).toMatch(/MiB +\/bin\/busybox +busybox-static +static BusyBox/);
    expect(stdout).toMatch(/\/init -> \/bin\/busybox/);
    expect(stdout).toMatch(/ B +\/etc\/inittab/);
    expect(stdout).toMatch(/\/etc\/tinyx\/rc/);
    expect(stdout).toMatch(/\/bin\/sh -> busybox +- +BusyBox applet sh/); // not dash's /bin/sh on the host
  });

  it('skips dpkg with --no-packages, prints help, and rejects missing --app', async () => {
    const server = await buildExampleServer();
    const { stdout } = await run(['--app', server, '--no-packages', '--json']);
    expect(JSON.parse(stdout).entries.some((e: { package?: string }) => e.package)).toBe(false);
    expect((await run(['--help'])).stdout).toMatch(/Usage: tinyx deps/);
    const error = await run([]).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_USAGE')).toBe(true);
  });
});
