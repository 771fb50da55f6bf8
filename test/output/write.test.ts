// writeOutput writes the out dir from a plain record alone: no kernel tree, no cache, no live objects.
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputRecord } from '../../src/output/record.js';
import { readReport } from '../../src/output/read.js';
import { renderMarkdown, SVG_FILE } from '../../src/output/report.js';
import { renderSvg } from '../../src/output/svg.js';
import { OUTPUT_FILES, writeOutput } from '../../src/output/write.js';
import { tempDir } from '../deps/helpers.js';
import { report } from './report-fixture.js';

describe('writeOutput', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let record: OutputRecord;

  beforeAll(async () => {
    tmp = await tempDir('tinyx-output-');
    await writeFile(path.join(tmp.dir, 'bzImage'), 'kernel');
    await writeFile(path.join(tmp.dir, 'initramfs.cpio.gz'), 'initramfs');
    record = {
      bzImage: path.join(tmp.dir, 'bzImage'), initramfs: path.join(tmp.dir, 'initramfs.cpio.gz'),
      config: 'CONFIG_VIRTIO_NET=y\n# CONFIG_SIGNALFD is not set\n', defconfig: 'CONFIG_VIRTIO_NET=y\n', cmdline: 'console=ttyS0',
      launch: { machine: 'pc', memory: '256M', extraArgs: ["-name", "it's"], network: { guestPort: 80 }, initramfs: 'initramfs.cpio.gz', accel: 'tcg', reason: 'no /dev/kvm', targets: ['qemu'] },
      report, run: { app: '/bin/true', port: 80 },
    };
  });

  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('is plain data: a JSON round trip changes nothing', () => {
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it('writes every output file from the record, and report.json reads back as the record\'s report', async () => {
    const out = path.join(tmp.dir, 'out');
    const returned = await writeOutput(JSON.parse(JSON.stringify(record)) as OutputRecord, out);
    expect(returned).toEqual(report);
    // The initramfs is named by launch.initramfs (its compression's extension); each name links into the result dir (src/output/swap.ts).
    expect((await readdir(out)).filter((n) => !n.startsWith('.')).sort()).toEqual([...OUTPUT_FILES, 'initramfs.cpio.gz'].sort());
    expect((await readdir(out)).filter((n) => n.startsWith('.')).sort()).toEqual(['.result', '.results']);
    expect(await readFile(path.join(out, 'bzImage'), 'utf8')).toBe('kernel');
    expect(await readFile(path.join(out, 'initramfs.cpio.gz'), 'utf8')).toBe('initramfs');
    expect(await readFile(path.join(out, 'config'), 'utf8')).toBe(record.config);
    expect(await readFile(path.join(out, 'defconfig'), 'utf8')).toBe(record.defconfig);
    expect(await readFile(path.join(out, 'cmdline'), 'utf8')).toBe('console=ttyS0\n');
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'))).toEqual(record.run);
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toBe(renderMarkdown(report));
    expect(await readFile(path.join(out, SVG_FILE), 'utf8')).toBe(renderSvg(report));
    const md = renderMarkdown(report);
    // The picture comes first, where the markdown is rendered: after the summary, before the size table.
    expect(md).toContain(`![bzImage size and options =y after each passing test, and the final VM by part](${SVG_FILE})`);
    expect(md.indexOf(`](${SVG_FILE})`)).toBeLessThan(md.indexOf('| bzImage |'));
    expect(md).toContain('| boot to init (TCG) | 1.50 s | 0.90 s |');
    expect(md).toContain('| boot to port answering | 2.60 s | 1.70 s |');
    expect(md).toContain('| kernel clock at init (the guest\'s) | - | 0.42 s |');
    expect(md).toContain('| guest memory | 256 MiB | 38 MiB |');
    expect(md).toContain('## Boot speedups');
    expect(md).toContain('Without any: 1.70 s; with `tsc=reliable`: 1.30 s.');
    expect(md).toContain('| `i8042.noaux` | 1.29 s | no | 10 ms faster, within the noise (40 ms) |');
    expect(md).toContain('Least guest memory the result passed with: 30 MiB (2 boots, 29 MiB failed); run.sh gives it 38 MiB (+25%).');
    expect(await readReport(out)).toEqual(report);
    const script = await readFile(path.join(out, 'run.sh'), 'utf8');
    expect((await stat(path.join(out, 'run.sh'))).mode & 0o111).toBe(0o111);
    expect(script).toContain('-machine pc $ACCEL -m 256M');
    expect(script).toContain('hostfwd=tcp:127.0.0.1:$HOST_PORT-:80');
    expect(script).toContain(`-name 'it'\\''s'`);
    expect(script).toContain('case "${TINYX_ACCEL:-tcg}" in');
  });

  it('writes the launch file of each of the profile\'s vm.targets beside run.sh, and a result without them leaves none behind', async () => {
    const out = path.join(tmp.dir, 'targets');
    await writeOutput({ ...record, launch: { ...record.launch, targets: ['qemu', 'firecracker', 'cloud-hypervisor'] } }, out);
    const names = async () => (await readdir(out)).filter((n) => !n.startsWith('.')).sort();
    expect(await names()).toEqual([...OUTPUT_FILES, 'initramfs.cpio.gz', 'firecracker.json', 'run-cloud-hypervisor.sh'].sort());
    const firecracker = JSON.parse(await readFile(path.join(out, 'firecracker.json'), 'utf8')) as Record<string, unknown>;
    expect(firecracker['boot-source']).toEqual({ kernel_image_path: 'bzImage', initrd_path: 'initramfs.cpio.gz', boot_args: 'console=ttyS0' });
    expect((await stat(path.join(out, 'firecracker.json'))).mode & 0o111).toBe(0);
    expect((await stat(path.join(out, 'run-cloud-hypervisor.sh'))).mode & 0o111).toBe(0o111);
    await writeOutput(record, out);
    expect(await names()).toEqual([...OUTPUT_FILES, 'initramfs.cpio.gz'].sort());
  });

  it('ships a vmlinux the run found faster beside the bzImage, run.sh boots it, report.md compares both; a later result without one leaves none', async () => {
    const out = path.join(tmp.dir, 'pvh');
    await writeFile(path.join(tmp.dir, 'vmlinux'), 'uncompressed kernel');
    const pvh = {
      runs: 5, shipped: 'vmlinux' as const, detail: '300 ms faster to the app (noise 30 ms)',
      bzImage: { appMs: [1500, 1480, 1520, 1490, 1510], medianAppMs: 1500, medianInitMs: 1470, medianGuestInitMs: 900 },
      vmlinux: { appMs: [1200, 1190, 1210, 1220, 1180], medianAppMs: 1200, medianInitMs: 1150, medianGuestInitMs: 880 },
    };
    const withPvh = { ...report, final: { ...report.final, vmlinuxBytes: 2_500_000 }, pvh };
    await writeOutput({ ...record, vmlinux: path.join(tmp.dir, 'vmlinux'), launch: { ...record.launch, kernel: 'vmlinux' }, report: withPvh }, out);
    const names = async () => (await readdir(out)).filter((n) => !n.startsWith('.')).sort();
    expect(await names()).toEqual([...OUTPUT_FILES, 'initramfs.cpio.gz', 'vmlinux'].sort());
    expect(await readFile(path.join(out, 'vmlinux'), 'utf8')).toBe('uncompressed kernel');
    expect(await readFile(path.join(out, 'run.sh'), 'utf8')).toContain('-kernel vmlinux ');
    const md = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('| vmlinux, PVH entry (run.sh boots it) | - | 2441 KiB |');
    expect(md).toContain('## Kernel entry: bzImage or vmlinux (PVH)');
    expect(md).toContain('| bzImage | 1.47 s | 1.50 s | 0.90 s | passed |');
    expect(md).toContain('| vmlinux (PVH) | 1.15 s | 1.20 s | 0.88 s | passed |');
    expect(md).toContain('The vmlinux: 300 ms faster to the app (noise 30 ms). The launch files boot the vmlinux (the bzImage is in the out dir too).');
    await writeOutput(record, out);
    expect(await names()).toEqual([...OUTPUT_FILES, 'initramfs.cpio.gz'].sort());
    expect(await readFile(path.join(out, 'run.sh'), 'utf8')).toContain('-kernel bzImage ');
  });

  it('lists the harness options in the kept section of report.md, apart from those kept by verdicts', () => {
    const md = renderMarkdown(report);
    const kept = md.slice(md.indexOf('## Kept'), md.indexOf('## Removed'));
    expect(kept).toContain('- `VIRTIO_NET`: fail: tests exited with 1');
    expect(kept).toContain('Not candidates, kept: needed by the harness to reach the app (2 options, no builds): `64BIT`, `NET`.');
    expect(renderMarkdown({ ...report, harness: [] })).not.toContain('needed by the harness');
  });

  it('says in report.md which init the guest ran, and why (nothing for a report from before the key)', () => {
    const tinyx = renderMarkdown({ ...report, init: { kind: 'tinyx', choice: 'auto', reason: 'the app is an ELF executable' } });
    expect(tinyx).toContain('The guest\'s /init: tinyx\'s own (no shell or BusyBox in the guest) (auto: the app is an ELF executable).');
    expect(renderMarkdown({ ...report, init: { kind: 'busybox', choice: 'busybox', reason: '--init busybox' } })).toContain('The guest\'s /init: BusyBox init running the generated rc (asked for).');
    expect(renderMarkdown({ ...report, init: undefined })).not.toContain('The guest\'s /init');
  });

  it('tabulates the search rounds in report.md and names what the later rounds searched', () => {
    const md = renderMarkdown(report);
    const rounds = md.slice(md.indexOf('## Search rounds'));
    expect(rounds).toContain('| 1 | 2 | 1 | 1 | 2 |');
    expect(rounds).toContain('| 2 | 1 | 1 | 0 | 1 |');
    expect(rounds).toContain('Round 2: `INPUT`.');
    expect(rounds).toContain('Closing check on the final config: 1 kept option removed alone, 1 build.');
  });

  it('refuses to read back an out dir without a finished report', async () => {
    await expect(readReport(path.join(tmp.dir, 'nothing-here'))).rejects.toMatchObject({ code: 'TINYX_OUT_INVALID' });
  });
});
