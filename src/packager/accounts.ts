// The guest's /etc/passwd and /etc/group: root, the host's system accounts, and the app's user (no passwords, no host members).
import { readFile } from 'node:fs/promises';
import { TinyxError } from '../errors.js';

export interface Accounts {
  passwd: string;
  group: string;
}

export interface GuestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** Debian's system accounts are below this uid/gid (and nobody/nogroup at 65534). */
const FIRST_REGULAR_ID = 1000;
const NOBODY = 65534;

interface Row {
  fields: string[];
  id: number;
}

function rows(text: string): Row[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => {
    const fields = l.split(':');
    return { fields, id: Number(fields[2]) };
  });
}

/**
 * Pure: the accounts the guest gets. Every system account of the host (uid < 1000, and nobody)
 * goes in, because services name their user in their own config (lighttpd's server.username,
 * nginx's user): a few hundred bytes, no passwords (the password field is always "x"). Regular
 * accounts go in only when named in `users`, with their primary group. A group's member list
 * keeps only the users in `users` (what initgroups() gives the app's user): who else is in
 * sudo or docker on the host is not the guest's business.
 */
export function pickAccounts(passwdText: string, groupText: string, users: string[] = []): Accounts {
  const isSystem = (id: number) => Number.isInteger(id) && (id < FIRST_REGULAR_ID || id === NOBODY);
  const passwd = rows(passwdText);
  for (const name of users) {
    if (!passwd.some((r) => r.fields[0] === name)) {
      throw new TinyxError('TINYX_USER_NOT_FOUND', `User ${name} is not in this host's /etc/passwd`, {
        advice: `Create it on the host first (e.g. adduser --system ${name}), or pick an existing one (getent passwd).`,
      });
    }
  }
  const keptUsers = passwd.filter((r) => isSystem(r.id) || users.includes(r.fields[0] as string));
  const gids = new Set(keptUsers.map((r) => Number(r.fields[3])));
  const keptGroups = rows(groupText).filter((r) => isSystem(r.id) || gids.has(r.id));
  const line = (r: Row) => r.fields.map((f, i) => (i === 1 ? 'x' : f)).join(':');
  const guestMembers = (r: Row): Row => ({ ...r, fields: [...r.fields.slice(0, 3), (r.fields[3] ?? '').split(',').filter((m) => users.includes(m)).join(',')] });
  const rootFirst = (a: Row, b: Row) => a.id - b.id;
  const passwdOut = keptUsers.sort(rootFirst).map(line);
  const groupOut = keptGroups.sort(rootFirst).map((r) => line(guestMembers(r)));
  if (!keptUsers.some((r) => r.id === 0)) passwdOut.unshift('root:x:0:0:root:/root:/bin/sh');
  if (!keptGroups.some((r) => r.id === 0)) groupOut.unshift('root:x:0:');
  return { passwd: `${passwdOut.join('\n')}\n`, group: `${groupOut.join('\n')}\n` };
}

/** Pure: the passwd entry of `name` in the accounts picked for the guest. */
export function findUser(accounts: Accounts, name: string): GuestUser {
  const row = rows(accounts.passwd).find((r) => r.fields[0] === name);
  if (!row) throw new TinyxError('TINYX_USER_NOT_FOUND', `User ${name} is not among the guest's accounts`);
  return { name, uid: row.id, gid: Number(row.fields[3]), home: row.fields[5] || '/' };
}

/**
 * Pure: the groups `user` has in the guest, as initgroups() gives them (BusyBox `su` calls it): the
 * primary group first, then every group of the accounts that lists the user as a member, by gid.
 */
export function groupsOf(accounts: Accounts, user: GuestUser): number[] {
  const members = rows(accounts.group).filter((r) => (r.fields[3] ?? '').split(',').includes(user.name)).map((r) => r.id);
  return [user.gid, ...[...new Set(members)].filter((g) => g !== user.gid && Number.isInteger(g)).sort((a, b) => a - b)];
}

/** Read the host's databases (files only, as the guest's nsswitch.conf says) and pick the guest's accounts. */
export async function hostAccounts(users: string[] = [], etc = '/etc'): Promise<Accounts> {
  const [passwd, group] = await Promise.all([
    readFile(`${etc}/passwd`, 'utf8').catch(() => ''),
    readFile(`${etc}/group`, 'utf8').catch(() => ''),
  ]);
  return pickAccounts(passwd, group, users);
}
