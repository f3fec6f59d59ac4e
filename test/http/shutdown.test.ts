import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { drainAndClose } from '../../src/http/shutdown.ts';

let t: TestApp | undefined;
let server: Server | undefined;
afterEach(async () => {
  if (server?.listening) await new Promise((resolve) => server!.close(resolve));
  await t?.close();
  t = undefined;
});

describe('shutting down', () => {
  it('turns /readyz 503 first, keeps serving during the drain, lets in-flight requests finish, then closes', async () => {
    t = await createTestApp();
    const app = t.app;
    // A slow request stands for a page still being built when the signal comes.
    server = createServer((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('finished'), 800);
      else app(req, res);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    let released = false;
    const slow = fetch(`${base}/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    const done = drainAndClose(server, t.deps.lifecycle, 400, async () => {
      released = true;
    });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { status: string }).status).toBe('draining');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('connection')).toBe('close');

    expect(await slow).toBe('finished');
    expect(await done).toBe(true);
    expect(released).toBe(true);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
