// Recent pass rates of tests, by how much they add to the removed set: guesses for speculation.
/** Weight kept by older verdicts at each new one, so a change of phase shows up quickly. */
const DECAY = 0.8;

export class Odds {
  private readonly seen: number[] = [];
  private readonly passed: number[] = [];

  /** Tests adding 1, 2-3, 4-7, ... names share a rate. */
  private bucket(added: number): number {
    return added <= 1 ? 0 : Math.floor(Math.log2(added));
  }

  record(added: number, pass: boolean): void {
    const b = this.bucket(added);
    this.seen[b] = (this.seen[b] ?? 0) * DECAY + 1;
    this.passed[b] = (this.passed[b] ?? 0) * DECAY + (pass ? 1 : 0);
  }

  /** Chance that a test adding `added` names passes (Laplace's rule on the decayed counts). */
  pass(added: number): number {
    const b = this.bucket(added);
    return ((this.passed[b] ?? 0) + 1) / ((this.seen[b] ?? 0) + 2);
  }
}
