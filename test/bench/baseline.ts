/**
 * The two bare stacks the app is measured against (`compare.bench.ts` starts each in its own
 * process): the same libraries as the app doing the least a page or an API answer needs.
 *
 *   page  Express 5 + express-session on connect-redis (a signed-in session read per request)
 *         + one primary-key select (knex/mysql2) + a small EJS page            → "B-page"
 *   json  Express 5 + one Redis GET (the Bearer session) + one primary-key select + JSON → "B-json"
 *
 *   BASELINE=page|json BENCH_DATABASE_URL=… BENCH_REDIS_URL=… BENCH_ROW_ID=<customer id> npx tsx test/bench/baseline.ts
 *
 * Prints one JSON line when listening: { port, cookie } (page: a signed-in session's cookie) or
 * { port, bearer } (json: the token whose session it reads). Runs until SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import knexFactory from 'knex';

const here = path.dirname(fileURLToPath(import.meta.url));
const kind = process.env.BASELINE;
const databaseUrl = new URL(process.env.BENCH_DATABASE_URL ?? '');
const rowId = Number(process.env.BENCH_ROW_ID);

const db = knexFactory({
  client: 'mysql2',
  connection: {
    host: databaseUrl.hostname,
    port: Number(databaseUrl.port || 3306),
    user: decodeURIComponent(databaseUrl.username),
    password: decodeURIComponent(databaseUrl.password),
    database: databaseUrl.pathname.slice(1),
    charset: 'utf8mb4',
  },
  pool: { min: 0, max: 10 },
});
const redis = createClient({ url: process.env.BENCH_REDIS_URL });
await redis.connect();

const app = express();
app.disable('x-powered-by');
app.set('trust proxy', 'loopback');
app.set('views', here);
app.set('view engine', 'ejs');
app.set('view cache', true);

interface Row {
  id: number;
  name: string;
  email: string | null;
  currency: string;
}
const row = async (): Promise<Row | undefined> =>
  (await db('customers').select('id', 'name', 'email', 'currency').where({ id: rowId }).first()) as Row | undefined;

let ready: Record<string, unknown> = {};
if (kind === 'page') {
  app.use(
    session({
      name: '__Host-bp',
      secret: randomBytes(32).toString('hex'),
      store: new RedisStore({ client: redis, prefix: 'bench:b-page:' }),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: true, path: '/' },
    }),
  );
  app.post('/login', (req, res) => {
    (req.session as unknown as { userId: number }).userId = rowId;
    res.status(204).end();
  });
  app.get('/', async (req, res) => {
    const userId = (req.session as unknown as { userId?: number }).userId;
    if (userId === undefined) return void res.redirect('/login');
    const customer = await row();
    res.setHeader('Cache-Control', 'no-store');
    res.render('baseline-page', { customer });
  });
} else if (kind === 'json') {
  const bearer = randomBytes(24).toString('base64url');
  await redis.set(`bench:b-json:${bearer}`, JSON.stringify({ customerId: rowId }), { EX: 3600 });
  ready = { bearer };
  app.get('/customer', async (req, res) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const stored = await redis.get(`bench:b-json:${token}`);
    if (!stored) return void res.status(401).json({ error: 'unauthorized' });
    const customer = await row();
    res.setHeader('Cache-Control', 'no-store');
    res.json({ customer });
  });
} else {
  throw new Error('BASELINE must be page or json');
}

const server = app.listen(0, '127.0.0.1', async () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  if (kind === 'page') {
    const res = await fetch(`http://127.0.0.1:${port}/login`, {
      method: 'POST',
      headers: { 'X-Forwarded-Proto': 'https' },
    });
    const [pair = ''] = (res.headers.getSetCookie()[0] ?? '').split(';');
    ready = { cookie: pair };
  }
  process.stdout.write(`bench-ready ${JSON.stringify({ port, pid: process.pid, ...ready })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void Promise.all([db.destroy(), redis.close()]).then(() => process.exit(0));
});
