// run.sh: a script that boots the result; ./run.sh [host-port] forwards 127.0.0.1:host-port to the app.
import { DEFAULT_NET_DEVICE } from '../tester/qemu.js';
import { quote } from '../util/shell.js';
import type { VmLaunch } from './record.js';

export function runScript(vm: VmLaunch): string {
  const port = vm.port;
  // Whatever the record holds, the script's default is one of the two words its `case` knows.
  const accel = vm.accel === 'kvm' ? 'kvm' : 'tcg';
  const net = port > 0
    ? ` \\\n  -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$HOST_PORT-:${port}" -device ${quote(`${vm.netDevice ?? DEFAULT_NET_DEVICE},netdev=n0`)}`
    : '';
  const extra = vm.extraArgs.map((a) => ` ${quote(a)}`).join('');
  return `#!/bin/sh
# Boots the minimized VM made by tinyx. Usage: ./run.sh [host-port]
# ${port > 0 ? `The app's port ${port} in the guest is reachable at 127.0.0.1:<host-port> (default 8080).` : 'No network device (--port 0): the app talks through the console only.'}
# The serial console is this terminal; stop with Ctrl-A X. QEMU ends by itself when the guest reboots
# or panics (-no-reboot); a guest that powers off only halts unless its kernel has ACPI.
set -e
${port > 0 ? hostPortCheck() : ''}# The accelerator tinyx found working on the host that made this VM (${accel}: ${vm.reason.replace(/\s+/g, ' ')}).
# TINYX_ACCEL=kvm or TINYX_ACCEL=tcg overrides it (a KVM guest on a host without nested virtualization prints nothing).
case "\${TINYX_ACCEL:-${accel}}" in
  kvm) ACCEL="-accel kvm -cpu host" ;;
  *) ACCEL="-accel tcg" ;;
esac
cd "$(dirname "$0")"
exec qemu-system-x86_64 -machine ${quote(vm.machine)} $ACCEL -m ${quote(vm.memory)} -smp 1 -no-reboot \\
  -nodefaults -no-user-config -display none -serial mon:stdio \\
  -kernel bzImage -initrd ${quote(vm.initramfs)} -append "$(cat cmdline)"${net}${extra}
`;
}

/** HOST_PORT from $1: a port number only, so the argument cannot add to QEMU's -netdev (another address, more forwards). */
function hostPortCheck(): string {
  return `HOST_PORT="\${1:-8080}"
port_ok() {
  case "$1" in ''|0*|*[!0-9]*|??????*) return 1 ;; esac
  [ "$1" -le 65535 ]
}
if ! port_ok "$HOST_PORT"; then
  printf 'run.sh: the host port must be a number from 1 to 65535, received "%s".\\n' "$HOST_PORT" >&2
  exit 2
fi
`;
}
