// Pure: /etc/tinyx/init.conf, what tinyx's own init starts and how (the format is specified at the top of tinyx-init.c).
import { TinyxError } from '../errors.js';
import type { GuestUser } from './accounts.js';
import { checkInitSpec, GUEST_PATH_ENV, type InitSpec } from './init.js';
import { GUEST_NET } from './markers.js';

export const INIT_CONF_GUEST_PATH = '/etc/tinyx/init.conf';
/** The first field: the format and its version (tinyx-init.c refuses any other). */
export const INIT_CONF_MAGIC = 'tinyx-init 1';

/** The app's user as the init switches to it, as BusyBox `su` does (initgroups, setgid, setuid). */
export interface InitUser extends GuestUser {
  /** Every group it is in, the primary first (accounts.ts groupsOf). */
  groups: number[];
}

/**
 * The app's environment over the kernel's, as the rc gives it: PATH and HOME=/ first, then the
 * user's HOME, USER and LOGNAME, then --env (which wins), those two sets sorted by name.
 */
export function appEnvironment(spec: InitSpec, user?: GuestUser): Array<[string, string]> {
  const env = new Map<string, string>([['PATH', GUEST_PATH_ENV], ['HOME', '/']]);
  const identity = user ? { HOME: user.home, USER: user.name, LOGNAME: user.name } : {};
  const set = Object.entries({ ...identity, ...spec.env }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, value] of set) env.set(key, value);
  return [...env];
}

/** The fields, in the order tinyx-init.c reads them, each ended by a NUL byte. */
export function encodeInitConf(spec: InitSpec, user?: InitUser): Buffer {
  checkInitSpec(spec, user);
  const n = GUEST_NET;
  const cwd = spec.cwd ?? '/';
  if (!cwd.startsWith('/')) throw new Error(`the init's working directory must be absolute: ${JSON.stringify(cwd)}`);
  if (!spec.appGuestPath.startsWith('/')) throw new Error(`the app's guest path must be absolute: ${JSON.stringify(spec.appGuestPath)}`);
  const fields = [
    INIT_CONF_MAGIC,
    `port=${spec.network?.guestPort ?? 0}`,
    ...(spec.network ? [`iface=${n.iface}`, `address=${n.address}`, `netmask=${n.netmask}`, `gateway=${n.gateway}`] : []),
    `cwd=${cwd}`,
    ...(user ? [`uid=${id(user.uid)}`, `gid=${id(user.gid)}`, `groups=${user.groups.map(id).join(',')}`] : []),
    ...(spec.volumes ?? []).map((v) => `volume=${v.device}:${v.path}`),
    ...appEnvironment(spec, user).map(([key, value]) => `env=${key}=${value}`),
    ...[spec.appGuestPath, ...spec.appArgs].map((arg) => `arg=${arg}`),
    'end',
  ];
  const nul = fields.find((f) => f.includes('\0'));
  if (nul !== undefined) {
    throw new TinyxError('TINYX_USAGE', `A value for the app's init holds a NUL byte, which no argument, variable or path can: ${JSON.stringify(nul)}`, {
      advice: 'Remove the NUL byte from the app arguments, --env values or --cwd.',
    });
  }
  return Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
}

function id(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xfffffffe) throw new Error(`bad user or group id ${value}`);
  return String(value);
}
