// Whiteouts and opaque directories (OCI image spec, layer.md): what a layer removes from the layers below it.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ancestorsOf, type Tree } from './tree.js';

/** What applying one layer needs: where the tree is on disk, its metadata index, and what this layer wrote so far. */
export interface LayerState {
  root: string;
  tree: Tree;
  /** "layer 2 of 3 (sha256:...)", for messages. */
  layer: string;
  /** Paths this layer wrote: a whiteout in the same layer does not hide them. */
  written: Set<string>;
  /** Directories with something this layer wrote below them. */
  holding: Set<string>;
}

export function markWritten(state: LayerState, p: string): void {
  state.written.add(p);
  for (const a of ancestorsOf(p)) state.holding.add(a);
}

/**
 * ".wh.NAME" in directory `dir`: NAME and all below it, as the lower layers left it, is gone.
 * Whiteouts apply only to lower layers: what this layer itself wrote, in any order, stays.
 */
export async function whiteout(state: LayerState, p: string): Promise<void> {
  if (state.written.has(p) || !state.tree.get(p)) return;
  if (state.holding.has(p)) {
    for (const child of state.tree.children(p)) await whiteout(state, child);
    return;
  }
  await removePath(state, p);
}

/** ".wh..wh..opq" in directory `dir`: the directory stays, its content from lower layers does not. */
export async function opaque(state: LayerState, dir: string): Promise<void> {
  if (state.tree.get(dir)?.type !== 'directory') return;
  for (const child of state.tree.children(dir)) await whiteout(state, child);
}

/** Removes `p` and all below it from disk and from the index (rm never follows a symlink). */
export async function removePath(state: LayerState, p: string): Promise<void> {
  await rm(path.join(state.root, p), { recursive: true, force: true });
  state.tree.deleteSubtree(p);
}
