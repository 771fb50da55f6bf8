// The flags of `tinyx verify`, `deps`, `kconfig` and `worker`, each once (minimize's are in minimize.ts).
import { INIT_CHOICES } from '../packager/init-kind.js';
import type { Flags } from './flag.js';

export const VERIFY_USAGE = `Usage: tinyx verify OUT [--fresh] [--jobs N] [--accel auto|kvm|tcg]

Re-checks the result in OUT (a finished \`tinyx minimize\` output dir): the VM boots and its tests
pass, and removing any candidate of its config alone either fails the tests, is undone by the
kernel's Kconfig, or turns on more options than it turns off (1-minimality). The candidates are
planned afresh from the final config, as the search plans them (same profile, port and
--candidates list); without the Kconfig engine, report.json's kept options are checked instead,
and the output says so. Verdicts already in OUT's journal are reused unless --fresh. The
accelerator is the run's (run.json), unless --accel says otherwise.
Exit status 0 when both hold.
`;

export const VERIFY_FLAGS = {
  fresh: { type: 'boolean', help: 'run every check again instead of reusing the verdicts in OUT\'s journal' },
  jobs: { type: 'string', value: 'N', defaultText: 'one per 4 cores of this host, at least 1', help: 'checks run at once (at least 1), each in its own build dir' },
  accel: { type: 'string', value: 'auto|kvm|tcg', defaultText: 'the run\'s, from `run.json`', help: 'QEMU accelerator' },
} as const satisfies Flags;

export const DEPS_USAGE = `Usage: tinyx deps --app PATH [options]

Shows every file the app needs in the VM: its ELF interpreter and libraries (resolved the way
glibc's loader does), script interpreters, the symlinks on their paths, why each is there and
the Debian package it comes from.
`;

export const DEPS_FLAGS = {
  app: { type: 'string', value: 'PATH', help: 'the executable (ELF or `#!` script), or a directory holding it' },
  image: {
    type: 'string', value: 'IMAGE',
    help: 'a container image instead (`docker save` or OCI archive, OCI layout, `-` for stdin): its Entrypoint + Cmd analysed inside the image; `--include`, `--exclude` and `--include-package` then name paths and packages of the image',
  },
  entry: { type: 'string', value: 'REL', help: 'for a directory app: the program to run, relative to it' },
  'guest-dir': { type: 'string', value: 'DIR', defaultText: '`/app`', help: 'where an app outside `/usr`, `/bin`, `/opt`... goes in the guest' },
  include: { type: 'string', multiple: true, value: 'HOST[:GUEST]', help: 'also put this host file or tree (and its ELF closure) in the guest' },
  exclude: { type: 'string', multiple: true, value: 'PATH', help: 'leave this guest path (or everything under it) out' },
  'include-package': { type: 'string', multiple: true, value: 'PKG', help: 'also put this Debian package\'s run-time files in' },
  'keep-setuid': { type: 'boolean', help: 'keep the setuid and setgid bits of the files (by default they are cleared)' },
  trace: {
    type: 'boolean',
    help: 'also run the app on this host under strace for a few seconds and add the files it opens (dlopen\'ed modules, config, locale data); it really runs',
  },
  'trace-arg': { type: 'string', multiple: true, value: 'ARG', help: 'argument for that run, e.g. a free port' },
  'trace-seconds': { type: 'string', value: 'N', defaultText: '3; with a probe, the probe\'s limit', help: 'how long that run lasts' },
  'trace-probe': {
    type: 'string', value: 'CMD',
    help: 'run CMD (e.g. the app\'s tests) against the traced app, with `TINYX_HOST=127.0.0.1` and `TINYX_PORT` set to `--trace-port`',
  },
  'trace-port': { type: 'string', value: 'N', default: 8080, help: 'the port the host run listens on; pass it with `--trace-arg` too' },
  rootfs: { type: 'boolean', help: 'show the whole planned guest tree: also the init (and BusyBox with it), `/etc`, `/dev`' },
  init: {
    type: 'string', value: 'auto|tinyx|busybox', default: 'auto', choices: INIT_CHOICES,
    help: 'with `--rootfs`: the guest\'s init whose tree is shown; `auto` picks it as `minimize` does (`tinyx` for an ELF app)',
  },
  'no-packages': { type: 'boolean', help: 'skip the dpkg look-ups' },
  json: { type: 'boolean', help: 'print JSON instead of a table' },
} as const satisfies Flags;

export const KCONFIG_USAGE = `Usage: tinyx kconfig <candidates|explain NAME|resolve> --config FILE [options]

  candidates          the enabled options a search would try to remove, with their menu
  explain NAME        type, prompt, where defined, value, and why (depends on, select, default)
  resolve             the engine's own olddefconfig of FILE (in-process, no kernel tools),
                      printed as the .config the kernel would write
`;

export const KCONFIG_FLAGS = {
  config: { type: 'string', value: 'FILE', help: 'the `.config` to look at' },
  'kernel-src': { type: 'string', value: 'SRC', defaultText: 'the default profile\'s `kernel.source` (`linux-source-6.1`), unpacked into the cache', help: 'kernel tree, .tar.xz, or linux-source package' },
  arch: { type: 'string', value: 'ARCH', defaultText: '`x86_64`', help: '`x86_64` (64BIT forced on) or `x86`, what plain `make` uses' },
  json: { type: 'boolean', help: 'print JSON' },
} as const satisfies Flags;

export const WORKER_USAGE = `Usage: tinyx worker check ssh://user@host[:port]... [options]
       tinyx worker check --workers workers.yaml

Connects to each worker over SSH and checks what building and booting candidates there needs:
the kernel source (or the linux-source tarball), qemu-system-x86_64, make, gcc, ccache, flex,
bison, bc, tar, xz, flock, timeout, and free disk space. Exit 0 only when every worker is usable.
`;

export const WORKER_FLAGS = {
  identity: { type: 'string', value: 'KEY', defaultText: 'the SSH agent, `~/.ssh/id_ed25519`, `~/.ssh/id_rsa`', help: 'private key file' },
  'known-hosts': {
    type: 'string', multiple: true, value: 'FILE', defaultText: '`~/.ssh/known_hosts`', help: '`known_hosts` file to verify host keys against',
  },
  fingerprint: { type: 'string', value: 'SHA256:...', help: 'pinned host key fingerprint instead of `known_hosts`' },
  'kernel-src': { type: 'string', value: 'DIR', defaultText: 'the default profile\'s `kernel.source` in `/usr/src` (`linux-source-6.1.tar.xz`)', help: 'kernel tree on the worker' },
  workers: { type: 'string', value: 'FILE', help: 'check every worker listed in a `workers.yaml`' },
  timeout: { type: 'string', value: 'SECONDS', default: 10, help: 'connect timeout' },
} as const satisfies Flags;
