// Opens an SSH connection to a worker: verified host key, key or agent auth, a connect timeout.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { Client, type AnyAuthMethod, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import { TinyxError } from '../errors.js';
import { exists } from '../util/fsx.js';
import { unreachable } from './errors.js';
import { hostKeyChecker, preferredHostKeyTypes, type HostKeyPolicy } from './hostkey.js';
import { SshConnection } from './connection.js';
import { formatWorkerUrl, parseWorkerUrl } from './url.js';

export interface ConnectOptions extends HostKeyPolicy {
  url: string;
  /** Private key file; default: the SSH agent, then ~/.ssh/id_ed25519 and ~/.ssh/id_rsa. */
  identity?: string;
  connectTimeoutMs?: number;
  /** SSH keepalive period; a silent worker is declared lost after 3 missed replies. */
  keepaliveMs?: number;
}

export async function connectWorker(options: ConnectOptions): Promise<SshConnection> {
  const address = parseWorkerUrl(options.url);
  const name = formatWorkerUrl(address);
  const check = await hostKeyChecker(address, options);
  const hostKeyTypes = await preferredHostKeyTypes(address, options);
  const auth = await authMethods(address.user, options.identity);
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  const client = new Client();
  let refused: TinyxError | undefined;
  const config: ConnectConfig = {
    host: address.host, port: address.port, username: address.user, readyTimeout: timeoutMs,
    keepaliveInterval: options.keepaliveMs ?? 5_000, keepaliveCountMax: 3, authHandler: auth,
    hostVerifier: (key: Buffer) => {
      refused = check(key);
      return refused === undefined;
    },
    ...(hostKeyTypes ? { algorithms: { serverHostKey: hostKeyTypes as ServerHostKeyAlgorithm[] } } : {}),
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no SSH session within ${timeoutMs / 1000} s`)), timeoutMs + 1_000);
    const fail = (error: Error & { level?: string }) => {
      clearTimeout(timer);
      client.removeAllListeners('ready');
      client.on('error', () => undefined);
      client.destroy();
      if (refused) return reject(refused);
      if (error.level === 'client-authentication') {
        return reject(new TinyxError('TINYX_WORKER_UNREACHABLE', `${name} refused every key offered (${auth.map(describe).join(', ')}).`, {
          advice: 'Add the public key to the worker user\'s ~/.ssh/authorized_keys, or pass --identity KEY.', cause: error,
        }));
      }
      reject(unreachable(name, error.message, error));
    };
    client.once('ready', () => {
      clearTimeout(timer);
      client.removeListener('error', fail);
      resolve();
    });
    client.once('error', fail);
    client.connect(config);
  });
  return new SshConnection(client, name);
}

async function authMethods(username: string, identity?: string): Promise<AnyAuthMethod[]> {
  if (identity) {
    const key = await readFile(identity).catch((cause: unknown) => {
      throw new TinyxError('TINYX_USAGE', `Cannot read the identity file ${identity}.`, { cause, advice: 'Pass --identity with a readable private key file.' });
    });
    return [{ type: 'publickey', username, key }];
  }
  const methods: AnyAuthMethod[] = [];
  if (process.env.SSH_AUTH_SOCK) methods.push({ type: 'agent', username, agent: process.env.SSH_AUTH_SOCK });
  for (const file of ['id_ed25519', 'id_rsa'].map((f) => path.join(homedir(), '.ssh', f))) {
    if (await exists(file)) methods.push({ type: 'publickey', username, key: await readFile(file) });
  }
  if (methods.length === 0) {
    throw new TinyxError('TINYX_USAGE', 'No SSH credentials: no $SSH_AUTH_SOCK agent, no ~/.ssh/id_ed25519 or ~/.ssh/id_rsa.', {
      advice: 'Pass --identity KEY (or identity: in workers.yaml), or start ssh-agent and ssh-add a key.',
    });
  }
  return methods;
}

function describe(method: AnyAuthMethod): string {
  return method.type === 'agent' ? 'agent keys' : method.type;
}
