// Orders candidates along the Kconfig tree: menus kept together, a parent before what hangs under it.
import type { SearchCandidate } from '../../kconfig/candidate.js';

/** A candidate with the candidates whose `parent` it is; removing it removes the whole subtree. */
export interface TreeNode {
  name: string;
  /** Position in the caller's candidate list. */
  index: number;
  children: TreeNode[];
  /** Number of candidates in this subtree, itself included. */
  size: number;
}

function priorityOf(c: SearchCandidate): number {
  return c.priority ?? 0;
}

function byPriority(a: TreeNode, b: TreeNode, cands: readonly SearchCandidate[]): number {
  return priorityOf(cands[a.index]!) - priorityOf(cands[b.index]!) || a.index - b.index;
}

/**
 * Roots of the candidate forest, in search order. A candidate whose parent is not a candidate (or
 * would close a cycle) is a root. Roots are grouped by menu path, menus ordered by their most
 * urgent member, then first appearance; siblings are ordered by priority, then input order.
 */
export function buildForest(candidates: readonly SearchCandidate[]): TreeNode[] {
  const nodes = candidates.map((c, index): TreeNode => ({ name: c.name, index, children: [], size: 1 }));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const roots: TreeNode[] = [];
  for (const node of nodes) {
    const parent = attachable(node, candidates, byName);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const sortTree = (list: TreeNode[]): number => {
    list.sort((a, b) => byPriority(a, b, candidates));
    return list.reduce((sum, n) => sum + (n.size = 1 + sortTree(n.children)), 0);
  };
  sortTree(roots);
  const menuKey = (n: TreeNode) => (candidates[n.index]!.menuPath ?? []).join('\u0000');
  const menus = new Map<string, TreeNode[]>();
  for (const root of roots) {
    const key = menuKey(root);
    const list = menus.get(key) ?? [];
    list.push(root);
    menus.set(key, list);
  }
  // Each menu's list is already priority-sorted, so its first root is its most urgent member.
  const ordered = [...menus.values()].sort((a, b) => byPriority(a[0]!, b[0]!, candidates));
  return ordered.flat();
}

/** The parent node of `node`, unless that would form a cycle or point outside the candidates. */
function attachable(
  node: TreeNode,
  candidates: readonly SearchCandidate[],
  byName: ReadonlyMap<string, TreeNode>,
): TreeNode | undefined {
  const parentName = candidates[node.index]!.parent;
  const parent = parentName === undefined ? undefined : byName.get(parentName);
  if (!parent || parent === node) return undefined;
  const seen = new Set<string>([node.name]);
  for (let up: string | undefined = parentName; up !== undefined; up = candidates[byName.get(up)?.index ?? -1]?.parent) {
    if (seen.has(up)) return undefined;
    seen.add(up);
    if (!byName.has(up)) break;
  }
  return parent;
}

/** Every candidate name in the subtrees, parents before children. */
export function namesOf(nodes: readonly TreeNode[]): string[] {
  const out: string[] = [];
  const walk = (n: TreeNode) => {
    out.push(n.name);
    n.children.forEach(walk);
  };
  nodes.forEach(walk);
  return out;
}

export function sizeOf(nodes: readonly TreeNode[]): number {
  return nodes.reduce((sum, n) => sum + n.size, 0);
}
