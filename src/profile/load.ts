// Loads a profile: find the file, parse YAML, check each field (with its line), fill defaults.
import { readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { describeNode, keyName, parseWithLines } from '../util/yaml-lines.js';
import { TinyxError } from '../errors.js';
import { exists } from '../util/fsx.js';
import { packageRoot } from '../util/paths.js';
import { didYouMean } from '../util/suggest.js';
import { symbolName } from '../kconfig/dotconfig.js';
import { PACKAGE_NAME } from '../kconfig/tarball.js';
import { ACCEL_CHOICES, type AccelChoice, type Profile } from './types.js';
import { DEFAULT_STRATEGY, STRATEGY_NAMES } from './strategy-names.js';
import { COMPRESSION_CHOICES, type CompressionChoice } from '../packager/compress.js';
import { ROOT_DECOMPRESSOR, RUN_DECOMPRESSOR } from './harness.js';

export const DEFAULT_PROFILE = 'qemu-x86_64';

/** The guest's network card when the profile names none: virtio on the PCI bus of QEMU's `pc`. */
export const DEFAULT_NET_DEVICE = 'virtio-net-pci';

/** The target that boots the candidates (TCG works without KVM): every profile's vm.targets holds it. */
export const TESTER_TARGET = 'qemu';

/** A profile name from profiles/, or a path to a YAML file. */
export async function loadProfile(nameOrPath: string = DEFAULT_PROFILE): Promise<Profile> {
  const file = await findProfile(nameOrPath);
  return parseProfile(await readProfile(file), file);
}

/** The names `--profile NAME` takes: the profiles in profiles/, sorted (read when the help is shown). */
export function profileNames(): string[] {
  try {
    return readdirSync(path.join(packageRoot(), 'profiles')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();
  } catch {
    return [];
  }
}

async function findProfile(nameOrPath: string): Promise<string> {
  const looksLikePath = nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath);
  const file = looksLikePath ? path.resolve(nameOrPath) : path.join(packageRoot(), 'profiles', `${nameOrPath}.yaml`);
  const advice = `Use a name from ${path.join(packageRoot(), 'profiles')} (e.g. ${DEFAULT_PROFILE}) or a path to a YAML file.`;
  if (!(await exists(file))) {
    throw new TinyxError('TINYX_PROFILE_NOT_FOUND', `Profile "${nameOrPath}" not found (looked for ${file}).`, { advice });
  }
  if (!(await stat(file)).isFile()) {
    throw new TinyxError('TINYX_PROFILE_NOT_FOUND', `Profile "${nameOrPath}" is not a file: ${file} is a directory or a device.`, { advice });
  }
  return file;
}

async function readProfile(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new TinyxError('TINYX_PROFILE_INVALID', `Cannot read the profile ${file} (${error.code ?? error.message}).`, {
      advice: 'Check its permissions.', cause: error,
    });
  });
}

/** The keys a profile may have: a section maps to its own keys, a leaf to null. */
type KeySchema = { [key: string]: KeySchema | null };
const PROFILE_KEYS: KeySchema = {
  name: null,
  arch: null,
  kernel: { source: null, base: null, enable: null, disable: null, keep: null, harness: { always: null, network: null, disk: null, volume: null } },
  packaging: { compression: null },
  boot: { cmdline: null, keep: null, speedups: null },
  qemu: { machine: null, accel: null, memory: null, netDevice: null, extraArgs: null },
  vm: { targets: null },
  search: { strategy: null, cmdlineStrategy: null, prior: null },
};

/** Parse and validate profile text; every problem is reported with its line. */
export function parseProfile(text: string, source: string): Profile {
  const { doc, lines, problems } = parseWithLines(text);
  const check = new Checker(doc, lines, problems);
  check.unknownKeys(PROFILE_KEYS);
  const profile: Profile = {
    name: check.string(['name'], path.basename(source).replace(/\.ya?ml$/, '')),
    source,
    arch: check.oneOf(['arch'], ['x86_64'], 'x86_64') as 'x86_64',
    kernel: {
      ...optional('source', check.optionalString(['kernel', 'source'])),
      base: check.oneOf(['kernel', 'base'], ['tinyconfig', 'allnoconfig', 'defconfig'], 'tinyconfig'),
      enable: check.strings(['kernel', 'enable']).map(symbolName),
      disable: check.strings(['kernel', 'disable']).map(symbolName),
      keep: check.strings(['kernel', 'keep']).map(symbolName),
      harness: {
        always: check.strings(['kernel', 'harness', 'always']).map(symbolName),
        network: check.strings(['kernel', 'harness', 'network']).map(symbolName),
        disk: check.strings(['kernel', 'harness', 'disk']).map(symbolName),
        volume: check.strings(['kernel', 'harness', 'volume']).map(symbolName),
      },
    },
    packaging: {
      compression: check.oneOf(['packaging', 'compression'], [...COMPRESSION_CHOICES], 'auto') as CompressionChoice,
    },
    boot: {
      cmdline: check.string(['boot', 'cmdline'], 'console=ttyS0 panic=-1'),
      keep: check.strings(['boot', 'keep']),
      speedups: check.strings(['boot', 'speedups']),
    },
    qemu: {
      machine: check.string(['qemu', 'machine'], 'pc'),
      accel: check.oneOf(['qemu', 'accel'], [...ACCEL_CHOICES], 'auto') as AccelChoice,
      memory: check.string(['qemu', 'memory'], '256M'),
      netDevice: check.string(['qemu', 'netDevice'], DEFAULT_NET_DEVICE),
      extraArgs: check.strings(['qemu', 'extraArgs']),
    },
    vm: {
      targets: check.where(['vm', 'targets']) ? check.strings(['vm', 'targets']) : [TESTER_TARGET],
    },
    search: {
      strategy: check.string(['search', 'strategy'], DEFAULT_STRATEGY),
      cmdlineStrategy: check.string(['search', 'cmdlineStrategy'], DEFAULT_STRATEGY),
      prior: check.listMap(['search', 'prior']).map(({ key, values }) => ({ example: key, needed: values.map(symbolName) })),
    },
  };
  for (const key of ['strategy', 'cmdlineStrategy'] as const) {
    if (!STRATEGY_NAMES.includes(profile.search[key])) {
      problems.push(`${check.where(['search', key])}search.${key}: expected one of ${STRATEGY_NAMES.join(', ')}, received "${profile.search[key]}"`);
    }
  }
  problems.push(...check.placeholders());
  if (profile.kernel.source !== undefined && !PACKAGE_NAME.test(profile.kernel.source)) {
    problems.push(`${check.where(['kernel', 'source'])}kernel.source: expected a linux-source package name such as linux-source-6.1, received "${profile.kernel.source}"`);
  }
  const netDevice = netDeviceProblem(profile.qemu.machine, profile.qemu.netDevice);
  if (netDevice) {
    // Unset, it is the default that does not fit the machine: the machine's line, then.
    const at = check.where(['qemu', 'netDevice']);
    problems.push(`${at || check.where(['qemu', 'machine'])}qemu.netDevice${at ? '' : ` (unset, so ${DEFAULT_NET_DEVICE})`}: ${netDevice}`);
  }
  const { targets } = profile.vm;
  if (!targets.includes(TESTER_TARGET) || new Set(targets).size !== targets.length) {
    problems.push(`${check.where(['vm', 'targets'])}vm.targets: expected a list naming each target once, ${TESTER_TARGET} among them (it boots the candidates and writes run.sh), received [${targets.join(', ')}]`);
  }
  const notOneOption = profile.boot.speedups.filter((o) => !/^\S+$/.test(o));
  if (notOneOption.length) {
    problems.push(`${check.where(['boot', 'speedups'])}boot.speedups: expected one boot option per entry (no spaces), received ${notOneOption.map((o) => `"${o}"`).join(', ')}`);
  }
  if (!profile.boot.cmdline.split(/\s+/).some((t) => t.startsWith('console=ttyS0'))) {
    problems.push(`${check.where(['boot', 'cmdline'])}boot.cmdline must contain console=ttyS0 (tinyx reads the serial console)`);
  }
  if (problems.length > 0) {
    throw new TinyxError('TINYX_PROFILE_INVALID', `Profile ${source} is invalid:\n  ${problems.join('\n  ')}`, {
      advice: `Compare with ${path.join(packageRoot(), 'profiles', `${DEFAULT_PROFILE}.yaml`)}.`,
    });
  }
  return profile;
}

/**
 * What is wrong with `device` as the guest's network card on `machine` (`-M` with its options), or
 * undefined: not a device name, or one the machine has no bus for (QEMU would refuse it only at the
 * first boot, after the start kernel's build).
 */
function netDeviceProblem(machine: string, device: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(device)) {
    return `expected a QEMU device name such as ${DEFAULT_NET_DEVICE} or virtio-net-device (tinyx adds ",netdev=n0"), received "${device}"`;
  }
  const type = machine.split(',')[0];
  if (type === 'microvm' && device.endsWith('-pci')) return `microvm has no PCI bus for ${device}; use virtio-net-device (virtio-mmio)`;
  if (type !== 'microvm' && /^virtio-.+-device$/.test(device)) return `${device} needs the virtio-mmio transports of microvm; on ${type} use ${DEFAULT_NET_DEVICE}`;
  return undefined;
}

/** `{ key: value }`, or nothing when the value is undefined (the profile's optional keys stay absent). */
const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** Reads typed fields out of a YAML document, collecting "line N: expected X, received Y". */
class Checker {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly problems: string[],
  ) {}

  where(keyPath: string[]): string {
    const node = this.doc.getIn(keyPath, true) as Node | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? '' : `line ${this.lines.linePos(offset).line}: `;
  }

  private node(keyPath: string[]): Node | undefined {
    if (!isMap(this.doc.contents) && this.doc.contents !== null) {
      this.fail([], 'a mapping at the top level', this.doc.contents);
      return undefined;
    }
    return this.doc.getIn(keyPath, true) as Node | undefined;
  }

  private fail(keyPath: string[], expected: string, node: unknown): void {
    this.problems.push(`${this.where(keyPath)}${keyPath.join('.') || '(top)'}: expected ${expected}, received ${describeNode(node)}`);
  }

  /** `line N: unknown key "enabel" under kernel (did you mean "enable"?)` for each key the schema lacks. */
  unknownKeys(schema: KeySchema, keyPath: string[] = []): void {
    const node = keyPath.length === 0 ? this.doc.contents : this.doc.getIn(keyPath, true);
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = keyName(pair.key);
      const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      const known = Object.keys(schema);
      if (!known.includes(key)) {
        const where = offset === undefined ? '' : `line ${this.lines.linePos(offset).line}: `;
        const section = keyPath.length === 0 ? 'at the top level' : `under ${keyPath.join('.')}`;
        this.problems.push(`${where}unknown key "${key}" ${section}${didYouMean(key, known)}; known keys: ${known.join(', ')}`);
        continue;
      }
      const sub = schema[key];
      if (!sub) continue;
      if (isMap(pair.value)) this.unknownKeys(sub, [...keyPath, key]);
      else if (pair.value !== null && !(isScalar(pair.value) && pair.value.value === null)) this.fail([...keyPath, key], 'a mapping', pair.value);
    }
  }

  string(keyPath: string[], fallback: string): string {
    const node = this.node(keyPath);
    if (node === undefined || (isScalar(node) && node.value === null)) return fallback;
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
    this.fail(keyPath, 'a string', node);
    return fallback;
  }

  /** A string, or undefined where the key is absent or empty. */
  optionalString(keyPath: string[]): string | undefined {
    const value = this.string(keyPath, '');
    return value === '' ? undefined : value;
  }

  oneOf(keyPath: string[], allowed: string[], fallback: string): string {
    const value = this.string(keyPath, fallback);
    if (!allowed.includes(value)) this.problems.push(`${this.where(keyPath)}${keyPath.join('.')}: expected one of ${allowed.join(', ')}, received "${value}"`);
    return value;
  }

  /** A mapping of names to lists of strings (`lighttpd: [FUTEX, EPOLL]`), in file order. */
  listMap(keyPath: string[]): { key: string; values: string[] }[] {
    const node = this.node(keyPath);
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    if (!isMap(node)) {
      this.fail(keyPath, 'a mapping of names to lists', node);
      return [];
    }
    return node.items.map((pair) => {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      return { key, values: this.strings([...keyPath, key]) };
    });
  }

  /**
   * RUN_DECOMPRESSOR stands only in kernel.harness.always and ROOT_DECOMPRESSOR only in
   * kernel.harness.disk (neither names an option of its own), and no other `<...>` is known: each
   * misuse, with its line.
   */
  placeholders(): string[] {
    const lists = [['kernel', 'enable'], ['kernel', 'disable'], ['kernel', 'keep'], ...['always', 'network', 'disk', 'volume'].map((k) => ['kernel', 'harness', k])];
    const homes: Record<string, { list: string; what: string }> = {
      [RUN_DECOMPRESSOR]: { list: 'kernel.harness.always', what: 'the RD_ option of the run\'s initramfs compression' },
      [ROOT_DECOMPRESSOR]: { list: 'kernel.harness.disk', what: 'the squashfs decompressor of the run\'s compression' },
    };
    const found: string[] = [];
    for (const keyPath of lists) {
      const node = this.doc.getIn(keyPath, true);
      if (!isSeq(node)) continue;
      node.items.forEach((item, i) => {
        const value = isScalar(item) ? String(item.value) : '';
        if (!/[<>]/.test(value)) return;
        const at = `${this.where([...keyPath, String(i)])}${keyPath.join('.')}: `;
        const home = homes[value];
        if (!home) found.push(`${at}"${value}" is no Kconfig option; the placeholders are ${RUN_DECOMPRESSOR}, in kernel.harness.always, and ${ROOT_DECOMPRESSOR}, in kernel.harness.disk`);
        else if (home.list !== keyPath.join('.')) found.push(`${at}${value} (${home.what}) stands only in ${home.list}`);
      });
    }
    return found;
  }

  strings(keyPath: string[]): string[] {
    const node = this.node(keyPath);
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    if (!isSeq(node)) {
      this.fail(keyPath, 'a list of strings', node);
      return [];
    }
    const out: string[] = [];
    node.items.forEach((item, i) => {
      if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number')) out.push(String(item.value));
      else this.fail([...keyPath, String(i)], 'a string', item);
    });
    return out;
  }
}
