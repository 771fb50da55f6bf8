// Closes bit sets over a call graph: what a node reaches is its own bits or'ed with those of every node it reaches.

/**
 * Per node, the union of `own` over every node reachable from it (itself included) along `edges`.
 * Nodes of one cycle share one result. Tarjan's strongly connected components, iteratively, which
 * yields each component after every component it reaches: one OR per edge.
 */
export function closeOver(edges: readonly (readonly number[])[], own: readonly Uint32Array[]): Uint32Array[] {
  const n = edges.length;
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const result: Uint32Array[] = new Array(n);
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (order[root] !== -1) continue;
    const frames: Array<[number, number]> = [[root, 0]];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const [v, next] = frame;
      const out = edges[v]!;
      if (next < out.length) {
        frame[1]++;
        const w = out[next]!;
        if (order[w] === -1) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          frames.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, order[w]!);
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] !== order[v]) continue;
      // v is the root of a component: pop its members, then or in their bits and those of what they reach.
      const members: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = 0;
        members.push(w);
      } while (w !== v);
      const bits = new Uint32Array(own[v]!.length);
      for (const m of members) {
        or(bits, own[m]!);
        for (const t of edges[m]!) if (result[t] !== undefined) or(bits, result[t]!);
      }
      for (const m of members) result[m] = bits;
    }
  }
  return result;
}

function or(into: Uint32Array, from: Uint32Array): void {
  for (let i = 0; i < into.length; i++) into[i]! |= from[i]!;
}
