// Adaptive group testing along the tree: try removing whole subtrees in chunks, bisect what fails.
import type { Strategy, StrategyContext, StrategyResult } from '../strategy.js';
import { Session } from './session.js';
import { buildForest, namesOf, sizeOf, type TreeNode } from './tree.js';

/** What is known about a group: it failed on top of the first `failedAt` removals (-1: inferred). */
const INFERRED = -1;

/** Prior share of needed candidates, as (needed + 1) / (decided + PRIOR_WEIGHT). */
const PRIOR_WEIGHT = 10;

class Bisector {
  private kept = 0;

  constructor(private readonly session: Session) {}

  /**
   * Chunk size from the share of needed candidates seen so far (Hwang's generalized binary
   * splitting: groups of about 1/share, so a chunk passes about half the time).
   */
  private target(): number {
    const share = (this.kept + 1) / (this.session.removed.length + this.kept + PRIOR_WEIGHT);
    return 2 ** Math.max(0, Math.floor(Math.log2(1 / share)));
  }

  private keep(name: string, failedAt: number): void {
    this.session.keep(name, failedAt);
    this.kept++;
  }

  /** Subtrees in order whose fate is unknown: tried in chunks of the target size. */
  async reduce(nodes: readonly TreeNode[]): Promise<void> {
    let rest = nodes;
    while (rest.length > 0) {
      const size = this.target();
      const chunks: TreeNode[][] = [];
      let used = 0;
      while (chunks.length < this.session.parallel && used < rest.length) {
        const chunk: TreeNode[] = [];
        while (used < rest.length && (chunk.length === 0 || sizeOf(chunk) + rest[used]!.size <= size)) {
          chunk.push(rest[used++]!);
        }
        chunks.push(chunk);
      }
      const base = this.session.removed.length;
      const passed = await this.session.tryAll(chunks.map(namesOf));
      // The lowest pass is removed; later passes were seen on a smaller removed set: try again.
      const winner = passed.indexOf(true);
      if (winner >= 0) this.session.remove(namesOf(chunks[winner]!));
      const again = chunks.filter((_, i) => passed[i] && i !== winner).flat();
      for (const [i, chunk] of chunks.entries()) if (!passed[i]) await this.isolate(chunk, base);
      rest = [...again, ...rest.slice(used)];
    }
  }

  /** Subtrees known to fail together: find the needed candidates among them. */
  async isolate(nodes: readonly TreeNode[], failedAt: number): Promise<void> {
    const session = this.session;
    if (nodes.length === 1) return this.isolateOne(nodes[0]!, failedAt);
    // The first half: the longest prefix holding at most half the candidates (at least one node).
    const total = sizeOf(nodes);
    let cut = 1;
    while (cut < nodes.length - 1 && sizeOf(nodes.slice(0, cut + 1)) * 2 <= total) cut++;
    const a = nodes.slice(0, cut);
    const b = nodes.slice(cut);
    const base = session.removed.length;
    const exact = () => (failedAt === base ? session.removed.length : INFERRED);
    if (session.parallel >= 2) {
      const { passed } = await session.firstPass([namesOf(a), namesOf(b)]);
      if (passed[0]) {
        session.remove(namesOf(a));
        return this.isolate(b, exact());
      }
      if (passed[1]) {
        session.remove(namesOf(b));
        return this.isolate(a, exact());
      }
      await this.isolate(a, base);
      return this.isolate(b, base);
    }
    if (await session.tryRemove(namesOf(a))) {
      session.remove(namesOf(a));
      return this.isolate(b, exact());
    }
    await this.isolate(a, base);
    return this.reduce(b);
  }

  /** One subtree known to fail: its children first, then the node itself. */
  private async isolateOne(node: TreeNode, failedAt: number): Promise<void> {
    const session = this.session;
    if (node.children.length === 0) return this.keep(node.name, failedAt);
    const before = session.removed.length;
    await this.reduce(node.children);
    const below = namesOf(node.children);
    // Removing the node would take a kept child with it.
    if (!below.every((n) => session.isRemoved(n))) return this.keep(node.name, INFERRED);
    // Only the subtree's own children were removed since it failed: that failure was this test.
    if (failedAt === before && session.removed.length === before + below.length) {
      return this.keep(node.name, session.removed.length);
    }
    const base = session.removed.length;
    if (await session.tryRemove([node.name])) session.remove([node.name]);
    else this.keep(node.name, base);
  }
}

/**
 * Generalized binary splitting over the candidate forest: subtrees (a parent with all that hangs
 * under it) are packed into chunks sized from the share of needed candidates seen so far; a chunk
 * that passes is removed whole, one that fails is halved until single subtrees, whose children
 * are searched before the parent. A half that fails after its sibling passed is known to fail
 * without a test. Closes with the 1-minimality check of every strategy. With `parallel` > 1,
 * sibling chunks and both halves are tried at once; the lowest passing index wins.
 */
export const bisect: Strategy = {
  name: 'bisect',
  async run(ctx: StrategyContext): Promise<StrategyResult> {
    const session = new Session(ctx);
    await new Bisector(session).reduce(buildForest(ctx.candidates));
    return session.finish();
  },
};
