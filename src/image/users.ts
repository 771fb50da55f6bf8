// An image's `User` ("name", "uid", "name:group", "uid:gid") as numbers, looked up in the image's own /etc/passwd and /etc/group.
import { TinyxError } from '../errors.js';

export interface ImageUser {
  uid: number;
  gid: number;
  /** The passwd name, when the image's /etc/passwd has the uid. */
  name?: string;
  /** The home directory from /etc/passwd; "/" when there is none, as Docker does. */
  home: string;
}

type Row = string[];

function rows(text: string | undefined): Row[] {
  return (text ?? '').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split(':'));
}

const isId = (s: string) => /^\d+$/.test(s);

/**
 * Pure: the user a container of this image runs as, the way runc resolves it. "" is root. A name
 * must be in `passwd` (the image's /etc/passwd; undefined when it has none); a number need not be,
 * and then gets group 0. A group, after ":", is a gid or a name from `group`.
 */
export function resolveUser(spec: string, passwd: string | undefined, group: string | undefined): ImageUser {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const users = rows(passwd);
  const row = userPart === '' ? users.find((r) => r[2] === '0') : users.find((r) => (isId(userPart) ? r[2] === userPart : r[0] === userPart));
  if (!row && userPart !== '' && !isId(userPart)) throw notFound('user', userPart, spec, passwd === undefined ? '/etc/passwd' : undefined);
  const uid = row ? Number(row[2]) : Number(userPart || 0);
  let gid = row && isId(row[3] ?? '') ? Number(row[3]) : 0;
  if (groupPart !== undefined && groupPart !== '') {
    const match = rows(group).find((r) => (isId(groupPart) ? r[2] === groupPart : r[0] === groupPart));
    if (!match && !isId(groupPart)) throw notFound('group', groupPart, spec, group === undefined ? '/etc/group' : undefined);
    gid = match ? Number(match[2]) : Number(groupPart);
  }
  return { uid, gid, ...(row?.[0] ? { name: row[0] } : {}), home: row?.[5] || '/' };
}

function notFound(kind: 'user' | 'group', name: string, spec: string, absent: string | undefined): TinyxError {
  const file = kind === 'user' ? '/etc/passwd' : '/etc/group';
  const where = absent ? `the image has no ${absent}` : `the image's ${file} has no ${kind} ${name}`;
  return new TinyxError('TINYX_USER_NOT_FOUND', `The image runs as ${JSON.stringify(spec)}, but ${where}.`, {
    advice: `Name the ${kind} by number instead (for example ${kind === 'user' ? '1000' : '1000:1000'}), or add it to the image's ${file}.`,
  });
}
