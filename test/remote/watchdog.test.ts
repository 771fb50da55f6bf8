// Commands on a worker die with their channel: closing it, aborting, or dropping the connection
// kills the command's whole process group there (no QEMU or make left behind).
import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWorker } from '../../src/remote/connect.js';
import { watched } from '../../src/remote/shell.js';
import { descendants, startSshd, type Sshd } from './sshd.js';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => sshd?.stop());

async function running(marker: string): Promise<number> {
  let count = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.replace(/\0/g, ' ').startsWith(`sleep ${marker}`)) count++;
  }
  return count;
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const connect = () => connectWorker({ url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts] });

describe('watched commands', () => {
  it('report the exit status of the command', async () => {
    const session = await connect();
    try {
      expect((await session.exec(watched('exit 7'), { holdStdin: true })).code).toBe(7);
      expect((await session.exec(watched('echo out; echo err >&2'), { holdStdin: true })).stdout).toBe('out\n');
    } finally {
      session.close();
    }
  });

  it('are killed, children included, when the run aborts and when the connection drops', async () => {
    const session = await connect();
    const a = `300.${Date.now() % 100000}1`;
    const controller = new AbortController();
    const aborted = session.exec(watched(`sleep ${a} & sleep ${a}`), { holdStdin: true, signal: controller.signal });
    expect(await until(async () => (await running(a)) === 2, 10_000)).toBe(true);
    controller.abort();
    await aborted;
    expect(await until(async () => (await running(a)) === 0, 5_000)).toBe(true);

    const b = `300.${Date.now() % 100000}2`;
    const dropped = session.exec(watched(`sleep ${b}`), { holdStdin: true });
    expect(await until(async () => (await running(b)) === 1, 10_000)).toBe(true);
    session.client.destroy();
    await expect(dropped).rejects.toMatchObject({ name: 'WorkerLostError', retryable: true });
    expect(await until(async () => (await running(b)) === 0, 5_000)).toBe(true);
  });

  it('notice a worker that stops answering (keepalives) and reject with the retryable error', async () => {
    const session = await connectWorker({ url: sshd.url, identity: sshd.identity, knownHosts: [sshd.knownHosts], keepaliveMs: 500 });
    const c = `300.${Date.now() % 100000}3`;
    const pending = session.exec(watched(`sleep ${c}`), { holdStdin: true });
    expect(await until(async () => (await running(c)) === 1, 10_000)).toBe(true);
    // Freeze the server's processes: the TCP connection stays up but nothing answers.
    const frozen = await descendants(sshd.child.pid!);
    for (const pid of [sshd.child.pid!, ...frozen]) process.kill(pid, 'SIGSTOP');
    const started = Date.now();
    try {
      await expect(pending).rejects.toMatchObject({ name: 'WorkerLostError', code: 'TINYX_WORKER_UNREACHABLE' });
      expect(Date.now() - started).toBeLessThan(6_000);
    } finally {
      for (const pid of [sshd.child.pid!, ...frozen]) process.kill(pid, 'SIGCONT');
    }
    expect(await until(async () => (await running(c)) === 0, 10_000)).toBe(true);
  });
});
