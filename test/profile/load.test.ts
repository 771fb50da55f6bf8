import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadProfile, parseProfile, profileNames } from '../../src/profile/load.js';
import { isTinyxError } from '../../src/errors.js';
import { EXAMPLES } from '../../scripts/examples.mjs';

/** The problems parseProfile reports for `text` (it must refuse it with TINYX_PROFILE_INVALID). */
function problems(text: string): string {
  try {
    parseProfile(text, 'typo.yaml');
  } catch (e) {
    expect(isTinyxError(e, 'TINYX_PROFILE_INVALID')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('the profile was accepted');
}

/** A shipped search.prior: each entry a bundled example (scripts/examples.mjs) with Kconfig option names. */
function expectLearnedFromExamples(prior: { example: string; needed: string[] }[]): void {
  for (const { example, needed } of prior) {
    expect(Object.keys(EXAMPLES)).toContain(example);
    for (const option of needed) expect(option).toMatch(/^[A-Z0-9_]+$/);
  }
}

describe('profiles', () => {
  it('loads the bundled default profile', async () => {
    const profile = await loadProfile();
    expect(profile.name).toBe('qemu-x86_64');
    expect(profile.kernel.base).toBe('tinyconfig');
    expect(profile.kernel.source).toBe('linux-source-6.1');
    expect(profile.kernel.enable).toContain('VIRTIO_NET');
    expect(profile.kernel.harness.always).toContain('SERIAL_8250_CONSOLE');
    expect(profile.kernel.harness.network).toEqual(['NET', 'INET', 'NETDEVICES', 'NET_CORE', 'PCI', 'VIRTIO_MENU', 'VIRTIO_PCI', 'VIRTIO_NET']);
    expect(profile.boot.cmdline).toContain('console=ttyS0');
    expect(profile.qemu.machine).toBe('pc');
  });

  it('strips CONFIG_ prefixes', () => {
    const profile = parseProfile('kernel:\n  enable: [CONFIG_NET, INET]\n', 'x.yaml');
    expect(profile.kernel.enable).toEqual(['NET', 'INET']);
  });

  it('rejects an unknown profile name with a code and advice', async () => {
    const error = await loadProfile('no-such-profile').catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_PROFILE_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('no-such-profile');
  });

  it('reports each problem with its YAML line, expected vs received', () => {
    const text = ['name: broken', 'kernel:', '  base: tinyconfig', '  enable: NET', 'boot:', '  cmdline: quiet', 'qemu:', '  memory: [1, 2]'].join('\n');
    let error: unknown;
    try {
      parseProfile(text, 'broken.yaml');
    } catch (e) {
      error = e;
    }
    expect(isTinyxError(error, 'TINYX_PROFILE_INVALID')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('line 4: kernel.enable: expected a list of strings, received "NET"');
    expect(message).toContain('line 6: boot.cmdline must contain console=ttyS0');
    expect(message).toContain('line 8: qemu.memory: expected a string, received a list');
  });

  it('refuses a boot speedup that is not one boot option, with its line', () => {
    const text = ['name: broken', 'boot:', '  cmdline: console=ttyS0', '  speedups: [tsc=reliable, "a b"]'].join('\n');
    expect(problems(text)).toContain('line 4: boot.speedups: expected one boot option per entry (no spaces), received "a b"');
  });

  it('rejects YAML syntax errors with a line', () => {
    expect(() => parseProfile('kernel:\n  enable: [NET\n', 'bad.yaml')).toThrow(/line \d+/);
  });

  it('names its kernel source package, or none (the newest installed then), and refuses what is not a package name, with its line', () => {
    expect(parseProfile('kernel:\n  source: linux-source-6.12\n', 's.yaml').kernel.source).toBe('linux-source-6.12');
    expect('source' in parseProfile('kernel:\n  base: tinyconfig\n', 's.yaml').kernel).toBe(false);
    expect(() => parseProfile('kernel:\n  base: tinyconfig\n  source: /usr/src/linux\n', 's.yaml'))
      .toThrow(/line 3: kernel.source: expected a linux-source package name such as linux-source-6.1, received "\/usr\/src\/linux"/);
  });

  it('rejects an unknown base target', () => {
    expect(() => parseProfile('kernel:\n  base: allyesconfig\n', 'b.yaml')).toThrow(/expected one of tinyconfig, allnoconfig, defconfig, received "allyesconfig"/);
  });
});

describe('profile search settings', () => {
  it('defaults to the bisect strategy and rejects unknown ones with their line', () => {
    expect(parseProfile('name: x\n', 'x.yaml').search.strategy).toBe('bisect');
    expect(() => parseProfile('search:\n  strategy: fastest\n', 'x.yaml')).toThrow(/line 2: search.strategy: expected one of one-at-a-time, ddmin, bisect, received "fastest"/);
  });

  it('reads search.prior as examples, each with the options its run needed (CONFIG_ prefix stripped), in file order', () => {
    const text = 'search:\n  prior:\n    lighttpd: [CONFIG_FUTEX, MULTIUSER]\n    hello-http: []\n    py-notes:\n      - EPOLL\n';
    expect(parseProfile(text, 'p.yaml').search.prior).toEqual([
      { example: 'lighttpd', needed: ['FUTEX', 'MULTIUSER'] },
      { example: 'hello-http', needed: [] },
      { example: 'py-notes', needed: ['EPOLL'] },
    ]);
    expect(parseProfile('name: x\n', 'x.yaml').search.prior).toEqual([]);
    expect(parseProfile('search:\n  prior:\n', 'x.yaml').search.prior).toEqual([]);
  });

  it('refuses a search.prior that is not a mapping of lists, with its line', () => {
    expect(problems('search:\n  strategy: bisect\n  prior: [FUTEX, EPOLL]\n'))
      .toContain('line 3: search.prior: expected a mapping of names to lists, received a list');
    expect(problems('search:\n  prior:\n    lighttpd: [FUTEX]\n    py-notes: EPOLL\n'))
      .toContain('line 4: search.prior.py-notes: expected a list of strings, received "EPOLL"');
  });

  it('the shipped profile still parses, with a well-formed prior learned from bundled examples (scripts/examples.mjs)', async () => {
    const { search } = await loadProfile();
    expect(search.strategy).toBe('bisect');
    expect(Array.isArray(search.prior)).toBe(true);
    expect(search.prior.map((p) => p.example)).toContain('hello-http');
    expectLearnedFromExamples(search.prior);
  });
});

describe('profile keys', () => {
  it('refuses misspelled keys in every section with their line and the key meant', () => {
    const message = problems([
      'name: typo', // 1
      'serach:', // 2
      '  strategy: bisect',
      'kernel:', // 4
      '  enabel: [NET]', // 5
      'boot:', // 6
      '  cmdlin: console=ttyS0', // 7
      'qemu:', // 8
      '  memroy: 256M', // 9
      '  extra_args: []', // 10
      'search:', // 11
      '  stratgy: bisect', // 12
    ].join('\n'));
    expect(message).toContain('line 2: unknown key "serach" at the top level (did you mean "search"?)');
    expect(message).toContain('line 5: unknown key "enabel" under kernel (did you mean "enable"?)');
    expect(message).toContain('line 7: unknown key "cmdlin" under boot (did you mean "cmdline"?)');
    expect(message).toContain('line 9: unknown key "memroy" under qemu (did you mean "memory"?)');
    expect(message).toContain('line 10: unknown key "extra_args" under qemu (did you mean "extraArgs"?)');
    expect(message).toContain('line 12: unknown key "stratgy" under search (did you mean "strategy"?)');
  });

  it('lists the known keys when nothing is close', () => {
    const message = problems('kernel:\n  base: tinyconfig\n  frobnicate: yes\n');
    expect(message).toContain('line 3: unknown key "frobnicate" under kernel; known keys: source, base, enable, disable, keep, harness');
    expect(message).not.toContain('did you mean');
  });

  it('reads the harness lists and refuses a misspelled harness key with its line', () => {
    const profile = parseProfile('kernel:\n  harness:\n    always: [CONFIG_TTY]\n    network: [NET, INET]\n', 'h.yaml');
    expect(profile.kernel.harness).toEqual({ always: ['TTY'], network: ['NET', 'INET'], disk: [], volume: [] });
    expect(parseProfile('name: x\n', 'x.yaml').kernel.harness).toEqual({ always: [], network: [], disk: [], volume: [] });
    const message = problems('kernel:\n  harness:\n    always: [TTY]\n    netwrok: [NET]\n');
    expect(message).toContain('line 4: unknown key "netwrok" under kernel.harness (did you mean "network"?)');
    expect(problems('kernel:\n  harnes:\n    always: [TTY]\n')).toContain('line 2: unknown key "harnes" under kernel (did you mean "harness"?)');
  });

  it('refuses a section that is not a mapping, and a harness list that is not a list', () => {
    expect(problems('kernel:\n  harness: [NET]\n')).toContain('line 2: kernel.harness: expected a mapping, received a list');
    expect(problems('qemu: pc\n')).toContain('line 1: qemu: expected a mapping, received "pc"');
    expect(problems('kernel:\n  harness:\n    network: NET\n')).toContain('line 3: kernel.harness.network: expected a list of strings, received "NET"');
  });

  it('knows every key of the bundled profile and qemu.accel', () => {
    expect(() => parseProfile('qemu:\n  machine: pc\n  accel: tcg\n  memory: 512M\n  extraArgs: []\n', 'accel.yaml')).not.toThrow();
  });

  it('reads packaging.compression (default auto) and refuses another value with its line', () => {
    expect(parseProfile('name: x\n', 'x.yaml').packaging.compression).toBe('auto');
    expect(parseProfile('packaging:\n  compression: zstd\n', 'z.yaml').packaging.compression).toBe('zstd');
    expect(problems('name: x\npackaging:\n  compression: bzip2\n')).toContain('line 3: packaging.compression: expected one of auto, gzip, xz, zstd, lz4, received "bzip2"');
    expect(problems('packaging:\n  compresion: xz\n')).toContain('line 2: unknown key "compresion" under packaging (did you mean "compression"?)');
  });

  it('the bundled profile: auto, and the RD_ option of the run\'s compression in harness.always in place of RD_GZIP', async () => {
    const profile = await loadProfile();
    expect(profile.packaging.compression).toBe('auto');
    expect(profile.kernel.harness.always).toContain('RD_<compression>');
    expect(profile.kernel.harness.always.filter((n) => n.startsWith('RD_'))).toEqual(['RD_<compression>']);
    expect(profile.kernel.enable.filter((n) => n.startsWith('RD_'))).toEqual([]);
  });

  it('takes RD_<compression> only in kernel.harness.always, and no other <...>, each with its line', () => {
    expect(parseProfile('kernel:\n  harness:\n    always: [TTY, RD_<compression>]\n', 'ok.yaml').kernel.harness.always).toEqual(['TTY', 'RD_<compression>']);
    const misplaced = problems('kernel:\n  enable: [TTY]\n  keep:\n    - NET\n    - RD_<compression>\n');
    expect(misplaced).toContain('line 5: kernel.keep: RD_<compression> (the RD_ option of the run\'s initramfs compression) stands only in kernel.harness.always');
    const unknown = problems('kernel:\n  harness:\n    always:\n      - TTY\n      - RD_<compresion>\n');
    expect(unknown).toContain('line 5: kernel.harness.always: "RD_<compresion>" is no Kconfig option; the placeholders are RD_<compression>, in kernel.harness.always, and SQUASHFS_<compression>, in kernel.harness.disk');
    expect(problems('kernel:\n  harness:\n    network: [NET, <net>]\n')).toContain('line 3: kernel.harness.network: "<net>" is no Kconfig option; the placeholders are RD_<compression>, in kernel.harness.always, and SQUASHFS_<compression>, in kernel.harness.disk');
    expect(problems('kernel:\n  harness:\n    volume: [BLOCK, SQUASHFS_<compression>]\n')).toContain('line 3: kernel.harness.volume: SQUASHFS_<compression> (the squashfs decompressor of the run\'s compression) stands only in kernel.harness.disk');
    expect(parseProfile('kernel:\n  harness:\n    disk: [BLOCK, SQUASHFS_<compression>]\n', 'disk.yaml').kernel.harness.disk).toEqual(['BLOCK', 'SQUASHFS_<compression>']);
  });

  it('refuses a directory given as the profile', async () => {
    const error = await loadProfile(tmpdir()).catch((e: unknown) => e);
    expect(isTinyxError(error, 'TINYX_PROFILE_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('is not a file');
  });
});

describe('qemu.netDevice', () => {
  it('defaults to virtio-net-pci and reads the profile\'s own', () => {
    expect(parseProfile('name: x\n', 'x.yaml').qemu.netDevice).toBe('virtio-net-pci');
    expect(parseProfile('qemu:\n  machine: microvm,acpi=off\n  netDevice: virtio-net-device\n', 'm.yaml').qemu).toMatchObject({
      machine: 'microvm,acpi=off', netDevice: 'virtio-net-device',
    });
    expect(parseProfile('qemu:\n  machine: q35\n  netDevice: e1000\n', 'q.yaml').qemu.netDevice).toBe('e1000');
  });

  it('refuses what is no device name, and a card the machine has no bus for, each with its line', () => {
    expect(problems('qemu:\n  machine: pc\n  netDevice: virtio-net-pci,mac=52:54:00:12:34:56\n'))
      .toContain('line 3: qemu.netDevice: expected a QEMU device name such as virtio-net-pci or virtio-net-device (tinyx adds ",netdev=n0"), received "virtio-net-pci,mac=52:54:00:12:34:56"');
    expect(problems('qemu:\n  netDevice: [virtio-net-pci]\n')).toContain('line 2: qemu.netDevice: expected a string, received a list');
    expect(problems('qemu:\n  machine: microvm,acpi=off\n  netDevice: virtio-net-pci\n'))
      .toContain('line 3: qemu.netDevice: microvm has no PCI bus for virtio-net-pci; use virtio-net-device (virtio-mmio)');
    expect(problems('qemu:\n  memory: 128M\n  machine: microvm\n'))
      .toContain('line 3: qemu.netDevice (unset, so virtio-net-pci): microvm has no PCI bus for virtio-net-pci; use virtio-net-device (virtio-mmio)');
    expect(problems('qemu:\n  machine: pc\n  netDevice: virtio-net-device\n'))
      .toContain('line 3: qemu.netDevice: virtio-net-device needs the virtio-mmio transports of microvm; on pc use virtio-net-pci');
    expect(problems('qemu:\n  netdevice: virtio-net-pci\n')).toContain('line 2: unknown key "netdevice" under qemu (did you mean "netDevice"?)');
  });
});

describe('the microvm profile', () => {
  it('is listed and loads: microvm without ACPI, a virtio-mmio network card, no PCI', async () => {
    expect(profileNames()).toEqual(expect.arrayContaining(['qemu-microvm', 'qemu-x86_64']));
    const profile = await loadProfile('qemu-microvm');
    expect(profile.name).toBe('qemu-microvm');
    // The PVH entry, on and never a candidate: the run compares the vmlinux's boot with the bzImage's.
    expect(profile.kernel).toMatchObject({ base: 'tinyconfig', source: 'linux-source-6.1', disable: [], keep: ['HYPERVISOR_GUEST', 'PVH'] });
    expect(profile.kernel.enable).toEqual(expect.arrayContaining(['HYPERVISOR_GUEST', 'PVH']));
    expect(profile.qemu).toMatchObject({ machine: 'microvm,acpi=off', netDevice: 'virtio-net-device', accel: 'auto', memory: '256M', extraArgs: [] });
    expect(profile.kernel.enable).toEqual(expect.arrayContaining(['VIRTIO_MMIO', 'VIRTIO_MMIO_CMDLINE_DEVICES', 'VIRTIO_NET']));
    expect(profile.kernel.enable.filter((n) => /PCI|ACPI/.test(n))).toEqual([]);
    expect(profile.kernel.harness.network).toEqual(['NET', 'INET', 'NETDEVICES', 'NET_CORE', 'VIRTIO_MENU', 'VIRTIO_MMIO', 'VIRTIO_MMIO_CMDLINE_DEVICES', 'VIRTIO_NET']);
    // Learned from this profile's own runs of bundled examples (scripts/learn-prior.mjs --profile qemu-microvm).
    expect(profile.search.prior.map((p) => p.example)).toEqual(expect.arrayContaining(['hello-http', 'go-http', 'lighttpd']));
    expectLearnedFromExamples(profile.search.prior);
  });

  it('asks the app-facing options of the default profile, on virtio-mmio instead of PCI, and the same harness to boot', async () => {
    const [pc, microvm] = await Promise.all([loadProfile(), loadProfile('qemu-microvm')]);
    const own = ['PCI', 'VIRTIO_PCI', 'VIRTIO_MMIO', 'VIRTIO_MMIO_CMDLINE_DEVICES', 'HYPERVISOR_GUEST', 'PVH'];
    expect(microvm.kernel.enable.filter((n) => !own.includes(n))).toEqual(pc.kernel.enable.filter((n) => !own.includes(n)));
    expect(microvm.kernel.harness.always).toEqual(pc.kernel.harness.always);
    expect(microvm.packaging).toEqual(pc.packaging);
  });

  it('restarts by triple fault, never taken off the command line, so a panic or a reboot ends QEMU (-no-reboot)', async () => {
    const { boot } = await loadProfile('qemu-microvm');
    expect(boot.cmdline.split(' ')).toEqual(expect.arrayContaining(['console=ttyS0', 'panic=-1', 'reboot=t']));
    expect(boot.keep).toEqual(['console=ttyS0', 'panic=-1', 'reboot=t']);
  });
});

describe('profile vm.targets', () => {
  it('names the launch files the out dir gets: qemu alone unless the profile says more, the microvm profile adds firecracker', async () => {
    expect(parseProfile('name: x\n', 'x.yaml').vm.targets).toEqual(['qemu']);
    expect(parseProfile('vm:\n  targets: [qemu, cloud-hypervisor]\n', 'v.yaml').vm.targets).toEqual(['qemu', 'cloud-hypervisor']);
    expect((await loadProfile('qemu-microvm')).vm.targets).toEqual(['qemu', 'firecracker']);
  });

  it('refuses a list without qemu (it boots the candidates and writes run.sh) or naming a target twice, with its line', () => {
    expect(problems('name: x\nvm:\n  targets: [firecracker]\n')).toContain('line 3: vm.targets: expected a list naming each target once, qemu among them');
    expect(problems('vm:\n  targets: [qemu, firecracker, qemu]\n')).toContain('received [qemu, firecracker, qemu]');
    expect(problems('vm:\n  targets:\n')).toContain('vm.targets: expected a list naming each target once');
    expect(problems('vm:\n  target: [qemu]\n')).toMatch(/unknown key "target" under vm \(did you mean "targets"\?\)/);
  });
});
