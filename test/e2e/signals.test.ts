// A real `tinyx minimize` stopped while its guest runs: kill -9 leaves no QEMU behind (parent-death
// signal), SIGTERM stops at once with 143 and SIGINT with 130, cleaning up after itself.
import { execa, type ResultPromise } from 'execa';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKernel } from '../helpers/start-kernel.js';
import { knowledgeFile, readKnowledge } from '../../src/search/knowledge.js';
import { cacheRoot } from '../../src/util/paths.js';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');
const example = path.join(root, 'examples/hello-http/build/server');
/** A copy of the example under a path of its own, so the knowledge file's entries of these runs can be told apart. */
let server: string;
const probe = path.join(root, 'examples/hello-http/probe.sh');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pids of the QEMUs booting this run's initramfs (its path names the out dir). */
async function guests(out: string): Promise<number[]> {
  const found = await execa('pgrep', ['-f', `qemu-system-x86_64 .*${out}/`], { reject: false });
  return found.stdout.split('\n').filter(Boolean).map(Number);
}

async function untilGuest(out: string, run: ResultPromise, timeoutMs: number): Promise<number[]> {
  const until = Date.now() + timeoutMs;
  let ended = false;
  void run.then(() => { ended = true; });
  while (Date.now() < until && !ended) {
    const pids = await guests(out);
    if (pids.length > 0) return pids;
    await sleep(100);
  }
  throw new Error(`no guest seen for ${out}${ended ? ' (tinyx ended first)' : ''}`);
}

describe('stopping a real run while its guest runs', () => {
  const outs: string[] = [];
  const start = (out: string) => execa('node', [
    cli, 'minimize', '--app', server, '--tests', probe, '--out', out, '--candidates', 'BINFMT_SCRIPT', '--keep-cmdline', '--keep-memory', '--compare-compression', 'none', '--final-runs', '1', '--no-prior',
  ], { reject: false, stdin: 'ignore', all: true });

  beforeAll(async () => {
    await startKernel();
    server = path.join(await mkdtemp(path.join(tmpdir(), 'tinyx-signals-app-')), 'server');
    await copyFile(example, server);
  });
  afterEach(async () => {
    for (const out of outs.splice(0)) {
      for (const pid of await guests(out)) process.kill(pid, 'SIGKILL');
      await rm(out, { recursive: true, force: true });
    }
  });

  it('kill -9 of tinyx takes its QEMU with it within seconds', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'tinyx-kill9-'));
    outs.push(out);
    const run = start(out);
    const pids = await untilGuest(out, run, 15 * 60_000);
    process.kill(run.pid!, 'SIGKILL');
    await run;
    let left = pids;
    for (let waited = 0; left.length > 0 && waited < 5_000; waited += 250) {
      await sleep(250);
      left = await guests(out);
    }
    expect(left).toEqual([]);
  });

  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`${signal} stops at once with ${code}, leaves no QEMU and says how to resume`, async () => {
      const out = await mkdtemp(path.join(tmpdir(), `tinyx-${signal.toLowerCase()}-`));
      outs.push(out);
      const run = start(out);
      await untilGuest(out, run, 15 * 60_000);
      const sent = Date.now();
      process.kill(run.pid!, signal);
      const result = await run;
      expect(result.exitCode).toBe(code);
      expect(Date.now() - sent).toBeLessThan(15_000);
      expect(result.all).toContain(`${signal}: stopping`);
      expect(result.all).toMatch(/run again to resume|resume where it stopped/);
      // Nothing of the run goes on: no guest, no later stage (packing, output).
      expect(await guests(out)).toEqual([]);
      expect(result.all).not.toContain('report.md');
      // An interrupted run teaches the next run's first guess nothing.
      const runs = await readKnowledge(knowledgeFile(cacheRoot(), 'qemu-x86_64'), () => undefined);
      expect(runs.map((r) => r.app)).not.toContain(server);
    });
  }
});
