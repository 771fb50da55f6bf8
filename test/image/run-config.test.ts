// The image's config as the default run, as `docker run IMAGE [ARGS]` would do it, and what a VM cannot honour.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRun, DEFAULT_PATH, imageFacts, openImage, Tree, type ContainerConfig, type ImageFacts, type TreeEntry } from '../../src/image/index.js';
import { buildAppLayout } from './build-images.js';

const dir: TreeEntry = { type: 'directory', mode: 0o755, uid: 0, gid: 0 };
const exe: TreeEntry = { type: 'file', mode: 0o755, uid: 0, gid: 0, size: 1 };
const facts: ImageFacts = {
  tree: Tree.fromList([
    ['usr', dir], ['usr/sbin', dir], ['usr/sbin/nginx', exe], ['usr/bin', dir], ['usr/bin/env', exe], ['bin', { type: 'symlink', mode: 0o777, uid: 0, gid: 0, target: 'usr/bin' }],
    ['opt', dir], ['opt/app', dir], ['opt/app/bin', dir], ['opt/app/bin/serve', exe], ['opt/app/start.sh', exe], ['opt/app/README', { ...exe, mode: 0o644 }],
  ]),
  passwd: 'root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101::/var/cache/nginx:/sbin/nologin\n',
  group: 'root:x:0:\nnginx:x:101:\n',
};
const run = (config: ContainerConfig, overrides = {}) => defaultRun(config, facts, overrides);

describe('defaultRun', () => {
  it('runs Entrypoint + Cmd; arguments given replace Cmd only', () => {
    const config = { Entrypoint: ['/usr/sbin/nginx', '-g'], Cmd: ['daemon off;'] };
    expect(run(config).argv).toEqual(['/usr/sbin/nginx', '-g', 'daemon off;']);
    expect(run(config, { args: ['daemon on;'] }).argv).toEqual(['/usr/sbin/nginx', '-g', 'daemon on;']);
    expect(run({ Cmd: ['/usr/bin/env'] }, { args: ['/opt/app/bin/serve', '--port', '80'] }).argv).toEqual(['/opt/app/bin/serve', '--port', '80']);
  });

  it('looks a bare program name up in the image PATH (from Env), and a relative path from WorkingDir', () => {
    expect(run({ Cmd: ['nginx'] }).argv[0]).toBe('/usr/sbin/nginx');
    expect(run({ Cmd: ['serve'], Env: ['PATH=/opt/app/bin:/usr/bin'] }).argv[0]).toBe('/opt/app/bin/serve');
    expect(run({ Cmd: ['env'], Env: ['PATH=/bin'] }).argv[0]).toBe('/bin/env');
    expect(run({ Cmd: ['./start.sh'], WorkingDir: '/opt/app' }).argv[0]).toBe('/opt/app/start.sh');
  });

  it('refuses a program the image lacks or cannot execute, and an image naming none', () => {
    expect(() => run({ Cmd: ['serve'] })).toThrow(expect.objectContaining({ code: 'TINYX_APP_NOT_FOUND', message: expect.stringContaining(`no directory of its PATH (${DEFAULT_PATH}) has it`) }));
    expect(() => run({ Entrypoint: ['/opt/app/README'] })).toThrow(expect.objectContaining({ code: 'TINYX_APP_NOT_FOUND', message: expect.stringContaining('is not an executable file') }));
    expect(() => run({ Entrypoint: ['/usr/bin/missing'] })).toThrow(expect.objectContaining({ code: 'TINYX_APP_NOT_FOUND', message: expect.stringContaining('it has no /usr/bin/missing') }));
    expect(() => run({ Entrypoint: null, Cmd: null })).toThrow(expect.objectContaining({ code: 'TINYX_USAGE' }));
  });

  it('keeps the image Env, adds the default PATH and the user\'s HOME when missing, and applies the user\'s over them', () => {
    expect(run({ Cmd: ['nginx'], Env: ['A=1'], User: 'nginx' }).env).toEqual(['A=1', `PATH=${DEFAULT_PATH}`, 'HOME=/var/cache/nginx']);
    expect(run({ Cmd: ['nginx'], Env: ['A=1', 'HOME=/h', 'PATH=/usr/sbin'] }, { env: ['A=2', 'B=x=y'] }).env).toEqual(['A=2', 'HOME=/h', 'PATH=/usr/sbin', 'B=x=y']);
  });

  it('resolves User and WorkingDir, the user\'s over the image\'s', () => {
    const r = run({ Cmd: ['nginx'], User: 'nginx', WorkingDir: '/srv' });
    expect(r).toMatchObject({ user: { uid: 101, gid: 101, name: 'nginx' }, workingDir: '/srv' });
    expect(run({ Cmd: ['nginx'], User: 'nginx' }, { user: '0', workdir: '/tmp' })).toMatchObject({ user: { uid: 0, gid: 0 }, workingDir: '/tmp' });
    expect(run({ Cmd: ['nginx'] }).workingDir).toBe('/');
    expect(() => run({ Cmd: ['nginx'], User: 'www-data' })).toThrow(expect.objectContaining({ code: 'TINYX_USER_NOT_FOUND' }));
  });

  it('takes the one exposed TCP port as the default, and says when there are several or UDP ones', () => {
    expect(run({ Cmd: ['nginx'], ExposedPorts: { '80/tcp': {} } })).toMatchObject({ port: 80, notes: [] });
    expect(run({ Cmd: ['nginx'], ExposedPorts: { 8080: {} } }).port).toBe(8080);
    const several = run({ Cmd: ['nginx'], ExposedPorts: { '80/tcp': {}, '443/tcp': {} } });
    expect(several.port).toBeUndefined();
    expect(several.notes).toEqual(['the image exposes several TCP ports (80, 443): none is the default; name the one to test']);
    const udp = run({ Cmd: ['nginx'], ExposedPorts: { '53/udp': {}, '53/tcp': {} } });
    expect(udp).toMatchObject({ port: 53, ports: [{ port: 53, protocol: 'udp' }, { port: 53, protocol: 'tcp' }] });
    expect(udp.notes).toEqual(['the image exposes UDP port 53: the default port is TCP only']);
    expect(run({ Cmd: ['nginx'] })).toMatchObject({ ports: [], notes: [] });
  });

  it('lists the fields a VM does not honour, when the image sets them', () => {
    const r = run({ Cmd: ['nginx'], Volumes: { '/data': {} }, StopSignal: 'SIGQUIT', Healthcheck: { Test: ['CMD', 'true'] }, Labels: { a: 'b' } });
    expect(r.unhonoured.map((u) => u.split(':')[0])).toEqual(['Volumes', 'Healthcheck', 'StopSignal']);
    expect(run({ Cmd: ['nginx'], Volumes: {}, OnBuild: null }).unhonoured).toEqual([]);
  });
});

describe('defaultRun of an unpacked image', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'tinyx-image-run-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('reads the image\'s own /etc/passwd and finds its entrypoint through its PATH', async () => {
    const image = await openImage(await buildAppLayout(path.join(tmp, 'app')), { cacheRoot: path.join(tmp, 'cache') });
    const r = defaultRun(image.config.config, await imageFacts(image));
    expect(r).toMatchObject({ argv: ['/bin/server', '8080'], workingDir: '/srv/www', user: { uid: 1000, gid: 1000, name: 'app', home: '/home/app' }, port: 8080 });
    expect(r.env).toEqual(expect.arrayContaining(['GREETING=hi', 'HOME=/home/app']));
    expect(r.unhonoured.map((u) => u.split(':')[0])).toEqual(['Volumes', 'StopSignal']);
    expect(defaultRun(image.config.config, await imageFacts(image), { user: 'app:web', args: ['9090'] })).toMatchObject({ argv: ['/bin/server', '9090'], user: { gid: 2000 } });
  }, 60_000);
});
