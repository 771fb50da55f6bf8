// Cache layout for one kernel tree: build slots, the bzImage store, ccache, the kconfig scratch dir.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { tryLockFile } from '../util/fsx.js';
import { cacheRoot } from '../util/paths.js';

export class Workspace {
  readonly root: string;

  constructor(
    readonly treeKey: string,
    root: string = cacheRoot(),
  ) {
    this.root = root;
  }

  get ccacheDir(): string {
    return path.join(this.root, 'ccache');
  }

  /** Common ancestor of the kernel tree (when unpacked in the cache) and every slot. */
  get ccacheBase(): string {
    return this.root;
  }

  artifactDir(configHash: string): string {
    return path.join(this.root, 'artifacts', this.treeKey, configHash);
  }

  slotDir(slot: number): string {
    return path.join(this.root, 'builds', this.treeKey, `slot-${slot}`);
  }

  /** The object count of the tree's last full build (one in an empty slot), to estimate the next. */
  get fullBuildFile(): string {
    return path.join(this.root, 'builds', this.treeKey, 'full-build.json');
  }

  get kconfigDir(): string {
    return path.join(this.root, 'builds', this.treeKey, `kconfig-${process.pid}`);
  }

  /**
   * Claim `count` slot dirs no other live tinyx process holds (lock file with our pid);
   * returns their indexes and a release function.
   */
  async claimSlots(count: number): Promise<{ slots: number[]; release: () => Promise<void> }> {
    const slots: number[] = [];
    for (let i = 0; slots.length < count; i++) if (await tryLockFile(this.lockFile(i))) slots.push(i);
    const release = async () => {
      await Promise.all(slots.map((i) => rm(this.lockFile(i), { force: true })));
      await rm(this.kconfigDir, { recursive: true, force: true });
    };
    return { slots, release };
  }

  private lockFile(slot: number): string {
    return `${this.slotDir(slot)}.lock`;
  }
}
