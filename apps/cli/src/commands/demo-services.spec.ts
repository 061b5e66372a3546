import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';

import { ensurePortFree, waitUntilReady } from './demo.command';

/** `npm run demo` must not say "SchoolBench is running" when one of its services is not. */
describe('demo: starting the services', () => {
  let taken: Server;
  let port: number;

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    port = (taken.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => taken.close(() => r())));

  it('stops with a clear error when a port is taken', async () => {
    await expect(ensurePortFree('127.0.0.1', port, 'web dashboard', 'WEB_PORT')).rejects.toThrow(
      `Port ${port} on 127.0.0.1 (the web dashboard, WEB_PORT) is already in use: stop what is listening there, or set WEB_PORT to a free port`,
    );
  });

  it('accepts a free port and leaves it free', async () => {
    const free = createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const freePort = (free.address() as AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    await expect(ensurePortFree('127.0.0.1', freePort, 'API', 'PORT')).resolves.toBeUndefined();
    await expect(ensurePortFree('127.0.0.1', freePort, 'API', 'PORT')).resolves.toBeUndefined();
  });

  it('fails at once when the service stops before answering, even if something else answers', async () => {
    // Another process answers on the URL; the service itself has died.
    const child = spawn(process.execPath, ['-e', 'process.exit(3)']);
    await new Promise((r) => child.once('exit', r));
    const started = Date.now();
    await expect(
      waitUntilReady(`http://127.0.0.1:${port}/health/ready`, 30_000, {
        name: 'web',
        process: child,
      }),
    ).rejects.toThrow(/The web stopped \(3\) before it answered/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
