// Coverage of objects from executed addresses, and candidate ranking from it.
import { describe, expect, it } from 'vitest';
import { coverage, liftToParents, rankCandidates, summarize, toCandidates } from '../../src/kernel-trace/rank.js';
import type { ObjectMap } from '../../src/kernel-trace/objects.js';
import type { KernelFunction } from '../../src/kernel-trace/symbols.js';

const FUNCTIONS: KernelFunction[] = [
  { name: '_stext', start: 0x1000, end: 0x1000 + 1, objects: [] },
  { name: 'tcp_rcv', start: 0x1000 + 1, end: 0x1100, objects: ['net/ipv4/tcp.o'] },
  { name: 'fou_build', start: 0x1100, end: 0x1200, objects: ['net/ipv4/fou_core.o'] },
  { name: 'vp_probe', start: 0x1200, end: 0x1300, objects: ['drivers/virtio/virtio_pci_common.o'] },
  { name: 'vp_legacy', start: 0x1300, end: 0x1400, objects: ['drivers/virtio/virtio_pci_legacy.o'] },
  { name: 'init_once', start: 0x1400, end: 0x1500, objects: ['fs/a.o', 'fs/b.o'] },
  { name: 'a_only', start: 0x1500, end: 0x1600, objects: ['fs/a.o'] },
];

const MAP: ObjectMap = {
  'net/ipv4/tcp.o': { alternatives: [['INET', 'NET']] },
  'net/ipv4/fou_core.o': { alternatives: [['INET', 'NET', 'NET_FOU']] },
  'drivers/virtio/virtio_pci_common.o': { alternatives: [['VIRTIO', 'VIRTIO_PCI']] },
  'drivers/virtio/virtio_pci_legacy.o': { alternatives: [['VIRTIO', 'VIRTIO_PCI', 'VIRTIO_PCI_LEGACY']] },
  'fs/a.o': { alternatives: [['FS_A']] },
  'fs/b.o': { alternatives: [['FS_B']] },
  'data_only.o': { alternatives: [['DATA_ONLY']] },
};

describe('coverage', () => {
  it('marks objects that ran, idle ones, and ones an ambiguous function may belong to', () => {
    const cov = coverage(FUNCTIONS, [0x1010, 0x1210, 0x1410, 0x1000, 0x9999]);
    expect(cov.objects).toEqual({
      'net/ipv4/tcp.o': 'ran', 'net/ipv4/fou_core.o': 'idle',
      'drivers/virtio/virtio_pci_common.o': 'ran', 'drivers/virtio/virtio_pci_legacy.o': 'idle',
      'fs/a.o': 'unsure', 'fs/b.o': 'unsure',
    });
    expect(cov.executedFunctions).toBe(3);
    expect(cov.unattributed).toBe(2); // _stext (no object) and an address past every function
  });
});

describe('rankCandidates', () => {
  const cov = coverage(FUNCTIONS, [0x1010, 0x1210, 0x1410]);
  const names = ['NET', 'NET_FOU', 'VIRTIO_PCI_LEGACY', 'FS_A', 'DATA_ONLY', 'PRINTK_TIME', 'VIRTIO_PCI'];

  it('says executed / not executed / unknown per option', () => {
    const ranked = rankCandidates(cov, names, MAP);
    expect(Object.fromEntries(ranked.map((r) => [r.name, r.executed]))).toEqual({
      NET: true, NET_FOU: false, VIRTIO_PCI_LEGACY: false, FS_A: undefined, DATA_ONLY: undefined, PRINTK_TIME: undefined, VIRTIO_PCI: true,
    });
    expect(summarize(ranked)).toEqual({ executed: 2, notExecuted: 2, unknown: 3 });
  });

  it('orders never-executed first, then unknown, then executed, keeping input order within each', () => {
    const ranked = rankCandidates(cov, names, MAP);
    const order = [...ranked].sort((a, b) => a.priority - b.priority).map((r) => r.name);
    expect(order).toEqual(['NET_FOU', 'VIRTIO_PCI_LEGACY', 'FS_A', 'DATA_ONLY', 'PRINTK_TIME', 'NET', 'VIRTIO_PCI']);
  });

  it('lends an option that builds nothing the objects of what it selects', () => {
    const map: ObjectMap = { ...MAP, 'lib/decompress_unxz.o': { alternatives: [['DECOMPRESS_XZ']] } };
    const functions = [...FUNCTIONS, { name: 'unxz', start: 0x1600, end: 0x1700, objects: ['lib/decompress_unxz.o'] }];
    const selects = new Map([['RD_XZ', ['DECOMPRESS_XZ']], ['TCP_ALL', ['INET']]]);
    const ranked = rankCandidates(coverage(functions, [0x1010]), ['RD_XZ', 'TCP_ALL', 'PRINTK_TIME'], map, selects);
    expect(ranked.map((r) => [r.name, r.executed, r.evidence])).toEqual([
      ['RD_XZ', false, 'selects'], ['TCP_ALL', true, 'selects'], ['PRINTK_TIME', undefined, 'none'],
    ]);
  });

  it('counts a parent of an executed option as executed, up the chain', () => {
    const ranked = rankCandidates(cov, ['NETDEVICES', 'NET_FOU', 'ETHERNET', 'VIRTIO_PCI', 'PRINTK_TIME'], MAP);
    const lifted = liftToParents(ranked, new Map([['VIRTIO_PCI', 'ETHERNET'], ['ETHERNET', 'NETDEVICES'], ['NET_FOU', 'PRINTK_TIME']]));
    expect(lifted.map((r) => [r.name, r.executed, r.evidence, r.priority])).toEqual([
      ['NETDEVICES', true, 'children', 10], ['NET_FOU', false, 'objects', 1], ['ETHERNET', true, 'children', 12],
      ['VIRTIO_PCI', true, 'objects', 13], ['PRINTK_TIME', undefined, 'none', 9],
    ]);
  });

  it('makes strategy candidates with the trace group as the outer menu path', () => {
    const ranked = rankCandidates(cov, ['NET_FOU', 'NET', 'VIRTIO_PCI_LEGACY', 'VIRTIO_PCI'], MAP);
    const base = new Map([
      ['NET_FOU', { name: 'NET_FOU', parent: 'NET', menuPath: ['Networking'] }],
      ['VIRTIO_PCI_LEGACY', { name: 'VIRTIO_PCI_LEGACY', parent: 'VIRTIO_PCI_LIB', menuPath: ['Virtio'] }],
    ]);
    expect(toCandidates(ranked, base)).toEqual([
      // Its parent NET ran: NET_FOU leaves NET's subtree to be tried with the never-executed.
      { name: 'NET_FOU', priority: 0, menuPath: ['trace:not-executed', 'Networking'] },
      { name: 'NET', priority: 9, menuPath: ['trace:executed'] },
      // A parent that is no candidate stays (the strategy ignores it anyway).
      { name: 'VIRTIO_PCI_LEGACY', parent: 'VIRTIO_PCI_LIB', priority: 2, menuPath: ['trace:not-executed', 'Virtio'] },
      { name: 'VIRTIO_PCI', priority: 11, menuPath: ['trace:executed'] },
    ]);
  });
});
