import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, portAccepts } from '../../src/tester/ports.js';

describe('ports', () => {
  it('finds a free loopback port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    server.close();
  });

  it('tells a listener that holds the connection from one that closes it at once', async () => {
    const holding = net.createServer(() => undefined).listen(0, '127.0.0.1');
    const closing = net.createServer((s) => s.destroy()).listen(0, '127.0.0.1');
    await Promise.all([holding, closing].map((s) => new Promise((r) => s.once('listening', r))));
    const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;
    expect(await portAccepts('127.0.0.1', portOf(holding), 200)).toBe(true);
    expect(await portAccepts('127.0.0.1', portOf(closing), 200)).toBe(false);
    const unused = await freePort();
    expect(await portAccepts('127.0.0.1', unused, 200)).toBe(false);
    holding.close();
    closing.close();
  });
});
