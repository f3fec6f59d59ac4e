import type { Express } from 'express';
import request from 'supertest';
import { csrfFrom } from './app.ts';

export type Agent = ReturnType<typeof request.agent>;

/** Posts the self-care sign-in form as a browser would; returns the agent and the answer. */
export async function postPortalLogin(
  app: Express,
  login: string,
  password: string,
  opts: { ip?: string; agent?: Agent } = {},
): Promise<{ agent: Agent; res: request.Response }> {
  const agent = opts.agent ?? request.agent(app);
  const page = await withIp(agent.get('/login'), opts.ip);
  const res = await withIp(agent.post('/login').type('form'), opts.ip).send({
    _csrf: csrfFrom(page.text),
    login,
    password,
  });
  return { agent, res };
}

/** Signs a customer or individual in; fails loudly when the portal refuses. */
export async function signInPortal(
  app: Express,
  login: string,
  password: string,
  opts: { ip?: string } = {},
): Promise<{ agent: Agent; csrf: string }> {
  const { agent, res } = await postPortalLogin(app, login, password, opts);
  if (res.status !== 303) throw new Error(`portal sign-in failed with ${res.status}`);
  const next = await withIp(agent.get(String(res.headers.location)), opts.ip);
  return { agent, csrf: csrfFrom(next.text) };
}

/** Sets X-Forwarded-For (the app must trust the loopback proxy: TRUST_PROXY=loopback). */
export function withIp<T extends request.Test>(test: T, ip: string | undefined): T {
  return ip ? test.set('X-Forwarded-For', ip) : test;
}
