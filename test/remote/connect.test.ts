// Connecting to a real loopback sshd: trusted keys (plain, hashed, pinned), refused keys, a closed port.
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWorker } from '../../src/remote/connect.js';
import { fingerprintOf } from '../../src/remote/known-hosts.js';
import { freePort } from '../../src/tester/ports.js';
import { startSshd, type Sshd } from './sshd.js';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => sshd?.stop());

const hostKeyBlob = () => Buffer.from(sshd.hostPublicKey.split(/\s+/)[1] ?? '', 'base64');

describe('connectWorker', () => {
  it('connects with a known_hosts entry for [host]:port and runs commands and SFTP', async () => {
    const session = await connectWorker({ url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts] });
    try {
      expect((await session.run('echo hello')).trim()).toBe('hello');
      const file = path.join(sshd.dir, 'sftp.txt');
      await session.writeFile(file, 'over sftp');
      expect((await session.readFile(file)).toString()).toBe('over sftp');
      expect((await session.exec('exit 3')).code).toBe(3);
    } finally {
      session.close();
    }
  });

  it('accepts a hashed known_hosts entry and a pinned fingerprint', async () => {
    const hashed = path.join(sshd.dir, 'known_hosts.hashed');
    await execa('sh', ['-c', `cp ${sshd.knownHosts} ${hashed} && ssh-keygen -q -H -f ${hashed}`]);
    const { stdout } = await execa('cat', [hashed]);
    expect(stdout).toMatch(/^\|1\|/);
    const a = await connectWorker({ url: sshd.url, identity: sshd.identity, knownHosts: [hashed] });
    a.close();
    const { stdout: printed } = await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(sshd.dir, 'host_ed25519.pub')]);
    const pinned = printed.split(/\s+/)[1] ?? '';
    expect(fingerprintOf(hostKeyBlob())).toBe(pinned);
    const b = await connectWorker({ url: sshd.url, identity: sshd.identity, fingerprint: pinned });
    b.close();
  });

  it('refuses a host whose key differs from known_hosts, an unknown host, and a wrong pin', async () => {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(sshd.dir, 'other')]);
    const other = (await execa('cat', [path.join(sshd.dir, 'other.pub')])).stdout.split(/\s+/);
    const wrong = path.join(sshd.dir, 'known_hosts.wrong');
    await writeFile(wrong, `[127.0.0.1]:${sshd.port} ${other[0]} ${other[1]}\n`);
    await expect(connectWorker({ url: sshd.url, identity: sshd.identity, knownHosts: [wrong] }))
      .rejects.toMatchObject({ code: 'TINYX_WORKER_HOST_KEY', message: expect.stringMatching(/does not match .*known_hosts.wrong:1/) });
    const empty = path.join(sshd.dir, 'known_hosts.empty');
    await writeFile(empty, '127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==\n');
    await expect(connectWorker({ url: sshd.url, identity: sshd.identity, knownHosts: [empty] }))
      .rejects.toMatchObject({ code: 'TINYX_WORKER_HOST_KEY', message: expect.stringContaining('is not in') });
    await expect(connectWorker({ url: sshd.url, identity: sshd.identity, fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }))
      .rejects.toMatchObject({ code: 'TINYX_WORKER_HOST_KEY', message: expect.stringContaining('not the pinned') });
  });

  it('fails fast with TINYX_WORKER_UNREACHABLE on a closed port and on a silent one', async () => {
    const closed = await freePort();
    const started = Date.now();
    await expect(connectWorker({ url: `ssh://root@127.0.0.1:${closed}`, identity: sshd.identity, knownHosts: [sshd.knownHosts] }))
      .rejects.toMatchObject({ code: 'TINYX_WORKER_UNREACHABLE' });
    expect(Date.now() - started).toBeLessThan(3_000);
    const net = await import('node:net');
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const t = Date.now();
    await expect(connectWorker({ url: `ssh://root@127.0.0.1:${port}`, identity: sshd.identity, knownHosts: [sshd.knownHosts], connectTimeoutMs: 1_500 }))
      .rejects.toMatchObject({ code: 'TINYX_WORKER_UNREACHABLE' });
    expect(Date.now() - t).toBeLessThan(5_000);
    silent.close();
  });

  it('reports a key the worker does not authorize', async () => {
    await expect(connectWorker({ url: sshd.url, identity: path.join(sshd.dir, 'other'), knownHosts: [sshd.knownHosts] }))
      .rejects.toMatchObject({ code: 'TINYX_WORKER_UNREACHABLE', message: expect.stringContaining('refused every key') });
  });
});
