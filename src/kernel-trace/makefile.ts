// Reads the object lists of one kbuild Makefile: which objects and subdirs each option builds.

/** One assignment to an object list, e.g. `obj-$(CONFIG_VIRTIO_PCI) += virtio_pci.o`. */
export interface KbuildRule {
  /**
   * `obj` or `lib` (also the arch Makefile's `core`/`libs`/`drivers`), or the name of a composite
   * object whose parts these are (`virtio_pci` for `virtio_pci-y += ...`).
   */
  list: string;
  /** Options that must be enabled: the list's `$(CONFIG_X)` suffix and enclosing `ifdef` blocks. */
  gates: string[];
  /** `name.o` files and `dir/` descents, relative to the Makefile's directory. */
  targets: string[];
  line: number;
}

/** Make variables substituted in targets (`head_$(BITS).o`); other references are skipped. */
export const X86_64_VARS: Readonly<Record<string, string>> = { SRCARCH: 'x86', ARCH: 'x86', BITS: '64' };

const TOP_LISTS = new Set(['obj', 'lib', 'core', 'libs', 'drivers']);
/** Variables shaped like `name-suffix` that hold no objects. */
const NOT_OBJECTS = /^(subdir-.*|.*flags.*|always|extra|targets|hostprogs|userprogs|clean-files|header-test|[A-Z].*)$/;
const CONFIG_REF = /CONFIG_([A-Za-z0-9_]+)/g;
/** `target: prerequisites` (a colon before any assignment operator). */
const RULE = /^[^=]*[^:=+?]:(?![:=])/;

/** An open conditional block: the options its current branch requires (positive) or excludes. */
interface Frame {
  positive: string[];
  negative: string[];
}

/** `ifdef CONFIG_X` / `ifeq ($(CONFIG_X),y)` / `ifneq ($(CONFIG_X),)`: which options it tests, and how. */
function parseCondition(line: string): { positive: string[]; negative: string[] } {
  const none = { positive: [], negative: [] };
  let m = /^(ifdef|ifndef)\s+CONFIG_([A-Za-z0-9_]+)\s*$/.exec(line);
  if (m) return m[1] === 'ifdef' ? { positive: [m[2]!], negative: [] } : { positive: [], negative: [m[2]!] };
  m = /^(ifeq|ifneq)\s*\(\s*"?\$\(CONFIG_([A-Za-z0-9_]+)\)"?\s*,\s*"?(y?)"?\s*\)\s*$/.exec(line);
  if (!m) return none;
  const isEq = m[1] === 'ifeq';
  const testsY = m[3] === 'y';
  // eq y / neq "" mean "enabled"; neq y / eq "" mean "not enabled" (no gate, only its else branch).
  return isEq === testsY ? { positive: [m[2]!], negative: [] } : { positive: [], negative: [m[2]!] };
}

function expand(token: string, vars: Readonly<Record<string, string>>): string | undefined {
  const out = token.replace(/\$\(([A-Za-z0-9_]+)\)/g, (whole, name: string) => vars[name] ?? whole);
  return out.includes('$') ? undefined : out;
}

/** The object-list assignments of a Makefile's text, with the options that gate each. */
export function parseKbuild(text: string, vars: Readonly<Record<string, string>> = X86_64_VARS): KbuildRule[] {
  const rules: KbuildRule[] = [];
  const stack: Frame[] = [];
  const lines = text.split('\n');
  let inRule = false;
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let line = lines[i]!;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!}`;
    // A tab-first line after a rule is its recipe (shell, not make); elsewhere (`ifdef` bodies) it is make.
    if (inRule && line.startsWith('\t')) continue;
    line = line.replace(/(^|[^\\])#.*$/, '$1').trim();
    if (!line) continue;
    inRule = RULE.test(line);

    if (/^(ifdef|ifndef|ifeq|ifneq)\b/.test(line)) {
      stack.push(parseCondition(line));
      continue;
    }
    if (/^else\b/.test(line)) {
      const top = stack[stack.length - 1];
      if (!top) continue;
      const chained = line.replace(/^else\s*/, '');
      // `else ifeq ...`: the new test only (what the earlier branch excluded is not tracked).
      stack[stack.length - 1] = chained
        ? parseCondition(chained)
        : { positive: top.negative, negative: top.positive };
      continue;
    }
    if (/^endif\b/.test(line)) {
      stack.pop();
      continue;
    }

    const m = /^([A-Za-z0-9_.-]+?)-(y|objs|\$\(.*?\)+)\s*(\+=|:=|\?=|=)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, name, suffix, , value] = m as unknown as [string, string, string, string, string];
    if (NOT_OBJECTS.test(name) && !TOP_LISTS.has(name)) continue;
    // `obj-$(VDSO64-y)`: a suffix naming no option is taken as always (under-attributes, never wrongly gates).
    const suffixGates = suffix.startsWith('$') ? [...suffix.matchAll(CONFIG_REF)].map((r) => r[1]!) : [];
    const targets = value.split(/\s+/)
      .map((t) => expand(t, vars))
      .filter((t): t is string => t !== undefined && (t.endsWith('.o') || t.endsWith('/')))
      .map((t) => t.replace(/^\.\//, ''));
    if (targets.length === 0) continue;
    const blockGates = stack.flatMap((f) => f.positive);
    rules.push({ list: name, gates: [...new Set([...blockGates, ...suffixGates])], targets, line: first + 1 });
  }
  return rules;
}

/** Whether a rule's list builds objects into its directory (not a composite object's parts). */
export function isTopList(list: string): boolean {
  return TOP_LISTS.has(list);
}
