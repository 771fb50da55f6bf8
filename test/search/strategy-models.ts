// Synthetic search spaces for the strategy tests: flat token lists and kernel-shaped option trees.
import type { SearchCandidate } from '../../src/kconfig/candidate.js';
import { rng } from '../../src/util/rng.js';
import type { FakeModel } from './fake-oracle.js';

/** `n` flat candidates (like boot tokens), the ones at `needed` indexes required. */
export function flatModel(n: number, needed: readonly number[]): FakeModel {
  const candidates: SearchCandidate[] = Array.from({ length: n }, (_, i) => ({ name: `T${i}` }));
  return { candidates, required: needed.map((i) => `T${i}`) };
}

/** `count` distinct indexes below `n`, drawn with `seed`. */
export function pickIndexes(n: number, count: number, seed: number): number[] {
  const random = rng(seed);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(random() * n));
  return [...picked].sort((a, b) => a - b);
}

const MENUS = ['General setup', 'Processor', 'Power', 'Bus', 'Networking', 'Device Drivers', 'File systems', 'Security'];
const MENU_WEIGHTS = [2, 1, 1, 1, 3, 5, 2, 1];

/**
 * About `size` options shaped like the kernel's: a few big menus, many plain leaves, vendor-style
 * gates whose leaves are never needed, and deep gate chains; `share` of the options needed,
 * closed upwards (a needed option's parents are needed, as removing a parent removes it).
 */
export function kernelModel(seed: number, size = 600, share = 0.07): FakeModel {
  const random = rng(seed);
  const candidates: SearchCandidate[] = [];
  const neverNeeded = new Set<string>();
  const pickMenu = () => {
    let x = random() * MENU_WEIGHTS.reduce((a, b) => a + b, 0);
    for (let i = 0; i < MENUS.length; i++) if ((x -= MENU_WEIGHTS[i]!) < 0) return MENUS[i]!;
    return MENUS[0]!;
  };
  const add = (menu: string, parent?: string): string => {
    const name = `OPT_${candidates.length}`;
    candidates.push(parent === undefined ? { name, menuPath: [menu] } : { name, menuPath: [menu], parent });
    return name;
  };
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const subtree = (menu: string, parent: string, depth: number) => {
    for (let i = between(2, 6); i > 0; i--) {
      const child = add(menu, parent);
      if (depth > 0 && random() < 0.3) subtree(menu, child, depth - 1);
    }
  };
  while (candidates.length < size) {
    const menu = pickMenu();
    const kind = random();
    if (kind < 0.55) add(menu);
    else if (kind < 0.8) {
      const gate = add(menu);
      for (let i = between(4, 15); i > 0; i--) neverNeeded.add(add(menu, gate));
    } else subtree(menu, add(menu), 3);
  }
  const parentOf = new Map(candidates.map((c) => [c.name, c.parent]));
  const required = new Set<string>();
  const pool = candidates.map((c) => c.name).filter((n) => !neverNeeded.has(n));
  while (required.size < Math.round(share * candidates.length)) {
    for (let n: string | undefined = pool[Math.floor(random() * pool.length)]; n; n = parentOf.get(n)) {
      required.add(n);
    }
  }
  return { candidates, required: candidates.map((c) => c.name).filter((n) => required.has(n)) };
}

/**
 * A small kernel: a network stack with a vendor gate, drivers that select INPUT and SERIO (SERIO
 * selects SERIO_LIBPS2), a cpufreq driver that selects the CPU_FREQ the app needs, file systems
 * and syscalls. Round 1 can search none of the selected options.
 */
export const SELECTING_KERNEL: FakeModel = {
  candidates: [
    { name: 'NET', menuPath: ['Networking'] },
    { name: 'INET', menuPath: ['Networking'], parent: 'NET' },
    { name: 'ETHERNET', menuPath: ['Device Drivers'], parent: 'NET' },
    { name: 'VENDOR_A', menuPath: ['Device Drivers'], parent: 'ETHERNET' },
    { name: 'VENDOR_B', menuPath: ['Device Drivers'], parent: 'ETHERNET' },
    { name: 'X86_PSTATE', menuPath: ['Power'] },
    { name: 'KEYBOARD', menuPath: ['Device Drivers'] },
    { name: 'MOUSE', menuPath: ['Device Drivers'] },
    { name: 'PROC_FS', menuPath: ['File systems'] },
    { name: 'TMPFS', menuPath: ['File systems'] },
    { name: 'EPOLL', menuPath: ['General setup'] },
    { name: 'AIO', menuPath: ['General setup'] },
    { name: 'FUTEX', menuPath: ['General setup'] },
  ],
  required: ['NET', 'INET', 'PROC_FS', 'EPOLL', 'CPU_FREQ'],
  selects: { X86_PSTATE: ['CPU_FREQ'], KEYBOARD: ['INPUT', 'SERIO'], MOUSE: ['INPUT'], SERIO: ['SERIO_LIBPS2'] },
};
