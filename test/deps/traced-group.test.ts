// Stopping a --trace run: tinyx stopped by a signal takes the traced app's whole process group with it.
import { execa } from 'execa';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from './helpers.js';

const cli = path.join(REPO, 'dist/cli/main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('tinyx-traced-group-');
});
afterAll(async () => {
  for (const pid of await running(tmp.dir)) process.kill(pid, 'SIGKILL');
  await tmp.cleanup();
});

/** Live processes whose command line names `marker` (zombies have none). */
async function running(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) pids.push(Number(name));
  }
  return pids;
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await check()) return true;
  return check();
}

/**
 * A traced app that ignores SIGTERM and forks a child that keeps running (both named by the
 * app's path), probed by a command that outlasts the test: `tinyx deps --trace` on it, or
 * `tinyx minimize --trace` with the probe as its tests.
 */
async function startTrace(name: string, command: 'deps' | 'minimize' = 'deps') {
  const dir = path.join(tmp.dir, name);
  const app = `${dir}-app.sh`;
  await writeFile(app, `#!/bin/sh\ntrap '' TERM\nsh -c 'trap "" TERM; while :; do sleep 1; done' "$0-child" &\n: > "$0.started"\nwhile :; do sleep 1; done\n`);
  const probe = `${dir}-probe.sh`;
  await writeFile(probe, '#!/bin/sh\nexec sh -c \'while :; do sleep 1; done\' "$0"\n');
  await Promise.all([chmod(app, 0o755), chmod(probe, 0o755)]);
  const args = command === 'deps'
    ? ['deps', '--app', app, '--trace', '--trace-seconds', '300', '--trace-probe', probe, '--no-packages']
    : ['minimize', '--app', app, '--tests', probe, '--trace', '--port', '8', '--test-timeout', '300', '--out', `${dir}-out`];
  const run = execa('node', [cli, ...args], { reject: false, stdin: 'ignore', all: true });
  const started = await until(async () => (await readFile(`${app}.started`).then(() => true, () => false)) && (await running(`${dir}-app.sh-child`)).length > 0, 30_000);
  expect(started, 'the traced app and its child started').toBe(true);
  return { run, marker: `${dir}-` };
}

describe('stopping tinyx while it traces the app', () => {
  it('SIGTERM: tinyx stops within seconds, and no process of the traced group (nor the probe) is left', async () => {
    const { run, marker } = await startTrace('term');
    const sent = Date.now();
    process.kill(run.pid!, 'SIGTERM');
    const result = await run;
    expect(await running(marker)).toEqual([]);
    expect(Date.now() - sent, result.all).toBeLessThan(10_000);
    expect(result.exitCode, result.all).toBe(143);
  });

  it('minimize --trace: SIGTERM while the tests run against the traced app leaves none of its processes', async () => {
    const { run, marker } = await startTrace('minimize', 'minimize');
    process.kill(run.pid!, 'SIGTERM');
    const result = await run;
    expect(await running(marker), result.all).toEqual([]);
    expect(result.all).toMatch(/TINYX_INTERRUPTED/);
  });

  it('a second signal ends tinyx at once, and the traced group goes with it', async () => {
    const { run, marker } = await startTrace('twice');
    process.kill(run.pid!, 'SIGTERM');
    process.kill(run.pid!, 'SIGTERM');
    await run;
    expect(await until(async () => (await running(marker)).length === 0, 3_000), `left: ${(await running(marker)).join(', ')}`).toBe(true);
  });
});
