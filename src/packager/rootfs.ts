// Pure planning of the guest root filesystem: the app's manifest plus the init (BusyBox's or tinyx's), /etc and devices.
import path from 'node:path';
import type { Manifest, ManifestEntry, ManifestPart } from '../deps/manifest.js';
import { encodeLdCache } from '../deps/ldcache-write.js';
import { resolveParents } from '../deps/treepath.js';
import { findUser, groupsOf, type Accounts, type GuestUser } from './accounts.js';
import { etcFiles, MINIMAL_ACCOUNTS } from './userland.js';
import { BUSYBOX_GUEST_PATH, INITTAB_GUEST_PATH, RC_GUEST_PATH, renderInittab, renderRc, type InitSpec } from './init.js';
import { encodeInitConf, INIT_CONF_GUEST_PATH } from './init-conf.js';

/** What a node is for, as the report's picture of the VM shows it: the app, what it runs on, what starts the guest, the rest. */
export type RootfsPart = ManifestPart | 'init' | 'other';

export interface RootfsNode {
  path: string;
  kind: ManifestEntry['kind'];
  mode: number;
  /** Contents come from this host file ... */
  hostPath?: string;
  /** ... or are given inline. */
  data?: string | Uint8Array;
  target?: string;
  major?: number;
  minor?: number;
  uid?: number;
  gid?: number;
  reason: string;
  /** The manifest's part, or the packager's (absent: see partOf in parts.ts). */
  part?: RootfsPart;
}

/** BusyBox applets linked into /bin (the rc itself calls them as `busybox APPLET`). */
export const APPLETS = ['sh', 'cat', 'dmesg', 'env', 'hostname', 'ifconfig', 'ip', 'ls', 'mkdir', 'mount', 'poweroff', 'ps', 'reboot', 'route', 'sleep', 'umount'];

/** Character devices in the archive, so a kernel without DEVTMPFS still has them: name, mode, major, minor. */
export const DEVICES: Array<[string, number, number, number]> = [
  ['console', 0o600, 5, 1], ['null', 0o666, 1, 3], ['zero', 0o666, 1, 5], ['full', 0o666, 1, 7],
  ['random', 0o666, 1, 8], ['urandom', 0o666, 1, 9], ['tty', 0o666, 5, 0],
];

const BASE_DIRS: Array<[string, number]> = [
  ['/bin', 0o755], ['/dev', 0o755], ['/etc', 0o755], ['/proc', 0o555], ['/root', 0o700], ['/run', 0o755], ['/sys', 0o555], ['/tmp', 0o1777],
  ['/var', 0o755], ['/var/log', 0o755], ['/var/tmp', 0o1777],
];

/**
 * Everything that goes into the initramfs, sorted by path. Manifest entries win over what the
 * packager adds (an app that brings its own /bin/sh keeps it); packager paths are resolved through
 * symlinks already in the tree (with merged-usr, /bin/busybox lands in /usr/bin).
 */
/**
 * With `init.kind` 'tinyx' the tree has tinyx's init as /init and its init.conf, and no BusyBox,
 * applets, inittab or rc; `tinyxInitHostPath` is then needed instead of `busyboxHostPath`.
 */
export function planRootfs(options: { manifest: Manifest; init: InitSpec; busyboxHostPath?: string; tinyxInitHostPath?: string; accounts?: Accounts }): RootfsNode[] {
  const accounts = options.accounts ?? MINIMAL_ACCOUNTS;
  const user = options.init.user ? findUser(accounts, options.init.user) : undefined;
  const tree = new Map<string, RootfsNode>();
  for (const e of options.manifest.entries) {
    tree.set(e.guestPath, { path: e.guestPath, kind: e.kind, mode: e.mode, hostPath: e.hostPath, target: e.target, major: e.major, minor: e.minor, uid: e.uid, gid: e.gid, reason: e.reason, part: e.part });
  }
  const add = (node: RootfsNode): void => {
    const resolved = resolveParents((q) => tree.get(q), node.path);
    if (tree.has(resolved)) return;
    ensureParents(tree, resolved, node.reason);
    tree.set(resolved, { ...node, path: resolved });
  };
  for (const [dir, mode] of BASE_DIRS) add({ path: dir, kind: 'dir', mode, reason: 'base directory' });
  for (const [name, mode, major, minor] of DEVICES) add({ path: `/dev/${name}`, kind: 'char', mode, major, minor, reason: 'static device node (works without devtmpfs)' });
  const initNodes = (options.init.kind ?? 'busybox') === 'tinyx'
    ? tinyxInit(options.init, required(options.tinyxInitHostPath, 'tinyxInitHostPath'), user && { ...user, groups: groupsOf(accounts, user) })
    : busyboxInit(options.init, required(options.busyboxHostPath, 'busyboxHostPath'), user);
  for (const node of initNodes) add(node);
  // A read-only root cannot have its volumes' mount points made at boot.
  for (const v of options.init.volumes ?? []) add({ path: v.path, kind: 'dir', mode: 0o755, reason: `mount point of the volume on /dev/${v.device}` });
  for (const f of etcFiles(accounts)) add({ ...f, kind: 'file' });
  if (options.manifest.ldCache && options.manifest.ldCache.length > 0) {
    add({ path: '/etc/ld.so.cache', kind: 'file', mode: 0o644, data: encodeLdCache(options.manifest.ldCache), reason: 'loader cache for libraries outside the default directories', part: 'libraries' });
  }
  return [...tree.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** BusyBox as /init (through a link), its applets, its inittab and the rc it runs. */
function busyboxInit(init: InitSpec, busyboxHostPath: string, user?: GuestUser): RootfsNode[] {
  return [
    { path: BUSYBOX_GUEST_PATH, kind: 'file', mode: 0o755, hostPath: busyboxHostPath, reason: 'static BusyBox: init, sh and the rc tools', part: 'init' },
    { path: '/init', kind: 'symlink', mode: 0o777, target: BUSYBOX_GUEST_PATH, reason: 'the kernel runs /init: BusyBox init', part: 'init' },
    ...APPLETS.map((applet): RootfsNode => ({ path: `/bin/${applet}`, kind: 'symlink', mode: 0o777, target: 'busybox', reason: `BusyBox applet ${applet}`, part: 'init' })),
    { path: INITTAB_GUEST_PATH, kind: 'file', mode: 0o644, data: renderInittab(), reason: 'BusyBox init table', part: 'init' },
    { path: RC_GUEST_PATH, kind: 'file', mode: 0o755, data: renderRc(init, user), reason: 'boot script: mounts, network, app', part: 'init' },
  ];
}

/** tinyx's init as /init (a file: the kernel runs it directly) and the config it reads. */
function tinyxInit(init: InitSpec, tinyxInitHostPath: string, user?: GuestUser & { groups: number[] }): RootfsNode[] {
  return [
    { path: '/init', kind: 'file', mode: 0o755, hostPath: tinyxInitHostPath, reason: 'the kernel runs /init: tinyx\'s own static init (mounts, network, the app; no shell)', part: 'init' },
    { path: INIT_CONF_GUEST_PATH, kind: 'file', mode: 0o644, data: encodeInitConf(init, user), reason: 'what the tinyx init starts: arguments, environment, cwd, user, network', part: 'init' },
  ];
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`planRootfs needs ${name} for this init`);
  return value;
}

function ensureParents(tree: Map<string, RootfsNode>, p: string, reason: string): void {
  const parent = path.posix.dirname(p);
  if (parent === '/' || tree.has(parent)) return;
  ensureParents(tree, parent, reason);
  tree.set(parent, { path: parent, kind: 'dir', mode: 0o755, reason: `parent directory (${reason})` });
}
