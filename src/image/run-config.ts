// The run an image asks for by default (docker run IMAGE [ARGS]): program and arguments, environment, directory, user, port.
import path from 'node:path';
import { TinyxError } from '../errors.js';
import type { ContainerConfig } from './config.js';
import { isExecutable, lookupPath, searchPath } from './lookup.js';
import type { Tree } from './tree.js';
import { resolveUser, type ImageUser } from './users.js';

/** What the user said on the command line, over what the image says. */
export interface RunOverrides {
  /** Replace the image's Cmd (after the Entrypoint), as `docker run IMAGE ARGS...` does. */
  args?: string[];
  /** KEY=VALUE, replacing the image's value of KEY. */
  env?: string[];
  user?: string;
  workdir?: string;
}

/** The image's files as the run needs them: the metadata index, and its /etc/passwd and /etc/group (undefined when absent). */
export interface ImageFacts {
  tree: Tree;
  passwd?: string;
  group?: string;
}

export interface ExposedPort {
  port: number;
  protocol: string;
}

export interface DefaultRun {
  /** Entrypoint + Cmd, the program (argv[0]) as an absolute path inside the image. */
  argv: string[];
  env: string[];
  workingDir: string;
  user: ImageUser;
  ports: ExposedPort[];
  /** The one exposed TCP port, when there is exactly one. */
  port?: number;
  /** About the ports, for the report: several TCP ports, UDP ones. */
  notes: string[];
  /** Fields of the config a VM does not honour, each with why. */
  unhonoured: string[];
}

/** Docker's PATH for an image that sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const UNHONOURED: Record<string, string> = {
  Volumes: 'the VM mounts no volumes: these are plain directories of its root',
  Healthcheck: 'not run: the tests decide whether the app works',
  StopSignal: 'the VM is powered off, its app is not signalled',
  StopTimeout: 'the VM is powered off, its app is not signalled',
  OnBuild: 'applies to images built FROM this one',
};

/** Pure: the default run of an image whose `config` object is `config`. */
export function defaultRun(config: ContainerConfig, facts: ImageFacts, overrides: RunOverrides = {}): DefaultRun {
  const user = resolveUser(overrides.user ?? config.User ?? '', facts.passwd, facts.group);
  const env = withEnv(config.Env ?? [], [`PATH=${DEFAULT_PATH}`, `HOME=${user.home}`], false);
  const finalEnv = withEnv(env, overrides.env ?? [], true);
  const workingDir = path.posix.resolve('/', overrides.workdir ?? (config.WorkingDir || '/'));
  const argv = [...(config.Entrypoint ?? []), ...(overrides.args ?? config.Cmd ?? [])];
  if (argv.length === 0) {
    throw new TinyxError('TINYX_USAGE', 'The image names no program to run (it has no Entrypoint and no Cmd).', {
      advice: 'Give the program and its arguments after the image, as for docker run IMAGE PROGRAM ARGS.',
    });
  }
  const pathVar = finalEnv.find((e) => e.startsWith('PATH='))!.slice('PATH='.length);
  argv[0] = program(facts.tree, argv[0]!, workingDir, pathVar);
  const { ports, notes } = exposedPorts(config.ExposedPorts);
  const tcp = ports.filter((p) => p.protocol === 'tcp');
  const unhonoured = Object.keys(UNHONOURED).filter((field) => present(config[field])).map((field) => `${field}: ${UNHONOURED[field]}`);
  return { argv, env: finalEnv, workingDir, user, ports, ...(tcp.length === 1 ? { port: tcp[0]!.port } : {}), notes, unhonoured };
}

/** `base` with each KEY=VALUE of `more` set: replacing an earlier KEY when `replace`, else only where KEY is missing. */
function withEnv(base: string[], more: string[], replace: boolean): string[] {
  const key = (e: string) => e.split('=', 1)[0];
  const out = [...base];
  for (const entry of more) {
    const at = out.findIndex((e) => key(e) === key(entry));
    if (at < 0) out.push(entry);
    else if (replace) out[at] = entry;
  }
  return out;
}

/** The program's absolute path: a bare name through PATH, a relative path from the working directory. */
function program(tree: Tree, name: string, workingDir: string, pathVar: string): string {
  const found = name.includes('/') ? path.posix.resolve(workingDir, name) : searchPath(tree, name, pathVar);
  if (found && isExecutable(tree, found)) return found;
  const where = name.includes('/') ? (lookupPath(tree, found!) ? `${found} is not an executable file` : `it has no ${found}`) : `no directory of its PATH (${pathVar}) has it`;
  throw new TinyxError('TINYX_APP_NOT_FOUND', `The image's program ${name} cannot be run: ${where}.`, {
    advice: 'Check the image\'s Entrypoint and Cmd (docker inspect), or give the program after the image.',
  });
}

function exposedPorts(exposed: ContainerConfig['ExposedPorts']): { ports: ExposedPort[]; notes: string[] } {
  const ports: ExposedPort[] = [];
  const notes: string[] = [];
  for (const key of Object.keys(exposed ?? {})) {
    const m = /^(\d+)(?:\/(\w+))?$/.exec(key);
    if (m) ports.push({ port: Number(m[1]), protocol: (m[2] ?? 'tcp').toLowerCase() });
    else notes.push(`exposed port ${key} is not a single port: not forwarded`);
  }
  const tcp = ports.filter((p) => p.protocol === 'tcp').map((p) => p.port);
  if (tcp.length > 1) notes.push(`the image exposes several TCP ports (${tcp.join(', ')}): none is the default; name the one to test`);
  for (const p of ports.filter((p) => p.protocol !== 'tcp')) notes.push(`the image exposes ${p.protocol.toUpperCase()} port ${p.port}: the default port is TCP only`);
  return { ports, notes };
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '' && !(typeof v === 'object' && Object.keys(v as object).length === 0);
