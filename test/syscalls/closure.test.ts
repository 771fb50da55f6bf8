// closeOver: bit sets closed over a graph with a cycle, a chain and an unreached node.
import { describe, expect, it } from 'vitest';
import { closeOver } from '../../src/syscalls/closure.js';

const bit = (n: number): Uint32Array => Uint32Array.of(1 << n);

describe('closeOver', () => {
  it('gives each node the bits of everything it reaches, a cycle sharing its members\' bits', () => {
    // 0 -> 1 -> 2 -> 1 (cycle 1-2), 2 -> 3, and 4 -> 0; node 5 alone.
    const edges = [[1], [2], [1, 3], [], [0], []];
    const reach = closeOver(edges, [0, 1, 2, 3, 4, 5].map(bit)).map((bits) => bits[0]!.toString(2));
    expect(reach).toEqual(['1111', '1110', '1110', '1000', '11111', '100000']);
  });
});
