// Lines the guest's init prints on the serial console; the tester waits for them.

/** Printed first thing by the guest's init: the kernel has handed over (boot timings start the app's part here). */
export const MARKER_INIT_STARTED = 'TINYX-INIT-STARTED';
/** Printed once the app has been started (after mounts and network are up). */
export const MARKER_APP_STARTED = 'TINYX-APP-STARTED';
/** Printed if the app exits; followed by a space and its exit status. */
export const MARKER_APP_EXITED = 'TINYX-APP-EXITED';
/** Printed when init itself cannot continue; followed by a reason. */
export const MARKER_INIT_FAILED = 'TINYX-INIT-FAILED';

/**
 * The guest's network when it has one: the one TCP port the app serves on, forwarded from the
 * host. A run without a port (`--port 0`) has no network device and no value of this type.
 */
export interface GuestNetwork {
  guestPort: number;
}

/** Guest network for QEMU user-mode networking (slirp defaults). */
export const GUEST_NET = {
  iface: 'eth0',
  address: '10.0.2.15',
  netmask: '255.255.255.0',
  gateway: '10.0.2.2',
  dns: '10.0.2.3',
} as const;
