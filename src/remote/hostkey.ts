// Decides whether a worker's host key is trusted: a pinned SHA256 fingerprint or known_hosts.
import { homedir } from 'node:os';
import path from 'node:path';
import { TinyxError } from '../errors.js';
import { entryMatches, fingerprintOf, keyTypeOf, readKnownHosts, type KnownHostEntry } from './known-hosts.js';
import { knownHostsName, type WorkerAddress } from './url.js';

export interface HostKeyPolicy {
  /** known_hosts files to consult (default ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts). */
  knownHosts?: string[];
  /** A pinned fingerprint, `SHA256:...` as printed by ssh-keygen -lf; replaces known_hosts. */
  fingerprint?: string;
}

export function defaultKnownHostsFiles(): string[] {
  return [path.join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

/** The verdict on a presented host key: undefined when trusted, else the error to raise. */
export type HostKeyCheck = (key: Buffer) => TinyxError | undefined;

export async function hostKeyChecker(address: WorkerAddress, policy: HostKeyPolicy): Promise<HostKeyCheck> {
  const name = knownHostsName(address);
  if (policy.fingerprint) {
    const pinned = policy.fingerprint.trim().replace(/=+$/, '');
    return (key) => {
      const actual = fingerprintOf(key);
      return actual === pinned ? undefined : refuse(`The host key of ${name} is ${actual}, not the pinned ${pinned}.`,
        'Someone may be intercepting the connection, or the worker was reinstalled; check the key on the worker (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before changing the pin.');
    };
  }
  const files = policy.knownHosts ?? defaultKnownHostsFiles();
  const entries = (await readKnownHosts(files)).filter((e) => entryMatches(e.patterns, name));
  return (key) => check(name, key, entries, files);
}

function check(name: string, key: Buffer, entries: KnownHostEntry[], files: string[]): TinyxError | undefined {
  const same = (e: KnownHostEntry) => e.key.equals(key);
  const revoked = entries.find((e) => e.marker === '@revoked' && same(e));
  if (revoked) return refuse(`The host key of ${name} (${fingerprintOf(key)}) is marked @revoked in ${revoked.file}:${revoked.line}.`, 'Do not use this worker until its key is replaced.');
  const plain = entries.filter((e) => e.marker === undefined);
  if (plain.some(same)) return undefined;
  const type = keyTypeOf(key);
  const conflicting = plain.find((e) => e.keyType === type);
  if (conflicting) {
    return refuse(`The ${type} host key of ${name} (${fingerprintOf(key)}) does not match ${conflicting.file}:${conflicting.line}. It may be an attack, or the worker was reinstalled.`,
      `Check the key on the worker; if it legitimately changed, remove the old line with ssh-keygen -R '${name}' and add the new one.`);
  }
  if (plain.length > 0) {
    return refuse(`${name} offered a ${type} host key (${fingerprintOf(key)}) but ${plain[0]?.file} only lists ${[...new Set(plain.map((e) => e.keyType))].join(', ')} for it.`,
      'Add the worker\'s key of that type to known_hosts, or pin its fingerprint.');
  }
  return refuse(`${name} is not in ${files.join(' or ')} (its ${type} key is ${fingerprintOf(key)}); an unknown key is never accepted.`,
    `Verify the fingerprint on the worker, then add it: ssh-keyscan -p PORT HOST >> ~/.ssh/known_hosts, or pin it with fingerprint: ${fingerprintOf(key)}.`);
}

function refuse(message: string, advice: string): TinyxError {
  return new TinyxError('TINYX_WORKER_HOST_KEY', message, { advice });
}

/** Host key algorithms to ask for, so the server offers a key type known_hosts lists. */
export async function preferredHostKeyTypes(address: WorkerAddress, policy: HostKeyPolicy): Promise<string[] | undefined> {
  if (policy.fingerprint) return undefined;
  const entries = (await readKnownHosts(policy.knownHosts ?? defaultKnownHostsFiles()))
    .filter((e) => e.marker === undefined && entryMatches(e.patterns, knownHostsName(address)));
  const types = new Set<string>();
  for (const e of entries) {
    if (e.keyType === 'ssh-rsa') ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].forEach((t) => types.add(t));
    else types.add(e.keyType);
  }
  return types.size > 0 ? [...types] : undefined;
}
