// The flags of `tinyx minimize`, each once: its value, default, help, README text and the options group it feeds.
import { DEFAULT_PROFILE, profileNames } from '../profile/load.js';
import { STRATEGY_NAMES } from '../profile/strategy-names.js';
import { INIT_CHOICES } from '../packager/init-kind.js';
import { ROOT_CHOICES } from '../packager/root-kind.js';
import { COMPRESSION_CHOICES, COMPRESSIONS } from '../packager/compress.js';
import type { MinimizeOptionGroups } from '../run/options.js';
import type { Flags } from './flag.js';
import type { GroupTitles } from './render.js';

export type MinimizeGroup = keyof MinimizeOptionGroups;

export const MINIMIZE_USAGE = `Usage: tinyx minimize --app PROGRAM --tests EXECUTABLE [options] [-- APP ARGS...]
       tinyx minimize --image IMAGE --tests EXECUTABLE [options] [-- ARGS replacing the image's Cmd...]

Builds the smallest kernel (and boot command line) on which the app still passes its tests.
`;

/** The sections of the help and the README, in order: one per options group of `minimize()`. */
export const MINIMIZE_GROUPS: GroupTitles<MinimizeGroup> = {
  app: 'The app and what goes in the VM with it',
  harness: 'The tests',
  kernel: 'The kernel',
  search: 'The search',
  execution: 'Where candidates are built and booted',
  run: 'Output',
};

export const MINIMIZE_FLAGS = {
  app: {
    type: 'string', value: 'PATH', group: 'app',
    help: 'the program to run in the VM: an ELF executable, a `#!` script (a Python script brings only the modules it imports) or a directory (copied whole, less its `.git`, `.env` files, editor debris and tinyx output, which `tinyx deps` lists)',
  },
  image: {
    type: 'string', value: 'IMAGE', group: 'app',
    help: 'a container image instead of `--app`: a `docker save` or `podman save` archive, an OCI archive or an OCI image layout directory (`-`: an archive on stdin); its Entrypoint, Cmd, Env, WorkingDir, User and one exposed TCP port are the defaults of the run, and its files are analysed inside the image',
    readme: 'a container image instead of `--app`: a `docker save`/`podman save` archive, an OCI archive or an OCI image layout directory (`-`: an archive on stdin). Its `Entrypoint` + `Cmd` give the program (arguments after `--` replace `Cmd`), `Env`, `WorkingDir` and `User` the rest of the run, its one exposed TCP port the default `--port`; each flag overrides its field. The closure is resolved inside the image, never on this host',
  },
  'image-whole': {
    type: 'boolean', group: 'app',
    help: 'with `--image`: start from every file of the image instead of the analysed closure (the rootfs stage then leaves out what the tests pass without)',
  },
  entry: {
    type: 'string', value: 'REL', group: 'app',
    defaultText: '`bin/<dir name>`, `<dir name>`, `run` or `start`, else its only executable at the top or in `bin/`',
    help: 'for a directory app: the program in it to run, relative to it',
    readme: 'for a directory `--app`: the program in it to run, relative to it, e.g. `bin/server`',
  },
  include: {
    type: 'string', multiple: true, value: 'HOST[:GUEST]', group: 'app',
    help: 'also put this file or directory in the VM',
    readme: 'a file or tree the analysis cannot know about (config, documents), at its host path or at `GUEST`; ELF files in it bring their libraries',
  },
  exclude: {
    type: 'string', multiple: true, value: 'PATH', group: 'app',
    help: 'leave this path out of the VM',
    readme: 'leave this guest path (or everything under it) out of the VM',
  },
  'include-package': {
    type: 'string', multiple: true, value: 'PKG', group: 'app',
    help: 'also put this Debian package\'s files in the VM, e.g. `ca-certificates`',
    readme: 'a Debian package\'s files whole, e.g. `ca-certificates`; its docs and init scripts are left out',
  },
  'keep-setuid': {
    type: 'boolean', group: 'app',
    help: 'keep the setuid and setgid bits of the files put in the VM (by default they are cleared)',
    readme: 'keep the setuid and setgid bits of the files put in the VM; by default every file goes in without them, and `tinyx deps` says which lost one',
  },
  'keep-files': {
    type: 'string', multiple: true, value: 'GLOB', group: 'app',
    help: 'never leave this guest path out of the VM, though the tests pass without it (`*`, `**`, `?`; a directory keeps what is under it)',
    readme: 'a guest path (or glob: `*`, `**`, `?`; a directory keeps everything under it) the rootfs stage never leaves out, for files the tests cannot exercise (a config read on a rare path, a plugin for a request the probe does not make)',
  },
  'no-prune': {
    type: 'boolean', group: 'app',
    help: 'put every file the analysis found in the VM: do not try leaving out the ones the tests pass without',
  },
  'no-strip': {
    type: 'boolean', group: 'app',
    help: 'do not strip symbol tables and debug info from ELF files, though the tests pass without them',
  },
  trace: {
    type: 'boolean', group: 'app',
    help: 'before packing, run the app on this host under strace (as `--user`, with `--env` and `--cwd`) while the tests run against it on 127.0.0.1:`--port`, and add the files it used (dlopen\'ed modules, data); the port must be free here',
    readme: 'before packing, runs the app on this host under `strace -f` (as `--user`, with `--env` and `--cwd`) while `--tests` run against it on 127.0.0.1:`--port`, and adds what it opened, ran or checked, and the directories it wrote into; `report.md` lists what the trace added. It also records every system call the app made (failed ones with their errno) and the socket families it opened (report.json `rootfs.traced`); the first guess keeps what those calls need. The port must be free on this host',
  },
  'no-trace': {
    type: 'boolean', group: 'app',
    help: 'never trace the app: without it, a start VM that misses a file this host (or the image) has is tried once more with --trace',
  },
  user: {
    type: 'string', value: 'NAME', group: 'app',
    help: 'run the app as this user (a host account; copied to the VM\'s `/etc/passwd`)',
    readme: 'the app runs as this host account (its groups, gid and uid set by the init; root needs no password)',
  },
  env: {
    type: 'string', multiple: true, value: 'KEY=VALUE', group: 'app',
    help: 'environment variable for the app',
    readme: 'environment for the app; `HOME`, `USER`, `LOGNAME` are the user\'s',
  },
  cwd: {
    type: 'string', value: 'DIR', group: 'app', defaultText: '`/`',
    help: 'the app\'s working directory in the VM, created if missing',
    readme: 'working directory in the guest, created (and given to the user) if missing',
  },
  init: {
    type: 'string', value: 'auto|tinyx|busybox', group: 'app', default: 'auto', choices: INIT_CHOICES,
    help: 'the guest\'s /init: `tinyx` (tinyx\'s own small static init; no shell or BusyBox in the VM), `busybox` (BusyBox init running a generated shell rc; sh and applets in the VM) or `auto`: `tinyx` for an ELF app, `busybox` for a script or an app the `--trace` run saw use a shell',
  },
  root: {
    type: 'string', value: 'auto|initramfs|disk', group: 'app', default: 'auto', choices: ROOT_CHOICES,
    help: 'where the VM\'s root lives: `initramfs` (in RAM), `disk` (a read-only squashfs image on a virtio disk, /tmp and /run writable in RAM) or `auto`: `disk` for a root of 64 MiB or more',
    readme: 'where the VM\'s root file system lives: `initramfs` (unpacked into RAM, writable), `disk` (a read-only squashfs image on the first virtio disk, `rootfs.squashfs` in the out dir; `/tmp`, `/run` and `/dev/shm` are writable tmpfs, data goes on `--volume`s) or `auto`: `disk` for a root of 64 MiB or more (not with workers: a disk root boots only on this machine). The disk root\'s kernel options (the virtio block driver, squashfs and its decompressor) are the profile\'s `kernel.harness.disk`; the initramfs\'s own (`BLK_DEV_INITRD`, `RD_*`) become candidates',
  },
  volume: {
    type: 'string', multiple: true, value: 'HOST_DIR:GUEST_DIR', group: 'app',
    help: 'give the VM a writable ext4 disk seeded from HOST_DIR (owners and modes kept), mounted at GUEST_DIR; the out dir keeps it for run.sh and what the tests wrote to it',
    readme: 'a writable data disk for the VM: an ext4 image seeded from `HOST_DIR` with its owners and modes (a database\'s 0700 data directory stays its user\'s), mounted at `GUEST_DIR` before the app starts. Every boot gets a fresh copy of the seeded image; the out dir keeps `volumes/NAME.ext4` (what `run.sh` boots, writable) and `volumes/tested/NAME.ext4` (the disk as the last re-check\'s tests left it; `report.md` says how to read it back). Repeatable; the kernel options are the profile\'s `kernel.harness.volume`',
  },
  tests: {
    type: 'string', value: 'PATH', group: 'harness',
    help: 'executable run on the host; exit 0 = pass. It gets `TINYX_HOST`, `TINYX_PORT` (a 127.0.0.1 port forwarded to `--port` in the guest) and `TINYX_CONSOLE` (the guest console log)',
  },
  port: {
    type: 'string', value: 'N', group: 'harness', defaultText: '80; with `--image`, the image\'s exposed TCP port when it has exactly one',
    help: 'TCP port the app listens on in the guest, 1-65535; 0 = no network: the tests run once the app has started and read `TINYX_CONSOLE`',
  },
  'test-timeout': {
    type: 'string', value: 'S', group: 'harness', default: 120,
    help: 'seconds before the tests count as failed',
  },
  'boot-timeout': {
    type: 'string', value: 'S', group: 'harness', default: 120,
    help: 'seconds for the guest to start the app',
  },
  accel: {
    type: 'string', value: 'auto|kvm|tcg', group: 'harness',
    defaultText: '`$TINYX_ACCEL`, else the profile\'s `qemu.accel`, else `auto`: KVM only once a probe guest has run under it on this host',
    help: 'QEMU accelerator',
  },
  profile: {
    type: 'string', value: 'NAME|FILE', group: 'kernel', default: DEFAULT_PROFILE, choices: profileNames,
    help: 'target profile: the name of one in `profiles/` ({choices}) or a YAML file',
  },
  'kernel-src': {
    type: 'string', value: 'SRC', group: 'kernel', defaultText: 'the profile\'s `kernel.source` (`linux-source-6.1`), unpacked into the cache',
    help: 'kernel tree, .tar.xz, or linux-source package',
    readme: 'kernel to use instead: a source tree (left as it is, every build runs in its own `O=` dir), a kernel `.tar.xz`, or an installed Debian package by name (`linux-source-6.12`); tarballs are unpacked once into the cache',
  },
  compression: {
    type: 'string', value: 'auto|gzip|xz|zstd|lz4', group: 'kernel', choices: COMPRESSION_CHOICES, defaultText: 'the profile\'s `packaging.compression` (`auto`)',
    help: 'how the initramfs and the kernel itself are compressed: {choices}; `auto` compresses the initramfs with every compressor this host has and takes the smallest (a tie goes to the faster to unpack)',
    readme: 'how the initramfs and the kernel itself are compressed (the start config enables the compressor\'s `RD_` option and picks it in the "Kernel compression mode" choice; the `RD_` option is kept for the harness): {choices}. `auto` compresses the initramfs with every compressor this host has (`xz`, `zstd`, `lz4` need their tools) and takes the smallest, exact bytes, a tie going to the faster to unpack',
  },
  candidates: {
    type: 'string', value: 'A,B,...', group: 'search',
    help: 'only try removing these options (a bounded search)',
    readme: 'only try removing these options (a bounded search); names the tree\'s Kconfig does not know are refused before anything is built',
  },
  strategy: {
    type: 'string', value: 'NAME', group: 'search', choices: STRATEGY_NAMES, defaultText: 'the profile\'s `search.strategy`',
    help: 'kernel search strategy: {choices}',
  },
  'cmdline-strategy': {
    type: 'string', value: 'NAME', group: 'search', choices: STRATEGY_NAMES, defaultText: 'the profile\'s `search.cmdlineStrategy`',
    help: 'boot option search strategy: {choices}',
  },
  'keep-cmdline': {
    type: 'boolean', group: 'search',
    help: 'do not search boot options',
  },
  'boot-speedups': {
    type: 'boolean', group: 'search',
    help: 'after the boot-option search, add the profile\'s `boot.speedups` (`tsc=reliable`, `i8042.noaux`...) one at a time, each kept when 5 boots with it pass and are faster beyond the noise: boots, no build',
    readme: 'after the boot-option search, add each of the profile\'s `boot.speedups` the command line does not set yet (`tsc=reliable`, `no_timer_check`, `i8042.noaux`...), one at a time: the result is booted 5 times without and 5 times with it, and it is kept when every boot passes and the median time to the app started is lower by more than twice the boots\' spread (median absolute deviation) and more than 2%. Boots only, no build; report.json\'s `bootSpeed` lists every try. The boot-option search removes what the tests pass without, speedups among them; this adds back what makes the boot faster',
  },
  values: {
    type: 'string', value: 'all|A,B,...', group: 'search',
    help: 'after the removals, lower each (`all`) or these int and hex options the kernel\'s Kconfig lets the user set (`LOG_BUF_SHIFT`, `PHYSICAL_START`...) to the least value that passes and makes the kernel lighter (fewer bytes, a smaller image in RAM, or a boot window that ends lower), and switch each choice (or to these members) to its lightest member that passes lighter: one build or more per option',
    readme: 'after the removals, lower each (`all`) or these (names as in .config) int and hex options the kernel\'s Kconfig lets the user set (found from the Kconfig model, with its active `range`) to the least value that passes and makes the kernel lighter: fewer bzImage bytes, a smaller image in RAM (`_text` to `_end` in the build\'s `System.map`: code, data and bss), or a boot window (`pref_address` + `init_size`, the RAM the kernel owns while it starts) that ends lower. An option with a range is tried at its low end, then bisected; one without is halved while each halving passes lighter. Each choice (not the kernel\'s compression, nor one whose pick the profile keeps) is switched to its lightest other member that passes lighter; a list names the members to try. Each value is a build and the tests, journaled like a removal; report.json\'s `values` lists what was lowered and tried, and `tinyx verify` tries each option one step lower and each choice\'s other members',
  },
  'keep-memory': {
    type: 'boolean', group: 'search',
    help: 'do not search the least guest memory (run.sh keeps the profile\'s `qemu.memory`)',
  },
  'compare-compression': {
    type: 'string', value: 'LIST|none', group: 'search', choices: COMPRESSIONS, defaultText: 'every other compressor this host has',
    help: 'after the search, build and boot the result with each of these compressors instead ({choices}, comma-separated), for the report: sizes and boot times; `none` compares nothing',
    readme: 'after the search (and the memory search), the final config with the kernel\'s compression and its `RD_` option switched to each of these ({choices}, comma-separated), the initramfs packed with it, built and booted with the tests: report.json\'s `compression` and report.md list sizes, boot times and verdicts, and say which flag gives a smaller VM. The result stays the searched one. `none` compares nothing (one build and boot saved per compressor)',
  },
  from: {
    type: 'string', value: 'DIR|CONFIG', group: 'search',
    help: 'start from a previous result (its out dir, or a `.config`): the first guess is what it kept; the options it removed are tried first, all at once; if that still passes, only the options it kept are tested, one at a time',
  },
  'no-prior': {
    type: 'boolean', group: 'search',
    help: 'no learned first guess: search every candidate without trying first what the profile\'s `search.prior` and earlier finished runs of the profile (in the cache\'s knowledge file) needed; with --from, a failing previous result is not first tried again with what they needed',
  },
  'keep-reachable': {
    type: 'boolean', group: 'search',
    help: 'keep every option a syscall the app\'s binaries can reach needs, whether the tests used it or not (a VM that trusts the binary over the tests); without it, report.md lists those the search removed',
  },
  'kernel-trace': {
    type: 'boolean', group: 'search',
    help: 'boot the start kernel once with QEMU logging the kernel code it runs, and try removing options whose code never ran first',
  },
  'assume-monotone': {
    type: 'boolean', group: 'search',
    help: 'trust that removing more options never makes a failing kernel pass: kept options are not re-checked on the final config (fewer builds; 1-minimal only if the trust holds: `tinyx verify` checks it)',
  },
  'confirm-failures': {
    type: 'string', value: 'N', group: 'search', default: 1,
    help: 'runs that must fail again before a failing candidate counts as failing; 0 trusts a single failure',
  },
  'final-runs': {
    type: 'string', value: 'N', group: 'search', default: 3,
    help: 'boots of the result, all of which must pass, before it is written',
  },
  jobs: {
    type: 'string', value: 'N', group: 'execution', defaultText: 'one per 4 cores of this host, at least 1',
    help: 'candidates evaluated at once on this host (at least 1), each in its own build dir',
  },
  worker: {
    type: 'string', multiple: true, value: 'URL', group: 'execution',
    help: 'also evaluate candidates on `ssh://user@host[:port]`',
  },
  workers: {
    type: 'string', value: 'FILE', group: 'execution',
    help: 'worker hosts from a `workers.yaml` (`docs/workers.md`)',
  },
  identity: {
    type: 'string', value: 'KEY', group: 'execution', defaultText: 'the SSH agent, `~/.ssh/id_ed25519`, `~/.ssh/id_rsa`',
    help: 'SSH private key for `--worker`',
  },
  'known-hosts': {
    type: 'string', multiple: true, value: 'FILE', group: 'execution', defaultText: '`~/.ssh/known_hosts`',
    help: '`known_hosts` for `--worker`',
  },
  'worker-slots': {
    type: 'string', value: 'N', group: 'execution', default: 1,
    help: 'slots per `--worker`',
  },
  'worker-unreachable': {
    type: 'string', value: 'fail|warn', group: 'execution', default: 'fail',
    help: 'what an unreachable worker does: `fail` stops the run, `warn` leaves it out with a warning',
  },
  distcc: {
    type: 'string', value: 'HOSTS', group: 'execution',
    help: 'compile through ccache + distcc (`DISTCC_HOSTS` syntax)',
  },
  out: {
    type: 'string', value: 'DIR', group: 'run', defaultText: '`out/<app name>` here; none when that is inside a directory `--app`',
    help: 'output directory; re-running with the same `--out` resumes from its journal',
  },
} as const satisfies Flags<MinimizeGroup>;

/** minimize's execution flags (slots, workers, distcc): a fleet's apps share them. */
export const EXECUTION_KEYS = Object.keys(MINIMIZE_FLAGS).filter((k) => (MINIMIZE_FLAGS as Flags<MinimizeGroup>)[k]!.group === 'execution');
