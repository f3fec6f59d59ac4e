/**
 * The real app on a real port, for the browser tests.
 *
 *   const server = await startServer();          // createTestApp() listening on 127.0.0.1:<free port>
 *   await page.goto(`${server.baseUrl}/admin/login`);
 *   await createAdmin(server.deps);              // seed through the same deps the app uses
 *   await server.close();                        // stops listening, drops open connections, closes db/stores
 *
 *   const server = useServer();                  // at the top of a test file: one server for the whole
 *                                                // file, started in beforeAll and closed in afterAll
 *
 * The backend comes from the environment exactly as for the app tests (SQLite + in-process stores by
 * default; MySQL + Redis when DATABASE_URL and REDIS_URL are set), and each call starts from an empty
 * database and store.
 */
import type { AddressInfo } from 'node:net';
import type { Deps } from '../../../src/deps.ts';
import { afterAll, beforeAll } from 'vitest';
import { createTestApp } from '../../helpers/app.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 — no trailing slash */
  baseUrl: string;
  deps: Deps;
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string | undefined> = {}): Promise<RunningServer> {
  const testApp = await createTestApp(env);
  const server = testApp.app.listen(0, '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (err) {
    await testApp.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    deps: testApp.deps,
    async close() {
      if (closed) return;
      closed = true;
      // The browser keeps connections alive; drop them so close() does not wait for their timeout.
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
      await testApp.close();
    },
  };
}

/**
 * One server for the whole test file: started before the first test, closed after the last. The
 * returned object reads the running server, so use it inside tests and hooks, not at load time.
 */
export function useServer(env: Record<string, string | undefined> = {}): RunningServer {
  let running: RunningServer | undefined;
  beforeAll(async () => {
    running = await startServer(env);
  });
  afterAll(async () => {
    await running?.close();
    running = undefined;
  });
  const current = (): RunningServer => {
    if (!running)
      throw new Error('the test server runs only between beforeAll and afterAll; use it inside tests and hooks');
    return running;
  };
  return {
    get baseUrl() {
      return current().baseUrl;
    },
    get deps() {
      return current().deps;
    },
    close: () => current().close(),
  };
}
