// The small /etc every program may expect: users, groups, name service order, host name, hosts, DNS.
import type { Accounts } from './accounts.js';
import { GUEST_NET } from './markers.js';

export const GUEST_HOSTNAME = 'tinyx';

export interface EtcFile {
  path: string;
  mode: number;
  data: string;
  reason: string;
}

/** Accounts when the host's are not given: root and nobody. */
export const MINIMAL_ACCOUNTS: Accounts = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
  group: 'root:x:0:\nnogroup:x:65534:\n',
};

/** Deterministic contents for the same accounts (glibc 2.34+ has the files and dns NSS backends built in). */
export function etcFiles(accounts: Accounts = MINIMAL_ACCOUNTS): EtcFile[] {
  return [
    { path: '/etc/passwd', mode: 0o644, reason: 'user database (getpwnam, whoami): root, system accounts, the app\'s user', data: accounts.passwd },
    { path: '/etc/group', mode: 0o644, reason: 'group database', data: accounts.group },
    { path: '/etc/nsswitch.conf', mode: 0o644, reason: 'name service order', data: 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' },
    { path: '/etc/hostname', mode: 0o644, reason: 'host name set by the rc', data: `${GUEST_HOSTNAME}\n` },
    { path: '/etc/hosts', mode: 0o644, reason: 'localhost and own name', data: `127.0.0.1\tlocalhost\n127.0.1.1\t${GUEST_HOSTNAME}\n::1\tlocalhost\n` },
    { path: '/etc/resolv.conf', mode: 0o644, reason: 'DNS of QEMU user networking', data: `nameserver ${GUEST_NET.dns}\n` },
  ];
}
