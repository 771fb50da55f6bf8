// The real CLI on a pty (`script` started from no terminal): one of size 0x0, one with a size, one
// resized to 0x0 mid-run. Each run gets to the start kernel's build (one only to the kernel tarball's
// unpacking); Ctrl-C or SIGTERM stops it within seconds, nothing is left running, the log is not flooded.
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');
const app = path.join(root, 'examples/hello-http/build/server');
const probe = path.join(root, 'examples/hello-http/probe.sh');
/** A spinner writes a few KB a second; ora looping on a 0-column terminal wrote 800 KB a second. */
const MAX_BYTES_PER_SECOND = 50_000;
/** Unpacking the kernel tarball into the empty cache, packing the initramfs, making the start config, on a loaded host. */
const REACH_MS = 5 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kill = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
};

/** Processes working in `dir` or naming it: make and its compilers run in the cache's build slot. */
async function processesIn(dir: string): Promise<{ pid: number; name: string }[]> {
  const found: { pid: number; name: string }[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '');
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cwd === dir || cwd.startsWith(`${dir}/`) || cmdline.includes(dir)) {
      found.push({ pid: Number(pid), name: (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() });
    }
  }
  return found;
}

describe('tinyx minimize on a pty, stopped while it runs', () => {
  let cache: string;
  let work: string;
  beforeAll(async () => {
    cache = await mkdtemp(path.join(tmpdir(), 'tinyx-pty-cache-'));
    work = await mkdtemp(path.join(tmpdir(), 'tinyx-pty-'));
  });
  afterAll(async () => {
    for (const { pid } of await processesIn(cache)) kill(pid, 'SIGKILL');
    await rm(cache, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }, 5 * 60_000);

  /**
   * Runs minimize under `script`, after `stty` sets the pty's size (none: 0x0); once `reached` holds
   * for the log and the processes working in the cache, calls `meanwhile` with the pty, then stops the
   * run: Ctrl-C typed into the pty, or SIGTERM sent to tinyx.
   */
  async function stopped(name: string, options: {
    stty?: string;
    reached: (log: string, running: string[]) => boolean;
    meanwhile?: (tty: string) => Promise<void>;
    stop: 'ctrl-c' | 'SIGTERM';
  }) {
    const dir = path.join(work, name);
    await mkdir(dir);
    const log = path.join(dir, 'typescript');
    const argv = [cli, 'minimize', '--app', app, '--tests', probe, '--out', path.join(dir, 'out'), '--compression', 'gzip'];
    const command = [options.stty ? `stty ${options.stty}` : '', `tty > ${dir}/tty`, `echo $$ > ${dir}/pid`, `exec node ${argv.join(' ')}`].filter(Boolean).join('; ');
    const began = Date.now();
    // stdin a pipe, not a terminal: `script` opens the pty without a size, and passes on what is typed.
    const run = execa('script', ['-qfec', command, log], {
      stdin: 'pipe', detached: true, reject: false, env: { TINYX_CACHE: cache, CI: undefined, TERM: 'xterm-256color' },
    });
    let result: { exitCode?: number } | undefined;
    void run.then((r) => { result = r; });
    const ended = () => result;
    const text = () => readFile(log, 'utf8').catch(() => '');
    const flooded = async () => {
      const seconds = Math.max(1, (Date.now() - began) / 1000);
      const bytes = (await text()).length;
      return bytes > MAX_BYTES_PER_SECOND * seconds ? `${bytes} bytes in ${Math.round(seconds)} s` : undefined;
    };
    let pid: number | undefined;
    try {
      for (;;) {
        if (ended()) throw new Error(`tinyx ended first:\n${(await text()).slice(-2000)}`);
        const flood = await flooded();
        if (flood) throw new Error(`the log was flooded: ${flood}`);
        if (Date.now() - began > REACH_MS) throw new Error(`not reached within ${REACH_MS / 1000} s:\n${(await text()).slice(-2000)}`);
        if (options.reached(await text(), (await processesIn(cache)).map((p) => p.name))) break;
        await sleep(250);
      }
      pid = Number(await readFile(path.join(dir, 'pid'), 'utf8'));
      await options.meanwhile?.((await readFile(path.join(dir, 'tty'), 'utf8')).trim());
      const sent = Date.now();
      if (options.stop === 'ctrl-c') run.stdin!.write('\u0003');
      else process.kill(pid, 'SIGTERM');
      await Promise.race([run, sleep(30_000)]);
      const stoppedMs = Date.now() - sent;
      const flood = await flooded();
      let left = await processesIn(cache);
      for (let waited = 0; left.length > 0 && waited < 3_000; waited += 250) {
        await sleep(250);
        left = await processesIn(cache);
      }
      return { code: ended()?.exitCode, stoppedMs, flood, left, log: await text() };
    } finally {
      if (!ended()) {
        if (pid) kill(-pid, 'SIGKILL');
        kill(-run.pid!, 'SIGKILL');
        await run;
      }
      for (const { pid: left } of await processesIn(cache)) kill(left, 'SIGKILL');
    }
  }

  const stoppedAtOnce = (r: Awaited<ReturnType<typeof stopped>>, signal: 'SIGINT' | 'SIGTERM') => {
    expect(r.code).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(r.stoppedMs).toBeLessThan(10_000);
    expect(r.log).toContain(`${signal}: stopping`);
    expect(r.log).toContain('TINYX_INTERRUPTED');
    expect(r.flood).toBeUndefined();
    expect(r.left).toEqual([]);
  };
  // The run's first build: the first guess's (the shipped prior gives every run one), or the start config's.
  const building = (line: RegExp) => (log: string, running: string[]) => line.test(log) && running.includes('make');

  it('Ctrl-C while the kernel tarball unpacks, on a pty of size 0x0: the run stops and says it was interrupted', async () => {
    const r = await stopped('unpacking', { reached: (_, running) => running.includes('tar'), stop: 'ctrl-c' });
    stoppedAtOnce(r, 'SIGINT');
    // The tar that Ctrl-C stopped too is no unpacking failure.
    expect(r.log).not.toContain('TINYX_KERNEL_SRC_NOT_FOUND');
  }, 8 * 60_000);

  it('a pty of size 0x0 gets plain lines, and Ctrl-C stops the run', async () => {
    const r = await stopped('0x0', { reached: building(/ {3}build (guess|start)/), stop: 'ctrl-c' });
    stoppedAtOnce(r, 'SIGINT');
    expect(r.log).toContain('== checking inputs');
    expect(r.log).not.toContain('\u001b[');
  }, 8 * 60_000);

  it('a pty with a size gets the spinner, and Ctrl-C stops the run', async () => {
    const r = await stopped('120x40', { stty: 'cols 120 rows 40', reached: building(/building (guess|start)/), stop: 'ctrl-c' });
    stoppedAtOnce(r, 'SIGINT');
    // ora hides the cursor while it spins.
    expect(r.log).toContain('\u001b[?25l');
    expect(r.log).not.toMatch(/ {3}build (guess|start)/);
  }, 8 * 60_000);

  it('a pty resized to 0x0 while the spinner spins: SIGTERM still stops the run', async () => {
    const r = await stopped('resized', {
      stty: 'cols 120 rows 40',
      reached: building(/building (guess|start)/),
      meanwhile: async (tty) => {
        await execa('stty', ['-F', tty, 'cols', '0', 'rows', '0']);
        await sleep(2_000);
      },
      stop: 'SIGTERM',
    });
    stoppedAtOnce(r, 'SIGTERM');
  }, 8 * 60_000);
});
