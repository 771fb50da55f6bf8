// The candidate forest the tree-aware strategies search along, and ddmin's chunking.
import { describe, expect, it } from 'vitest';
import { splitEven } from '../../src/search/strategies/ddmin.js';
import { buildForest, namesOf, sizeOf } from '../../src/search/strategies/tree.js';
import type { SearchCandidate } from '../../src/kconfig/candidate.js';

describe('buildForest', () => {
  it('hangs children under their parent and keeps a menu together', () => {
    const candidates: SearchCandidate[] = [
      { name: 'NET', menuPath: ['Networking'] },
      { name: 'EXT4', menuPath: ['File systems'] },
      { name: 'INET', menuPath: ['Networking'], parent: 'NET' },
      { name: 'IPV6', menuPath: ['Networking'], parent: 'INET' },
      { name: 'PACKET', menuPath: ['Networking'] },
      { name: 'TMPFS', menuPath: ['File systems'] },
    ];
    const forest = buildForest(candidates);
    expect(forest.map((n) => n.name)).toEqual(['NET', 'PACKET', 'EXT4', 'TMPFS']);
    expect(namesOf(forest)).toEqual(['NET', 'INET', 'IPV6', 'PACKET', 'EXT4', 'TMPFS']);
    expect(forest[0]!.size).toBe(3);
    expect(sizeOf(forest)).toBe(6);
  });

  it('orders siblings and menus by priority, then input order', () => {
    const candidates: SearchCandidate[] = [
      { name: 'A', menuPath: ['m1'], priority: 5 },
      { name: 'B', menuPath: ['m2'], priority: 1 },
      { name: 'C', menuPath: ['m1'], priority: 2 },
      { name: 'D', menuPath: ['m2'], priority: 1 },
      { name: 'E', parent: 'A', priority: 3 },
      { name: 'F', parent: 'A', priority: 0 },
    ];
    expect(namesOf(buildForest(candidates))).toEqual(['B', 'D', 'C', 'A', 'F', 'E']);
  });

  it('treats unknown parents, self-parents and cycles as roots', () => {
    const candidates: SearchCandidate[] = [
      { name: 'A', parent: 'B' },
      { name: 'B', parent: 'A' },
      { name: 'C', parent: 'C' },
      { name: 'D', parent: 'NOT_A_CANDIDATE' },
    ];
    const forest = buildForest(candidates);
    expect(forest.map((n) => n.name).sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(namesOf(forest)).toHaveLength(4);
  });

  it('keeps a flat token list in input order', () => {
    const tokens = ['quiet', 'panic=-1', 'console=ttyS0', 'rdinit=/init'].map((name) => ({ name }));
    expect(namesOf(buildForest(tokens))).toEqual(tokens.map((t) => t.name));
  });
});

describe('splitEven', () => {
  it('cuts into contiguous chunks differing by at most one', () => {
    expect(splitEven([1, 2, 3, 4, 5], 2)).toEqual([[1, 2, 3], [4, 5]]);
    expect(splitEven([1, 2, 3], 3)).toEqual([[1], [2], [3]]);
    expect(splitEven([1, 2], 4)).toEqual([[1], [2]]);
    expect(splitEven([], 2)).toEqual([]);
  });

  it('moves cuts to subtree starts within half a chunk', () => {
    // Subtrees: A(a1 a2 a3) B(b1) C(c1 c2) D
    const items = ['A', 'a1', 'a2', 'a3', 'B', 'b1', 'C', 'c1', 'c2', 'D'];
    const isRoot = (x: string) => x === x.toUpperCase();
    expect(splitEven(items, 2, isRoot)).toEqual([['A', 'a1', 'a2', 'a3'], ['B', 'b1', 'C', 'c1', 'c2', 'D']]);
    expect(splitEven(items, 3, isRoot)).toEqual([['A', 'a1', 'a2', 'a3'], ['B', 'b1'], ['C', 'c1', 'c2', 'D']]);
    expect(splitEven(items, 10, isRoot)).toHaveLength(10);
  });
});
