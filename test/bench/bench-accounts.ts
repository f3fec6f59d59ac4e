/**
 * The accounts the HTTP benchmarks sign in with: the demo customer "acme" (the demo data is
 * seeded into the bench database once) with a fresh password and API token, and the bench admin;
 * then, once the app listens, their signed-in cookies and an API session.
 */
import { generatePassword, hashPassword } from '../../src/access/passwords.ts';
import type { Deps } from '../../src/deps.ts';
import { ApiTokenService } from '../../src/features/api-tokens/service.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { PROXY_HEADERS, signIn } from './browser.ts';
import { ensureBenchAdmin } from './support.ts';

const PORTAL_LOGIN = 'acme';

export interface BenchAccounts {
  customerId: number;
  portalLogin: string;
  portalPassword: string;
  admin: { login: string; password: string };
  apiToken: string;
}

export async function prepareAccounts(deps: Deps): Promise<BenchAccounts> {
  if (!(await deps.db('customers').where({ selfcare_login_lower: PORTAL_LOGIN }).first())) {
    console.log('Seeding the demo data (once per bench database).');
    await seedDemo(deps);
  }
  const acme = (await deps.db('customers').where({ selfcare_login_lower: PORTAL_LOGIN }).first()) as {
    id: number;
    selfcare_login: string;
  };
  // The demo's password was shown once when it was seeded; the bench gives the account its own.
  const portalPassword = generatePassword();
  await deps
    .db('customers')
    .where({ id: acme.id })
    .update({
      password_hash: await hashPassword(portalPassword, deps.config.bcryptCost),
      password_change_required: false,
    });
  const admin = await ensureBenchAdmin(deps);
  const { token } = await new ApiTokenService(deps).create(
    acme.id,
    { name: 'bench', expiresAt: new Date(Date.now() + 3_600_000) },
    { actor: { type: 'system', id: null, label: 'bench' }, ip: '' },
  );
  return { customerId: acme.id, portalLogin: acme.selfcare_login, portalPassword, admin, apiToken: token };
}

/** Signs in to both doors through the app at `base` and opens an API session. */
export async function signInAll(
  base: string,
  accounts: BenchAccounts,
): Promise<{ adminCookie: string; portalCookie: string; bearer: string }> {
  const adminCookie = await signIn(base, '/admin/login', accounts.admin.login, accounts.admin.password);
  const portalCookie = await signIn(base, '/login', accounts.portalLogin, accounts.portalPassword);
  const apiSession = await fetch(`${base}/api/v1/sessions`, {
    method: 'POST',
    headers: { ...PROXY_HEADERS, 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: accounts.portalLogin, token: accounts.apiToken }),
  });
  if (apiSession.status !== 201) throw new Error(`POST /api/v1/sessions answered ${apiSession.status}`);
  const { session_id: bearer } = (await apiSession.json()) as { session_id: string };
  return { adminCookie, portalCookie, bearer };
}
