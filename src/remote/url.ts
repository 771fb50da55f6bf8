// Parses worker addresses of the form ssh://user@host[:port] (IPv6 hosts in brackets).
import { userInfo } from 'node:os';
import { TinyxError } from '../errors.js';

export interface WorkerAddress {
  user: string;
  host: string;
  port: number;
}

export function parseWorkerUrl(url: string): WorkerAddress {
  const match = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/[\]]+)(?::(\d+))?\/?$/.exec(url.trim());
  const port = match?.[3] ? Number(match[3]) : 22;
  const invalid = (why: string) => new TinyxError('TINYX_USAGE', `Not a worker address: ${JSON.stringify(url)} (${why}).`, {
    advice: 'Write it like ssh://tinyx@build1.example.org or ssh://root@127.0.0.1:2222 (a % in the user name is written %25).',
  });
  if (!match || !match[2] || !Number.isInteger(port) || port < 1 || port > 65535) throw invalid('expected ssh://user@host[:port]');
  const host = match[2].startsWith('[') ? match[2].slice(1, -1) : match[2];
  return { user: match[1] ? decodeUser(match[1], invalid) : userInfo().username, host, port };
}

/** The user name, %XX escapes decoded; a % that starts no escape is refused. */
function decodeUser(text: string, invalid: (why: string) => TinyxError): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalid(`the user name "${text}" has a % that is not a %XX escape`);
  }
}

/** The name known_hosts files use for this address: host, or [host]:port off port 22. */
export function knownHostsName(address: Pick<WorkerAddress, 'host' | 'port'>): string {
  return address.port === 22 ? address.host : `[${address.host}]:${address.port}`;
}

export function formatWorkerUrl(address: WorkerAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `ssh://${address.user}@${host}${address.port === 22 ? '' : `:${address.port}`}`;
}
