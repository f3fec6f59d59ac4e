/** What the HTTP benchmarks do as a browser behind the TLS proxy: keep cookies, post a sign-in form. */
import { CookieJar } from '../faults/client.ts';
import { csrfFrom } from '../helpers/app.ts';

export const PROXY_HEADERS = { 'X-Forwarded-Proto': 'https' };

/** Posts a sign-in form as a browser would (GET for the CSRF token, then POST); returns the cookie header. */
export async function signIn(
  base: string,
  path: string,
  login: string,
  password: string,
  extraHeaders: Record<string, string> = {},
): Promise<string> {
  const jar = new CookieJar();
  const headers = { ...PROXY_HEADERS, ...extraHeaders };
  const page = await fetch(base + path, { headers });
  jar.take(page);
  const body = new URLSearchParams({ _csrf: csrfFrom(await page.text()), login, password });
  const res = await fetch(base + path, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: { ...headers, Cookie: jar.header() },
  });
  if (res.status !== 303) throw new Error(`sign-in at ${path} answered ${res.status}`);
  jar.take(res);
  return jar.header();
}
