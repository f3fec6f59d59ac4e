import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../helpers/app.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('GET /readyz', () => {
  it('answers ready when the database and the session store answer', async () => {
    t = await createTestApp();
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ database: 'ok', session_store: 'ok' });
  });
});

describe('when the database is unreachable', () => {
  it('reports 503 on /readyz within about two seconds', async () => {
    t = await createTestApp();
    await t.deps.db.destroy();
    const started = Date.now();
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks.database).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(2500);
    expect((await request(t.app).get('/healthz')).status).toBe(200);
    const agent = request.agent(t.app);
    const page = await agent.get('/admin/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    const signIn = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: token, login: 'someone', password: 'whatever password' });
    expect(signIn.status).toBe(503);
  });

  it('answers admin pages with a 503 page instead of hanging or leaking', async () => {
    const { createDb } = await import('../../src/db/knex.ts');
    t = await createTestApp();
    // A MySQL server that refuses connections: the pool gives up quickly.
    (t.deps as { db: unknown }).db = createDb({
      databaseUrl: 'mysql://root@127.0.0.1:1/nowhere',
      dataDir: t.config.dataDir,
    });
    t.deps.services = (await import('../../src/deps.ts')).buildServices(t.deps);
    const { createApp } = await import('../../src/app.ts');
    const app = createApp(t.deps);
    const started = Date.now();
    const agent = request.agent(app);
    const page = await agent.get('/admin/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    const res = await agent
      .post('/admin/login')
      .type('form')
      .send({ _csrf: token, login: 'someone', password: 'whatever password' });
    expect(res.status).toBe(503);
    expect(res.text).toContain('temporarily unavailable');
    expect(res.text).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('sign-ins refused by a database outage', () => {
  it('are not counted as password guesses: the right password works once the database is back', async () => {
    const { createDb } = await import('../../src/db/knex.ts');
    const { buildServices } = await import('../../src/deps.ts');
    const { createApp } = await import('../../src/app.ts');
    t = await createTestApp();
    const admin = await createAdmin(t.deps);
    const realDb = t.deps.db;
    const deps = t.deps as { db: unknown };
    deps.db = createDb({ databaseUrl: 'mysql://root@127.0.0.1:1/nowhere', dataDir: t.config.dataDir });
    t.deps.services = buildServices(t.deps);
    const down = request.agent(createApp(t.deps));
    // more tries than the throttle allows per login and address (5)
    for (let i = 0; i < 8; i++) {
      const page = await down.get('/admin/login');
      const res = await down
        .post('/admin/login')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), login: admin.login, password: admin.password });
      expect(res.status).toBe(503);
    }
    await (deps.db as { destroy(): Promise<void> }).destroy();
    deps.db = realDb;
    t.deps.services = buildServices(t.deps);
    const { agent } = await signInAdmin(createApp(t.deps), admin.login, admin.password);
    expect(agent).toBeDefined();
  });
});

/** A TCP relay in front of Redis that the test can cut and restore. */
function relay(targetPort: number): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let server: net.Server;
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  return listen(0).then((port) => ({
    port,
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        server.close(() => resolve());
      }),
    restore: async () => {
      await listen(port);
    },
  }));
}

describe.runIf(process.env.REDIS_URL)('when Redis stops answering', () => {
  it('fails closed with 503 within about two seconds and recovers by itself', async () => {
    const target = new URL(process.env.REDIS_URL!);
    const proxy = await relay(Number(target.port || 6379));
    t = await createTestApp({ REDIS_URL: `redis://127.0.0.1:${proxy.port}${target.pathname}` });
    const admin = await createAdmin(t.deps);
    const { agent } = await signInAdmin(t.app, admin.login, admin.password);
    expect((await agent.get('/admin')).status).toBe(200);

    await proxy.cut();
    const started = Date.now();
    const down = await agent.get('/admin');
    expect(down.status).toBe(503);
    expect(down.text).not.toContain(admin.login);
    expect(Date.now() - started).toBeLessThan(2500);
    expect((await request(t.app).get('/readyz')).status).toBe(503);
    // a new visitor gets no sign-in form whose session could not be kept
    expect((await request(t.app).get('/admin/login')).status).toBe(503);
    expect((await request(t.app).get('/login')).status).toBe(503);

    await proxy.restore();
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await agent.get('/admin')).status;
    }
    expect(status).toBe(200);
    await proxy.cut();
  });
});

describe('errors of a database or store that went away', () => {
  it('are answered 503, as MariaDB gives them while it shuts down or restarts', async () => {
    const { statusOf } = await import('../../src/http/errors.ts');
    const mysqlError = (code: string, message: string) => Object.assign(new Error(message), { code, fatal: true });
    for (const err of [
      mysqlError('EPIPE', 'select * from `customers` - This socket has been ended by the other party'),
      mysqlError('PROTOCOL_CONNECTION_LOST', 'Connection lost: The server closed the connection.'),
      mysqlError('ER_SERVER_SHUTDOWN', 'Server shutdown in progress'),
      mysqlError('ER_CONNECTION_KILLED', 'Connection was killed'),
      mysqlError('PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', 'Cannot enqueue Query after fatal error.'),
      new Error("Can't add new command when connection is in closed state"),
    ])
      expect(statusOf(err)).toBe(503);
    expect(statusOf(new Error('a bug'))).toBe(500);
  });
});

describe('a session store that fails to load a session', () => {
  it('answers one clean 503 and leaves the stored session alone', async () => {
    const { createApp } = await import('../../src/app.ts');
    t = await createTestApp();
    const admin = await createAdmin(t.deps);
    const page = await request(t.app).get('/admin/login');
    const anonymous = String(page.headers['set-cookie']).split(';')[0]!;
    const signedIn = await request(t.app)
      .post('/admin/login')
      .set('Cookie', anonymous)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: admin.login, password: admin.password });
    expect(signedIn.status).toBe(303);
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!;
    expect((await request(t.app).get('/admin').set('Cookie', cookie)).status).toBe(200);
    const store = await failingStore();
    t.deps.sessionStores.admin = store;
    const app = createApp(t.deps);
    const res = await request(app).get('/admin').set('Cookie', cookie);
    expect(res.status).toBe(503);
    expect(res.text).toContain('temporarily unavailable');
    expect(store.destroyed).toEqual([]);
  });
});

describe('a session store that cannot store a new session', () => {
  it('answers the sign-in pages 503 instead of a form that could not be sent', async () => {
    const { createApp } = await import('../../src/app.ts');
    t = await createTestApp();
    t.deps.sessionStores.admin = await failingStore();
    t.deps.sessionStores.portal = await failingStore();
    const app = createApp(t.deps);
    for (const path of ['/admin/login', '/login']) {
      const res = await request(app).get(path);
      expect(res.status, path).toBe(503);
      expect(res.text, path).toContain('temporarily unavailable');
      expect(res.text, path).not.toContain('name="_csrf"');
      expect(res.headers['set-cookie'], path).toBeUndefined();
    }
  });
});

/** A session store as Redis is while it does not answer; `destroyed` lists the sessions it was asked to end. */
async function failingStore() {
  const { Store } = await import('express-session');
  const offline = () => Object.assign(new Error('The client is offline'), { name: 'ClientOfflineError' });
  return new (class FailingStore extends Store {
    readonly destroyed: string[] = [];
    override get(_sid: string, cb: (err: unknown) => void): void {
      cb(offline());
    }
    override set(_sid: string, _session: unknown, cb?: (err?: unknown) => void): void {
      cb?.(offline());
    }
    override destroy(sid: string, cb?: (err?: unknown) => void): void {
      this.destroyed.push(sid);
      cb?.(offline());
    }
  })();
}
