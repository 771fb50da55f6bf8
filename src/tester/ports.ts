// Free loopback ports, and a readiness check for a port forwarded into the guest.
import { setTimeout as sleep } from 'node:timers/promises';
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * QEMU's user network accepts on the host port even when nothing listens in the guest, then
 * closes at once. A connection that stays open for `holdMs` means the guest side accepted.
 */
export function portAccepts(host: string, port: number, holdMs = 400): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(ok);
    };
    socket.on('connect', () => setTimeout(() => done(true), holdMs));
    socket.on('data', () => done(true));
    socket.on('end', () => done(false));
    socket.on('close', () => done(false));
    socket.on('error', () => done(false));
  });
}

export async function waitForPort(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    if (await portAccepts(host, port)) return true;
    await sleep(250);
  }
  return false;
}
