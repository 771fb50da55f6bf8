// Shell scripts that print a worker's tree identity exactly as src/kconfig/{identity,tarball}.ts compute it.
import { TREE_FINGERPRINT, treeMemoName } from '../kconfig/identity.js';
import { quote } from '../util/shell.js';

/** TARBALL_IDENTITY (src/kconfig/tarball.ts) as an extended regular expression. */
const TARBALL_IDENTITY_ERE = '(debian|tarball) [^[:space:]].* sha256:[0-9a-f]{64}';

const GIT_DIFF = 'git diff --binary --no-color --no-ext-diff HEAD';
const UNTRACKED = 'git ls-files -z --others --exclude-standard';
const FILES = 'find . -name .git -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum --';
const LINKS = 'find . -name .git -prune -o -type l -printf \'%p -> %l\\n\' | LC_ALL=C sort';

/**
 * Prints the identity of `dir` (a `pwd -P` path): its `.unpacked` marker's, "git <commit>[ +dirty:<hash>]"
 * at the top of a checkout, else "tree sha256:<hash>", remembered in `memoDir` by a find fingerprint.
 */
export function treeIdentityScript(dir: string, memoDir: string): string {
  const memo = `${memoDir}/${treeMemoName(dir)}`;
  return [
    `dir=${quote(dir)}; memo=${quote(memoDir)}; m=${quote(memo)}`,
    'marker=$(cat "$dir.unpacked" 2>/dev/null || true)',
    `if printf '%s\\n' "$marker" | grep -Eqx ${quote(TARBALL_IDENTITY_ERE)}; then printf '%s\\n' "$marker"; exit 0; fi`,
    'cd "$dir" || exit 1',
    'top=$(git rev-parse --show-toplevel 2>/dev/null || true); commit=$(git rev-parse --verify -q HEAD 2>/dev/null || true)',
    'if [ -n "$top" ] && [ -n "$commit" ] && [ "$(cd "$top" && pwd -P)" = "$dir" ]; then',
    `  if [ -z "$(${GIT_DIFF} | head -c 1)" ] && [ -z "$(${UNTRACKED} | head -c 1)" ]; then echo "git $commit"; exit 0; fi`,
    `  h=$({ ${GIT_DIFF}; printf '\\000untracked\\000'; ${UNTRACKED} | xargs -0 -r sha256sum --; } | sha256sum | cut -c1-64)`,
    '  echo "git $commit +dirty:$h"; exit 0',
    'fi',
    `fp=$(${TREE_FINGERPRINT})`,
    'h=$(awk -v fp="$fp" \'$1 == fp && $2 ~ /^[0-9a-f]+$/ { print $2 }\' "$m" 2>/dev/null || true)',
    'if [ -z "$h" ]; then',
    `  h=$({ ${FILES}; ${LINKS}; } | sha256sum | cut -c1-64)`,
    '  mkdir -p "$memo" && printf \'%s %s\\n\' "$fp" "$h" > "$m.$$" && mv "$m.$$" "$m"',
    'fi',
    'echo "tree sha256:$h"',
  ].join('\n');
}

/**
 * Prints the identity of `tarball`: "debian <package> <version> sha256:<hash>", or "tarball <file>
 * sha256:<hash>" when no package owns it; remembered in `memo` (same format as locally) by size and times.
 */
export function tarballIdentityScript(tarball: string, memo: string): string {
  return [
    `t=${quote(tarball)}; memo=${quote(memo)}`,
    'seen=$(stat -c \'%s %.9Y %.9Z\' "$t") || exit 1',
    'known=$(sed -n 2p "$memo" 2>/dev/null || true)',
    `if [ "$(head -n 1 "$memo" 2>/dev/null)" = "$seen" ] && printf '%s\\n' "$known" | grep -Eqx ${quote(TARBALL_IDENTITY_ERE)}; then printf '%s\\n' "$known"; exit 0; fi`,
    'sum=$(sha256sum < "$t" | cut -c1-64)',
    'pkg=$(dpkg-query -S "$t" 2>/dev/null | grep -v \'^diversion\' | grep -F ": $t" | head -n 1 | sed \'s/[:,] .*//\')',
    'ver=; if [ -n "$pkg" ]; then ver=$(dpkg-query -W -f=\'${Version}\' "$pkg" 2>/dev/null || true); fi',
    'if [ -n "$ver" ]; then id="debian $pkg $ver sha256:$sum"; else id="tarball $(basename "$t") sha256:$sum"; fi',
    'mkdir -p "$(dirname "$memo")" && printf \'%s\\n%s\\n\' "$seen" "$id" > "$memo.$$" && mv "$memo.$$" "$memo"',
    'printf \'%s\\n\' "$id"',
  ].join('\n');
}
