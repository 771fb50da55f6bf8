// The address -> function -> object -> option chain on a real kernel build dir (skipped without one).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { enabledSymbols, parseDotConfig, type DotConfig } from '../../src/kconfig/dotconfig.js';
import { readKernelImage, type KernelImage } from '../../src/kernel-trace/image.js';
import { functionAt } from '../../src/kernel-trace/symbols.js';
import { KERNEL_SRC, findBuildDir } from './helpers.js';

const BUILD = findBuildDir();

describe.skipIf(!BUILD)('a real build dir', () => {
  let image: KernelImage;
  let config: DotConfig;

  beforeAll(async () => {
    config = parseDotConfig(await readFile(path.join(BUILD!, '.config'), 'utf8'));
    image = await readKernelImage({ buildDir: BUILD!, srcDir: KERNEL_SRC, enabled: new Set(enabledSymbols(config)) });
  });

  const fn = (name: string) => image.symbols.functions.find((f) => f.name === name);

  it('reads the linked objects, with composites split into their parts', () => {
    expect(image.objects.length).toBeGreaterThan(300);
    expect(image.objects).toContain('init/main.o');
    expect(image.objects).toContain('arch/x86/kernel/head_64.o');
    expect(image.objects).not.toContain('vmlinux.o');
    if (config.get('VIRTIO_PCI') === 'y') {
      expect(image.objects).toContain('drivers/virtio/virtio_pci_common.o');
      expect(image.objects).not.toContain('drivers/virtio/virtio_pci.o');
    }
  });

  it('maps addresses to functions and functions to their object', () => {
    const start = fn('start_kernel')!;
    expect(start.objects).toEqual(['init/main.o']);
    expect(functionAt(image.symbols.functions, start.start + 1)).toBe(start);
    expect(fn('tcp_v4_rcv')?.objects ?? ['net/ipv4/tcp_ipv4.o']).toEqual(['net/ipv4/tcp_ipv4.o']);
    // A static function: pinned by name or by its neighbours.
    if (config.get('VIRTIO_PCI') === 'y') expect(fn('virtio_pci_probe')!.objects).toEqual(['drivers/virtio/virtio_pci_common.o']);
  });

  it('keeps ambiguity and unattributed objects rare, and reports them', () => {
    const functions = image.symbols.functions.length;
    expect(functions).toBeGreaterThan(5_000);
    expect(image.symbols.ambiguous).toBeLessThan(functions * 0.01);
    expect(image.symbols.orphans).toBeLessThan(functions * 0.01);
    expect(Object.keys(image.unresolved).length).toBeLessThan(5);
  });

  it('attributes objects to the options that build them', () => {
    expect(image.objectMap['init/main.o']!.alternatives).toEqual([[]]);
    if (config.get('INET') === 'y') expect(image.objectMap['net/ipv4/tcp_ipv4.o']!.alternatives).toEqual([['INET', 'NET']]);
    if (config.get('VIRTIO_NET') === 'y') expect(image.objectMap['drivers/net/virtio_net.o']!.alternatives).toEqual([['VIRTIO_NET']]);
    if (config.get('MMU') === 'y') expect(image.objectMap['mm/memory.o']!.alternatives).toEqual([['MMU']]);
    if (config.get('SMP') === 'y') expect(image.objectMap['kernel/smp.o']!.alternatives).toEqual([['SMP']]);
    const gated = new Set(Object.values(image.objectMap).flatMap((a) => a.alternatives.flat()));
    for (const option of gated) expect(config.get(option), option).toBe('y');
  });
});
