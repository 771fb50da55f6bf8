// What the search tries removing, one at a time or in groups: a kernel option (placed in the Kconfig tree), a command-line token, a file.

/** One removable thing: a kernel option, or a kernel command-line token (no tree then). */
export interface SearchCandidate {
  name: string;
  /** Menu path / parent for grouping along the Kconfig tree. */
  menuPath?: string[];
  /** A candidate whose removal also removes this one (its `depends on` / `if` gate). */
  parent?: string;
  /** Lower = try earlier. Ties keep the input order. */
  priority?: number;
}
