// The accelerator: KVM is trusted only once a guest ran under it; a silent KVM guest is reported or
// falls back to TCG. QEMU is real throughout; the wrappers in test/fixtures/tester play the host's KVM.
import { execa } from 'execa';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApp } from '../../src/deps/index.js';
import { isTinyxError } from '../../src/errors.js';
import { buildInitramfs } from '../../src/packager/initramfs.js';
import { loadProfile } from '../../src/profile/load.js';
import { accelChoice, kvmProbeArgv, PROBE_SECONDS, probeKvm, probeMachine, recordAccel, resolveAccel } from '../../src/vm/accel.js';
import { bootAndTest, KVM_SILENCE_MS } from '../../src/tester/boot.js';
import { buildExampleServer, REPO, tempDir } from '../deps/helpers.js';
import { startKernel } from '../helpers/start-kernel.js';

const FIXTURES = path.join(REPO, 'test/fixtures/tester');
const HANGS = path.join(FIXTURES, 'qemu-kvm-hangs');
const WORKS = path.join(FIXTURES, 'qemu-kvm-works');

describe('the KVM probe', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let device: string;
  beforeAll(async () => {
    tmp = await tempDir('tinyx-accel-');
    // Stands in for /dev/kvm: present, readable and writable; what QEMU does with it is the wrapper's.
    device = path.join(tmp.dir, 'kvm');
    await writeFile(device, '');
  });
  afterAll(() => tmp.cleanup());

  it('says tcg within seconds when a KVM guest prints nothing, and leaves no QEMU behind', async () => {
    const started = Date.now();
    const answer = await probeKvm({ qemu: HANGS, machine: 'pc', device });
    expect(answer.accel).toBe('tcg');
    expect(answer.reason).toMatch(/printed nothing within 5 s/);
    expect(Date.now() - started).toBeLessThan((PROBE_SECONDS + 4) * 1000);
    const left = await execa('pgrep', ['-f', 'sleep 600'], { reject: false });
    expect(left.stdout.trim()).toBe('');
  });

  it('says tcg with QEMU\'s own words when it cannot start a KVM guest', async () => {
    const answer = await probeKvm({ qemu: path.join(FIXTURES, 'qemu-kvm-fails'), machine: 'pc', device });
    expect(answer).toEqual({ accel: 'tcg', reason: 'QEMU could not run a KVM guest here (qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69)' });
  });

  it('says kvm when the probe guest\'s firmware prints', async () => {
    const answer = await probeKvm({ qemu: WORKS, machine: 'pc', device });
    expect(answer).toMatchObject({ accel: 'kvm' });
  });

  it('probes microvm\'s host with pc: qboot prints nothing on the debug console, SeaBIOS does (real QEMU, TCG)', async () => {
    expect(probeMachine('microvm,acpi=off')).toBe('pc');
    expect(probeMachine('q35')).toBe('q35');
    expect(kvmProbeArgv({ qemu: 'qemu', machine: 'microvm,acpi=off', device })).toEqual(['sh', '-c', expect.any(String), 'sh', 'qemu', 'pc', device]);
    const printed = async (machine: string) => {
      const fw = path.join(tmp.dir, `fw-${machine.replace(/\W/g, '')}`);
      await execa('timeout', ['-s', 'KILL', '3', 'qemu-system-x86_64', '-M', machine, '-accel', 'tcg', '-m', '16', '-nodefaults', '-no-user-config', '-display', 'none',
        '-serial', 'none', '-chardev', `file,id=fw,path=${fw}`, '-device', 'isa-debugcon,iobase=0x402,chardev=fw'], { reject: false });
      return (await readFile(fw)).length;
    };
    expect(await printed('pc')).toBeGreaterThan(0);
    expect(await printed('microvm,acpi=off')).toBe(0);
  });

  it('says tcg without starting QEMU when there is no KVM device', async () => {
    const answer = await probeKvm({ qemu: HANGS, machine: 'pc', device: path.join(tmp.dir, 'missing') });
    expect(answer.accel).toBe('tcg');
    expect(answer.reason).toMatch(/^no .*missing$/);
  });

  it('remembers the answer per host, and a recorded demotion replaces it', async () => {
    const cache = path.join(tmp.dir, 'cache');
    const options = { choice: 'auto' as const, qemu: WORKS, machine: 'pc', device, cache };
    const first = await resolveAccel(options);
    expect(first).toMatchObject({ accel: 'kvm', choice: 'auto', cached: false });
    const stored = Object.values(JSON.parse(await readFile(path.join(cache, 'accel.json'), 'utf8')) as Record<string, { accel: string }>);
    expect(stored.map((s) => s.accel)).toEqual(['kvm']);
    await recordAccel(options, 'tcg', 'disproved');
    expect(await resolveAccel(options)).toMatchObject({ accel: 'tcg', reason: 'disproved' });
  });

  it('refuses kvm asked for when the device is missing, and takes tcg as asked', async () => {
    const error = await resolveAccel({ choice: 'kvm', qemu: HANGS, machine: 'pc', device: path.join(tmp.dir, 'missing') }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_ACCEL_UNAVAILABLE')).toBe(true);
    expect(await resolveAccel({ choice: 'tcg', qemu: HANGS, machine: 'pc', device })).toMatchObject({ accel: 'tcg', reason: 'asked for' });
  });

  it('takes --accel over TINYX_ACCEL over the profile, and refuses other words', () => {
    expect(accelChoice('tcg', 'kvm', { TINYX_ACCEL: 'kvm' })).toBe('tcg');
    expect(accelChoice(undefined, 'kvm', { TINYX_ACCEL: 'tcg' })).toBe('tcg');
    expect(accelChoice(undefined, 'kvm', {})).toBe('kvm');
    expect(accelChoice(undefined, undefined, {})).toBe('auto');
    expect(() => accelChoice('xen', 'auto', {})).toThrow(/--accel must be one of auto, kvm, tcg, received "xen"/);
  });
});

describe('a real boot under a KVM that runs nothing', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let common: Omit<Parameters<typeof bootAndTest>[0], 'logDir' | 'qemu'>;
  let qemu: Awaited<ReturnType<typeof loadProfile>>['qemu'];
  const saved = process.env.TINYX_QEMU;
  beforeAll(async () => {
    tmp = await tempDir('tinyx-accel-boot-');
    const kernel = await startKernel();
    const manifest = await resolveApp(await buildExampleServer());
    const initramfs = await buildInitramfs({ manifest, init: { appGuestPath: manifest.app.guestPath, appArgs: [], network: { guestPort: 80 } }, outFile: path.join(tmp.dir, 'initramfs.cpio.gz') });
    const profile = await loadProfile();
    qemu = profile.qemu;
    common = {
      bzImage: kernel.bzImage, initramfs: initramfs.file, cmdline: profile.boot.cmdline, network: { guestPort: 80 },
      tests: path.join(REPO, 'examples/hello-http/probe.sh'), bootTimeoutMs: 120_000, readyTimeoutMs: 30_000, testTimeoutMs: 60_000,
    };
    process.env.TINYX_QEMU = HANGS;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.TINYX_QEMU;
    else process.env.TINYX_QEMU = saved;
    await tmp.cleanup();
  });

  it('is reported as the accelerator\'s failure, with advice, after the silence limit (not the boot timeout)', async () => {
    const started = Date.now();
    const error = await bootAndTest({ ...common, qemu: { ...qemu, accel: 'kvm' }, accel: 'kvm', logDir: path.join(tmp.dir, 'kvm') }).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_ACCEL_SILENT')).toBe(true);
    expect((error as Error & { advice?: string }).advice).toMatch(/--accel tcg/);
    expect(Date.now() - started).toBeLessThan(KVM_SILENCE_MS + 10_000);
  });

  it('falls back to TCG under auto, tells so once, and the boot passes', async () => {
    // This host's remembered answer says KVM works (as a probe on a host where the firmware runs may).
    const probe = { choice: 'auto' as const, qemu: HANGS, machine: qemu.machine };
    await recordAccel(probe, 'kvm', 'a probe guest ran under KVM');
    const warnings: string[] = [];
    const outcome = await bootAndTest({ ...common, qemu: { ...qemu, accel: 'auto' }, logDir: path.join(tmp.dir, 'auto'), warn: (m) => warnings.push(m) });
    expect(outcome.status).toBe('pass');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/printed nothing at all.*using TCG from now on/);
    expect(await resolveAccel(probe)).toMatchObject({ accel: 'tcg' });
  });
});
