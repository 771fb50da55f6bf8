// The fleet file: minimize's flags as YAML keys, defaults under each app's own, every problem with its line.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/flags/flag.js';
import { MINIMIZE_FLAGS } from '../../src/flags/minimize.js';
import { optionsFromFlags } from '../../src/flags/minimize-options.js';
import { isTinyxError } from '../../src/errors.js';
import { appArgv } from '../../src/fleet/argv.js';
import { parseFleet } from '../../src/fleet/file.js';
import { loadFleet } from '../../src/fleet/load.js';

/** The message of the TINYX_FLEET_INVALID error parsing `text` gives. */
function problems(text: string): string {
  try {
    parseFleet(text, '/srv/fleet/fleet.yaml');
  } catch (error) {
    expect(isTinyxError(error, 'TINYX_FLEET_INVALID'), String(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('the fleet file was accepted');
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('fleet file', () => {
  it('merges the defaults under each app\'s own keys and makes paths absolute against the file\'s folder', () => {
    const fleet = parseFleet(lines(
      'kernel: linux-source-6.12',
      'out: ../nightly',
      'keep-history: 3',
      'defaults:',
      '  keep-memory: true',
      '  final-runs: 1',
      '  port: 80',
      'execution:',
      '  jobs: 2',
      '  workers: workers.yaml',
      'apps:',
      '  hello-http:',
      '    app: bin/server',
      '    tests: ./probe.sh',
      '    candidates: [EPOLL, SIGNALFD]',
      '  notes:',
      '    app: /opt/notes/notes.py',
      '    tests: notes/probe.sh',
      '    port: 8000',
      '    env: { GREETING: hello, EMPTY: "" }',
      '    include: [site.conf:/etc/site.conf, /etc/ssl/certs]',
      '    profile: profiles/mine.yaml',
      '    args: [8000, --verbose]',
    ), '/srv/fleet/fleet.yaml');
    expect(fleet.kernel).toBe('linux-source-6.12');
    expect(fleet.out).toBe('/srv/nightly');
    expect(fleet.keepHistory).toBe(3);
    expect(fleet.execution).toEqual({ jobs: '2', workers: '/srv/fleet/workers.yaml' });
    const [hello, notes] = fleet.apps;
    expect(hello).toEqual({
      name: 'hello-http', line: 12, args: [],
      flags: { 'keep-memory': true, 'final-runs': '1', port: '80', app: '/srv/fleet/bin/server', tests: '/srv/fleet/probe.sh', candidates: 'EPOLL,SIGNALFD' },
    });
    expect(notes?.flags).toMatchObject({
      port: '8000', app: '/opt/notes/notes.py', tests: '/srv/fleet/notes/probe.sh', env: ['GREETING=hello', 'EMPTY='],
      include: ['/srv/fleet/site.conf:/etc/site.conf', '/etc/ssl/certs'], profile: '/srv/fleet/profiles/mine.yaml', 'keep-memory': true,
    });
    expect(notes?.args).toEqual(['8000', '--verbose']);
  });

  it('keeps a profile or a kernel given by name, and resolves one given as a path', () => {
    const fleet = parseFleet(lines('kernel: ../linux-6.12', 'apps:', '  a:', '    app: a', '    tests: t', '    profile: qemu-x86_64'), '/srv/fleet/f.yaml');
    expect(fleet.kernel).toBe('/srv/linux-6.12');
    expect(fleet.apps[0]?.flags.profile).toBe('qemu-x86_64');
  });

  it('reports every problem at once, each with its line, expected against received', () => {
    const message = problems(lines(
      'defaults:',
      '  trace: yes please',
      'apps:',
      '  web:',
      '    app: ./server',
      '    tets: ./probe.sh',
      '    port: [80]',
      '    jobs: 4',
      '    out: /tmp/x',
      '  "bad name":',
      '    app: x',
      '    tests: y',
      '    env: GREETING=hi',
      'keep-history: seven',
      'kernal: linux-source-6.1',
    ));
    expect(message).toContain('line 2: defaults.trace: expected true or false, received "yes please"');
    expect(message).toContain('line 6: unknown key "tets" under apps.web (did you mean "tests"?)');
    expect(message).toContain('line 7: apps.web.port: expected N (a string), received a list');
    // Execution flags are the fleet's, shared by every app; out and from are the fleet's too.
    expect(message).toContain('line 8: "jobs" under apps.web: jobs is shared by every app: put it under execution (or pass --jobs)');
    expect(message).toContain('line 9: "out" under apps.web: the fleet writes each app into <fleet out dir>/<app name>');
    expect(message).toContain('line 4: apps.web: needs tests: (its own, or under defaults)');
    expect(message).toContain('line 10: apps.bad name: an app\'s name names its out dir');
    expect(message).toContain('line 13: apps.bad name.env: expected a list, received "GREETING=hi"');
    expect(message).toContain('line 14: keep-history: expected a whole number of results to keep, received "seven"');
    expect(message).toContain('line 15: unknown key "kernal" at the top level (did you mean "kernel"?)');
  });

  it('refuses a file without apps, and YAML that does not parse, with the line', () => {
    expect(problems('defaults:\n  port: 80\n')).toContain('apps: expected a mapping of app names to their minimize keys');
    expect(problems('apps: []\n')).toMatch(/line 1: apps: expected a mapping/);
    expect(problems('apps:\n  web:\n    app: [x\n')).toMatch(/line \d+: /);
    expect(problems('- a\n- b\n')).toContain('line 1: expected a mapping at the top level');
  });
});

describe('loadFleet', () => {
  async function fleetFile(text: string): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-fleet-file-'));
    const file = path.join(dir, 'fleet.yaml');
    await writeFile(file, text);
    return file;
  }

  it('gives each app exactly the options the same minimize flags give (one mapping)', async () => {
    const file = await fleetFile(lines(
      'defaults:', '  keep-memory: true', '  final-runs: 1',
      'execution:', '  jobs: 2',
      'apps:',
      '  notes:', '    app: /opt/notes.py', '    tests: /opt/probe.sh', '    port: 8000', '    user: www-data',
      '    env: { GREETING: hello }', '    cwd: /srv/notes', '    candidates: [FUTEX, EPOLL]', '    accel: tcg', '    args: [8000]',
    ));
    const plan = await loadFleet(file, { kernel: 'linux-source-6.12' });
    const argv = ['--app', '/opt/notes.py', '--tests', '/opt/probe.sh', '--port', '8000', '--user', 'www-data', '--env', 'GREETING=hello',
      '--cwd', '/srv/notes', '--candidates', 'FUTEX,EPOLL', '--accel', 'tcg', '--keep-memory', '--final-runs', '1', '--jobs', '2', '--kernel-src', 'linux-source-6.12'];
    const byFlags = await optionsFromFlags(parseFlags(MINIMIZE_FLAGS, argv).values, ['8000']);
    expect(plan.apps[0]?.options).toEqual(byFlags);
    expect(plan.apps[0]?.options).toMatchObject({ port: 8000, env: { GREETING: 'hello' }, candidates: ['FUTEX', 'EPOLL'], finalRuns: 1, keepMemory: true, jobs: 2, kernelSrc: 'linux-source-6.12', appArgs: ['8000'] });
  });

  it('writes values that start with a dash as values', () => {
    const argv = appArgv({ name: 'a', line: 1, flags: { app: '/a', tests: '/t', env: ['X=-1'], trace: false, 'keep-memory': true }, args: ['-v'] }, { execution: { jobs: '1' } });
    expect(argv).toEqual(['--app=/a', '--tests=/t', '--env=X=-1', '--keep-memory', '--jobs=1', '--', '-v']);
  });

  it('reports what minimize\'s mapping refuses with the app\'s line', async () => {
    const file = await fleetFile(lines(
      'apps:',
      '  ok:', '    app: /a', '    tests: /t',
      '  web:', '    app: /a', '    tests: /t', '    cwd: srv',
      '  api:', '    app: /a', '    tests: /t', '    env: ["1X=2"]', '    profile: no-such-profile',
    ));
    const error = await loadFleet(file).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_FLEET_INVALID')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('line 5: apps.web: --cwd is a directory in the VM and must be absolute, received "srv".');
    expect(message).toContain('line 9: apps.api: Profile "no-such-profile" not found');
    expect(message).not.toContain('apps.ok');
  });

  it('runs only the apps --only names, and refuses a name the file lacks', async () => {
    const file = await fleetFile(lines('apps:', '  hello-http:', '    app: /a', '    tests: /t', '  sh-status:', '    app: /b', '    tests: /t'));
    expect((await loadFleet(file, { only: ['sh-status'] })).apps.map((a) => a.app.name)).toEqual(['sh-status']);
    const error = await loadFleet(file, { only: ['hello-htp'] }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_USAGE')).toBe(true);
    expect((error as Error).message).toContain('--only hello-htp: the fleet file has no app of that name (did you mean "hello-http"?)');
    const missing = await loadFleet(path.join(path.dirname(file), 'none.yaml')).catch((e: unknown) => e);
    expect(isTinyxError(missing, 'TINYX_FLEET_INVALID')).toBe(true);
  });
});
