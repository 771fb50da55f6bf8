// docs/nightly.md shows the files it tells to install as they are, and the example fleet file is valid.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../../src/cli/main.js';
import { capture } from '../helpers/capture.js';

const root = path.resolve(__dirname, '../..');
const docs = path.join(root, 'docs');
const FILES = ['fleet.yaml', 'tinyx-fleet.cron', 'tinyx-fleet.service', 'tinyx-fleet.timer'];

describe('docs/nightly.md', () => {
  it('shows each file it installs verbatim', async () => {
    const md = await readFile(path.join(docs, 'nightly.md'), 'utf8');
    for (const name of FILES) expect(md, name).toContain(await readFile(path.join(docs, 'nightly', name), 'utf8'));
  });

  it('has cron and systemd run the same command, with the same cache, on the fleet file it installs', async () => {
    const command = '/usr/bin/node dist/cli/main.js fleet run /etc/tinyx/fleet.yaml --out /var/lib/tinyx/fleet';
    const cron = await readFile(path.join(docs, 'nightly', 'tinyx-fleet.cron'), 'utf8');
    const service = await readFile(path.join(docs, 'nightly', 'tinyx-fleet.service'), 'utf8');
    expect(cron).toMatch(new RegExp(`^0 3 \\* \\* \\* root cd /opt/tinyx && ${command.replaceAll('/', '\\/').replaceAll('.', '\\.')} >>/var/log/tinyx-fleet\\.log 2>&1$`, 'm'));
    expect(service).toContain(`ExecStart=${command.replace('dist/', '/opt/tinyx/dist/')}`);
    expect(cron).toContain('TINYX_CACHE=/var/cache/tinyx');
    expect(service).toContain('Environment=TINYX_CACHE=/var/cache/tinyx');
    expect(await readFile(path.join(docs, 'nightly', 'tinyx-fleet.timer'), 'utf8')).toContain('OnCalendar=*-*-* 03:00:00');
  });

  it('ships a fleet file that `tinyx fleet check` accepts (with /opt/tinyx as this checkout)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tinyx-nightly-'));
    const file = path.join(dir, 'fleet.yaml');
    await writeFile(file, (await readFile(path.join(docs, 'nightly', 'fleet.yaml'), 'utf8')).replaceAll('/opt/tinyx', root));
    const log = capture();
    expect(await runMain(['fleet', 'check', file], log.io), log.err.join('')).toBe(0);
    const listed = log.out.join('');
    expect(listed).toContain(`hello-http: ${root}/examples/hello-http/build/server tested by ${root}/examples/hello-http/probe.sh, port 80, profile qemu-x86_64, kernel linux-source-6.1`);
    expect(listed).toContain('sh-status: ');
  });
});
