// Process identity: a running process is recognised by pid, start time and boot id; a dead or different one is not.
import { execa } from 'execa';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownIdentity, parseIdentity, processIdentity, sameProcessAlive } from '../../src/util/proc.js';

/** Clock ticks since boot, the unit of a start time. */
async function ticksSinceBoot(): Promise<number> {
  const seconds = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
  return seconds * Number((await execa('getconf', ['CLK_TCK'])).stdout);
}

describe('process identity', () => {
  it('names this process and this boot', async () => {
    const own = await ownIdentity();
    expect(own.pid).toBe(process.pid);
    expect(own.bootId).toBe((await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim());
    expect(Number.isInteger(own.startTime) && own.startTime > 0).toBe(true);
    expect(await sameProcessAlive(own)).toBe(true);
    expect(parseIdentity(JSON.stringify(own))).toEqual(own);
  });

  it('is alive while a child runs, and not once it is killed', async () => {
    const child = execa('sleep', ['30'], { reject: false });
    const identity = await processIdentity(child.pid!);
    expect(identity).toBeDefined();
    expect(identity!.startTime).toBeGreaterThanOrEqual((await ownIdentity()).startTime);
    expect(await sameProcessAlive(identity!)).toBe(true);
    child.kill('SIGKILL');
    await child;
    expect(await processIdentity(child.pid!)).toBeUndefined();
    expect(await sameProcessAlive(identity!)).toBe(false);
  });

  it('is not the same process when the start time or the boot differs (a reused pid, a reboot)', async () => {
    const child = execa('sleep', ['30'], { reject: false });
    try {
      const identity = (await processIdentity(child.pid!))!;
      expect(await sameProcessAlive({ ...identity, startTime: identity.startTime - 1 })).toBe(false);
      expect(await sameProcessAlive({ ...identity, bootId: '00000000-0000-0000-0000-000000000000' })).toBe(false);
      expect(await sameProcessAlive(identity)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await child;
    }
  });

  it('has no identity for an exited process nobody reaped yet (a zombie)', async () => {
    // perl forks a child that exits at once, then sleeps without ever waiting for it. (A shell would not do:
    // dash may reap a background job that exits before the `exec`.)
    const parent = execa('perl', ['-e', '$| = 1; my $p = fork; exit 0 unless $p; print "$p\\n"; sleep 30'], { reject: false });
    const zombie = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    try {
      for (let i = 0; i < 50 && !(await readFile(`/proc/${zombie}/stat`, 'utf8')).includes(') Z '); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await readFile(`/proc/${zombie}/stat`, 'utf8')).toContain(') Z ');
      expect(await processIdentity(zombie)).toBeUndefined();
    } finally {
      parent.kill('SIGKILL');
      await parent;
    }
  });

  it('reads the start time even when the command name holds spaces and ")"', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-proc-'));
    const odd = path.join(dir, 'a) b c');
    await symlink((await execa('sh', ['-c', 'command -v sleep'])).stdout, odd);
    const child = execa(odd, ['30'], { reject: false });
    try {
      const identity = (await processIdentity(child.pid!))!;
      expect(await readFile(`/proc/${child.pid}/stat`, 'utf8')).toContain('(a) b c)');
      expect(Math.abs(identity.startTime - (await ticksSinceBoot()))).toBeLessThan(500);
      expect(await sameProcessAlive(identity)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await child;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads no identity from a bare pid or other text', () => {
    expect(parseIdentity('1234')).toBeUndefined();
    expect(parseIdentity('')).toBeUndefined();
    expect(parseIdentity('{"pid":12,"startTime":"x","bootId":"b"}')).toBeUndefined();
  });
});
