// run.sh: a script that boots the result; ./run.sh [host-port] forwards 127.0.0.1:host-port to the app.
import { quote } from '../util/shell.js';
import { accelArgs } from './accel.js';
import type { MachineMonitor } from './monitor.js';
import { QEMU_BINARY, qemuArgv } from './qemu.js';
import { fromScript, shellCommand, wordsFromScript } from './shell-argv.js';
import { launchSpec, type VmLaunch } from './spec.js';

/** QEMU's target: run.sh. */
export const qemuTarget: MachineMonitor = {
  name: 'qemu',
  bootsWithoutKvm: true,
  launchFile: (launch) => ({ name: 'run.sh', text: runScript(launch), executable: true }),
};

/** run.sh, from QEMU's one command line: the host port, the accelerator and the cmdline file are the script's. */
export function runScript(vm: VmLaunch): string {
  // Whatever the record holds, the script's default is one of the two words its `case` knows.
  const accel = vm.accel === 'kvm' ? 'kvm' : 'tcg';
  const spec = launchSpec(vm, fromScript('$(cat cmdline)'), fromScript('$HOST_PORT'));
  const argv = [QEMU_BINARY, ...qemuArgv(spec, { accel: [wordsFromScript('$ACCEL')], serial: 'mon:stdio' })];
  return `#!/bin/sh
# Boots the minimized VM made by tinyx. Usage: ./run.sh [host-port]
# ${vm.network ? `The app's port ${vm.network.guestPort} in the guest is reachable at 127.0.0.1:<host-port> (default 8080).` : 'No network device (--port 0): the app talks through the console only.'}
# The serial console is this terminal; stop with Ctrl-A X. QEMU ends by itself when the guest reboots
# or panics (-no-reboot); a guest that powers off only halts unless its kernel has ACPI.
set -e
${vm.network ? hostPortCheck() : ''}# The accelerator tinyx found working on the host that made this VM (${accel}: ${vm.reason.replace(/\s+/g, ' ')}).
# TINYX_ACCEL=kvm or TINYX_ACCEL=tcg overrides it (a KVM guest on a host without nested virtualization prints nothing).
case "\${TINYX_ACCEL:-${accel}}" in
  kvm) ACCEL=${quote(accelArgs('kvm').join(' '))} ;;
  *) ACCEL=${quote(accelArgs('tcg').join(' '))} ;;
esac
cd "$(dirname "$0")"
exec ${shellCommand(argv)}
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
