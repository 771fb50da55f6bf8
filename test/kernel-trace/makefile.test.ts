// Kbuild Makefile parsing and object -> option attribution on small fixture trees.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKbuild } from '../../src/kernel-trace/makefile.js';
import { attributeObjects, compositeParts, loadRules } from '../../src/kernel-trace/objects.js';

const TREE = path.join(import.meta.dirname, 'fixtures/kbuild');

describe('parseKbuild', () => {
  it('reads obj-y, obj-$(CONFIG_X), continued lines and $(BITS), and skips flags', () => {
    const rules = parseKbuild([
      'obj-y := head_$(BITS).o',
      'obj-$(CONFIG_SMP) += smp.o \\',
      '\tsmpboot.o # trailing comment',
      'CFLAGS_smp.o := -O2',
      'ccflags-y += -Iinclude',
      'obj-$(CONFIG_FOO) += $(foo-objs)',
      '$(obj)/gen.o: $(src)/gen.c',
      '\tobj-y += recipe.o',
    ].join('\n'));
    expect(rules).toEqual([
      { list: 'obj', gates: [], targets: ['head_64.o'], line: 1 },
      { list: 'obj', gates: ['SMP'], targets: ['smp.o', 'smpboot.o'], line: 2 },
    ]);
  });

  it('gates rules inside ifdef / ifeq (..,y) / ifneq (..,) blocks, and flips them on else', () => {
    const rules = parseKbuild([
      'ifdef CONFIG_A', 'obj-y += a.o', 'else', 'obj-y += not_a.o', 'endif',
      'ifeq ($(CONFIG_B),y)', 'ifneq ($(CONFIG_C),)', 'obj-$(CONFIG_D) += bcd.o', 'endif', 'endif',
      'ifneq ($(CONFIG_E),y)', 'obj-y += not_e.o', 'else', 'obj-y += e.o', 'endif',
      'ifeq ($(ARCH),x86)', 'obj-y += any.o', 'endif',
    ].join('\n'));
    const gates = Object.fromEntries(rules.map((r) => [r.targets[0], r.gates]));
    expect(gates).toEqual({ 'a.o': ['A'], 'not_a.o': [], 'bcd.o': ['B', 'C', 'D'], 'not_e.o': [], 'e.o': ['E'], 'any.o': [] });
  });

  it('reads a tab-indented assignment in an ifdef body (mm/Makefile: madvise.o), and skips the recipe of a rule', () => {
    const rules = parseKbuild([
      'ifdef CONFIG_MMU', '\tobj-$(CONFIG_ADVISE_SYSCALLS)\t+= madvise.o', 'endif',
      '$(obj)/gen.o: $(src)/gen.c', '', '\tobj-y += recipe.o',
      'targets := x.o', '\tobj-y += after.o',
    ].join('\n'));
    expect(rules.map((r) => [r.gates, r.targets])).toEqual([[['MMU', 'ADVISE_SYSCALLS'], ['madvise.o']], [[], ['after.o']]]);
  });

  it('reads composites (x-y, x-objs, x-$(CONFIG_Y)) and dir descents, names with dashes too', () => {
    const rules = parseKbuild([
      'obj-$(CONFIG_VIRTIO_PCI) += virtio_pci.o',
      'virtio_pci-y := virtio_pci_modern.o virtio_pci_common.o',
      'virtio_pci-$(CONFIG_VIRTIO_PCI_LEGACY) += virtio_pci_legacy.o',
      'dm-mod-objs := dm.o dm-table.o',
      'obj-$(subst m,y,$(CONFIG_IPV6)) += ipv6/',
    ].join('\n'));
    expect(rules.map((r) => [r.list, r.gates, r.targets])).toEqual([
      ['obj', ['VIRTIO_PCI'], ['virtio_pci.o']],
      ['virtio_pci', [], ['virtio_pci_modern.o', 'virtio_pci_common.o']],
      ['virtio_pci', ['VIRTIO_PCI_LEGACY'], ['virtio_pci_legacy.o']],
      ['dm-mod', [], ['dm.o', 'dm-table.o']],
      ['obj', ['IPV6'], ['ipv6/']],
    ]);
  });
});

describe('attributeObjects on a fixture tree', () => {
  const objects = [
    'arch/x86/kernel/head_64.o', 'arch/x86/kernel/smpboot.o', 'arch/x86/kernel/apic.o', 'arch/x86/kernel/io_apic_pci.o',
    'drivers/virtio/virtio.o', 'drivers/virtio/virtio_pci_modern.o', 'drivers/virtio/virtio_pci_legacy.o',
    'net/socket.o', 'net/ipv4/tcp.o', 'net/ipv4/fou_nl.o', 'mm/memory.o', 'mm/filemap.o',
    'fs/ramfs/inode.o', 'fs/ramfs/file-mmu.o', 'lib/crc32.o', 'lib/string.o', 'arch/x86/lib/memcpy_64.o', 'kernel/unlisted.o',
  ];

  it('follows composites and dir descents up to the root', async () => {
    const map = attributeObjects(objects, await loadRules(TREE, objects));
    const alts = Object.fromEntries(Object.entries(map).map(([o, a]) => [o, a.alternatives]));
    expect(alts).toMatchObject({
      'arch/x86/kernel/head_64.o': [[]],
      'arch/x86/kernel/smpboot.o': [['SMP']],
      'arch/x86/kernel/apic.o': [['X86_LOCAL_APIC']],
      'arch/x86/kernel/io_apic_pci.o': [['PCI', 'X86_IO_APIC']],
      'net/socket.o': [['NET']],
      'net/ipv4/tcp.o': [['INET', 'NET']],
      'net/ipv4/fou_nl.o': [['INET', 'NET', 'NET_FOU']],
      'drivers/virtio/virtio_pci_modern.o': [['VIRTIO', 'VIRTIO_PCI'], ['VIRTIO_MENU', 'VIRTIO_PCI']],
      'drivers/virtio/virtio_pci_legacy.o': [['VIRTIO', 'VIRTIO_PCI', 'VIRTIO_PCI_LEGACY'], ['VIRTIO_MENU', 'VIRTIO_PCI', 'VIRTIO_PCI_LEGACY']],
      // `mmu-$(CONFIG_MMU)` is a helper list (no mmu.o): its objects are the dir's own.
      'mm/memory.o': [['MMU']],
      'mm/filemap.o': [[]],
      'fs/ramfs/inode.o': [[]],
      'fs/ramfs/file-mmu.o': [['MMU']],
      'lib/crc32.o': [['CRC32']],
      'lib/string.o': [[]],
      'arch/x86/lib/memcpy_64.o': [],
    });
    expect(map['kernel/unlisted.o']!.unresolved).toMatch(/no Makefile rule names kernel/);
    expect(map['arch/x86/lib/memcpy_64.o']!.unresolved).toMatch(/arch\/x86\/lib\/memcpy_64\.o/);
  });

  it('drops alternatives the config did not take', async () => {
    const enabled = new Set(['VIRTIO', 'VIRTIO_PCI']);
    const map = attributeObjects(['drivers/virtio/virtio_pci_modern.o'], await loadRules(TREE, objects), enabled);
    expect(map['drivers/virtio/virtio_pci_modern.o']!.alternatives).toEqual([['VIRTIO', 'VIRTIO_PCI']]);
  });

  it('lists the parts of a composite', async () => {
    const rules = await loadRules(TREE, ['drivers/virtio/virtio_pci.o']);
    expect(compositeParts('drivers/virtio/virtio_pci.o', rules)).toEqual([
      'drivers/virtio/virtio_pci_modern.o', 'drivers/virtio/virtio_pci_common.o', 'drivers/virtio/virtio_pci_legacy.o',
    ]);
    expect(compositeParts('drivers/virtio/virtio.o', rules)).toEqual([]);
  });
});
