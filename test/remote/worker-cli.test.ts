// tinyx worker check against a real loopback sshd: a usable worker, a missing kernel tree, a refused key.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerCommand } from '../../src/cli/worker.js';
import { freePort } from '../../src/tester/ports.js';
import { startSshd, type Sshd } from './sshd.js';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => sshd?.stop());

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await workerCommand(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; } });
  return { code, out, err };
}

describe('tinyx worker check', () => {
  it('reports a usable worker (this machine: linux-source tarball, build tools, QEMU)', async () => {
    const { code, out } = await run(['check', sshd.url, '--identity', sshd.identity, '--known-hosts', sshd.knownHosts]);
    expect(out).toMatch(/ok\s+qemu-system-x86_64/);
    expect(out).toMatch(/ok\s+kernel source \(linux-source tarball\)\s+\/usr\/src\/linux-source-6\.1\.tar\.xz/);
    expect(out).toMatch(/free disk/);
    expect(out).toContain(': usable');
    expect(code).toBe(0);
  });

  it('exits 1 and names what is missing when --kernel-src is not a kernel tree', async () => {
    const notTree = path.join(sshd.dir, 'not-a-tree');
    await mkdir(notTree, { recursive: true });
    const { code, out } = await run(['check', sshd.url, '--identity', sshd.identity, '--known-hosts', sshd.knownHosts, '--kernel-src', notTree]);
    expect(out).toMatch(new RegExp(`MISSING\\s+kernel source\\s+${notTree} is not a kernel tree`));
    expect(out).toContain('not usable, missing: kernel source');
    expect(code).toBe(1);
  });

  it('exits 1 quickly for a worker nobody answers for, and 2 on usage errors', async () => {
    const port = await freePort();
    const started = Date.now();
    const { code, err } = await run(['check', `ssh://root@127.0.0.1:${port}`, '--identity', sshd.identity, '--known-hosts', sshd.knownHosts, '--timeout', '2']);
    expect(code).toBe(1);
    expect(err).toContain('TINYX_WORKER_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await run([])).code).toBe(2);
    expect((await run(['--help'])).out).toContain('tinyx worker check');
    await expect(run(['check', 'build1'])).rejects.toMatchObject({ code: 'TINYX_USAGE' });
  });

  it('checks the workers of a workers.yaml and refuses an unknown host key', async () => {
    const file = path.join(sshd.dir, 'workers.yaml');
    await writeFile(path.join(sshd.dir, 'empty_known_hosts'), '');
    await writeFile(file, `- url: ${sshd.url}\n  identity: client\n  knownHosts: empty_known_hosts\n`);
    const { code, out, err } = await run(['check', '--workers', file]);
    expect(code).toBe(1);
    expect(out).toContain('not usable');
    expect(err).toContain('TINYX_WORKER_HOST_KEY');
    expect(err).toContain('an unknown key is never accepted');
  });
});
