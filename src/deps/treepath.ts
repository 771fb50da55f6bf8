// Pure resolution of a path's parent directories through the symlinks of a planned guest tree.
import path from 'node:path';
import { TinyxError } from '../errors.js';

export type TreeLookup = (p: string) => { kind: string; target?: string } | undefined;

/**
 * `p` with every symlinked parent directory replaced by its target, as the guest kernel will see
 * it (with merged-usr, /lib/x lands in /usr/lib/x). The last component is not followed.
 */
export function resolveParents(lookup: TreeLookup, p: string): string {
  let pending = p.split('/').filter((s) => s !== '' && s !== '.');
  let current = '/';
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      current = path.posix.dirname(current);
      continue;
    }
    const next = path.posix.join(current, part);
    const node = lookup(next);
    if (node?.kind === 'symlink' && pending.length > 0 && node.target) {
      if (++hops > 40) throw new TinyxError('TINYX_SYMLINK_LOOP', `Symlink loop in the guest tree at ${next} (resolving ${p})`);
      pending = [...node.target.split('/').filter((s) => s !== '' && s !== '.'), ...pending];
      if (node.target.startsWith('/')) current = '/';
      continue;
    }
    current = next;
  }
  return current;
}
