// Adaptive group testing along the tree: try removing whole subtrees in chunks, bisect what fails.
import type { Strategy, StrategyContext, StrategyResult } from '../strategy.js';
import { distinct, Ledger } from './ledger.js';
import { speculate } from './speculate.js';
import { buildForest, namesOf, sizeOf, type TreeNode } from './tree.js';

/** What is known about a group: it failed on top of the first `failedAt` removals (-1: inferred). */
const INFERRED = -1;

/** Weight of the prior share (10%) against what was seen, in candidates. */
const PRIOR_WEIGHT = 10;
/** Weight of the share seen in all menus against what was seen in the current top-level menu. */
const MENU_WEIGHT = 8;

interface Tally {
  decided: number;
  kept: number;
}

class Bisector {
  private readonly all: Tally = { decided: 0, kept: 0 };
  private readonly byMenu = new Map<string, Tally>();

  constructor(
    private readonly ledger: Ledger,
    private readonly menuOf: (name: string) => string,
  ) {}

  /**
   * Chunk size from the share of needed candidates seen so far (Hwang's generalized binary
   * splitting: groups of about 1/share, so a chunk passes about half the time). The share is
   * the top-level menu's own, pulled towards the overall one while the menu is young: menus can
   * differ a lot (e.g. trace groups: never-executed options are rarely needed).
   */
  private target(menu: string): number {
    const overall = (this.all.kept + 1) / (this.all.decided + PRIOR_WEIGHT);
    const here = this.byMenu.get(menu) ?? { decided: 0, kept: 0 };
    const share = (here.kept + overall * MENU_WEIGHT) / (here.decided + MENU_WEIGHT);
    return 2 ** Math.max(0, Math.floor(Math.log2(1 / share)));
  }

  private count(names: readonly string[], kept: boolean): void {
    for (const name of names) {
      const menu = this.menuOf(name);
      const tally = this.byMenu.get(menu) ?? { decided: 0, kept: 0 };
      this.byMenu.set(menu, tally);
      for (const t of [tally, this.all]) {
        t.decided++;
        if (kept) t.kept++;
      }
    }
  }

  private keep(name: string, failedAt: number): void {
    this.ledger.keep(name, failedAt);
    this.count([name], true);
  }

  private remove(names: readonly string[]): void {
    this.ledger.remove(names);
    this.count(names, false);
  }

  /** Subtrees in order whose fate is unknown: tried in chunks of the target size. */
  async reduce(nodes: readonly TreeNode[]): Promise<void> {
    for (let used = 0; used < nodes.length; ) {
      const size = this.target(this.menuOf(nodes[used]!.name));
      const chunk: TreeNode[] = [];
      while (used < nodes.length && (chunk.length === 0 || sizeOf(chunk) + nodes[used]!.size <= size)) {
        chunk.push(nodes[used++]!);
      }
      const base = this.ledger.removed.length;
      if (await this.ledger.tryRemove(namesOf(chunk))) this.remove(namesOf(chunk));
      else await this.isolate(chunk, base);
    }
  }

  /** Subtrees known to fail together: find the needed candidates among them. */
  async isolate(nodes: readonly TreeNode[], failedAt: number): Promise<void> {
    const ledger = this.ledger;
    if (nodes.length === 1) return this.isolateOne(nodes[0]!, failedAt);
    // The first half: the longest prefix holding at most half the candidates (at least one node).
    const total = sizeOf(nodes);
    let cut = 1;
    while (cut < nodes.length - 1 && sizeOf(nodes.slice(0, cut + 1)) * 2 <= total) cut++;
    const first = nodes.slice(0, cut);
    const base = ledger.removed.length;
    if (await ledger.tryRemove(namesOf(first))) {
      this.remove(namesOf(first));
      // The whole group failed on exactly this removed set plus the second half.
      return this.isolate(nodes.slice(cut), failedAt === base ? ledger.removed.length : INFERRED);
    }
    await this.isolate(first, base);
    return this.reduce(nodes.slice(cut));
  }

  /** One subtree known to fail: its children first, then the node itself. */
  private async isolateOne(node: TreeNode, failedAt: number): Promise<void> {
    const ledger = this.ledger;
    if (node.children.length === 0) return this.keep(node.name, failedAt);
    const before = ledger.removed.length;
    await this.reduce(node.children);
    const below = namesOf(node.children);
    // Removing the node would take a kept child with it.
    if (!below.every((n) => ledger.isRemoved(n))) return this.keep(node.name, INFERRED);
    // Only the subtree's own children were removed since it failed: that failure was this test.
    if (failedAt === before && ledger.removed.length === before + below.length) {
      return this.keep(node.name, ledger.removed.length);
    }
    const base = ledger.removed.length;
    if (await ledger.tryRemove([node.name])) this.remove([node.name]);
    else this.keep(node.name, base);
  }
}

async function sequential(ctx: StrategyContext): Promise<StrategyResult> {
  const ledger = new Ledger(ctx);
  const menus = new Map(ctx.candidates.map((c) => [c.name, c.menuPath?.[0] ?? '']));
  await new Bisector(ledger, (name) => menus.get(name) ?? '').reduce(buildForest(ctx.candidates));
  return ledger.finish();
}

/**
 * Generalized binary splitting over the candidate forest: subtrees (a parent with all that hangs
 * under it) are packed into chunks sized from the share of needed candidates seen so far; a chunk
 * that passes is removed whole, one that fails is halved until single subtrees, whose children
 * are searched before the parent. A half that fails after its sibling passed is known to fail
 * without a test. Closes with the 1-minimality check of every strategy. Written for one test at
 * a time; with `parallel` > 1 it runs speculatively (see speculate.ts) with the same result.
 */
export const bisect: Strategy = {
  name: 'bisect',
  run(ctx: StrategyContext): Promise<StrategyResult> {
    const unique = distinct(ctx);
    return ctx.parallel >= 2 ? speculate(sequential, unique) : sequential(unique);
  },
};
