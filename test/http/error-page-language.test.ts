import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createDb } from '../../src/db/knex.ts';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../helpers/app.ts';
import { allAt, createCustomer, createRole } from '../helpers/fixtures.ts';
import { signInPortal } from '../helpers/portal.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const heading = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];
const lead = (html: string) => /<p class="lead">([^<]*)<\/p>/.exec(html)?.[1];

describe('the error page for portal visitors', () => {
  it('answers an unknown page in the language the browser asks for', async () => {
    const res = await request(t.app).get('/no-such-page').set('Accept-Language', 'fr-FR,fr;q=0.9');
    expect(res.status).toBe(404);
    expect(res.text).toContain('<html lang="fr">');
    expect(heading(res.text)).toBe('Page introuvable');
    expect(lead(res.text)).toBe('La page ou l’enregistrement est introuvable.');
    expect(res.text).toContain('Aller à la page d’accueil');
    expect(res.text).not.toContain('Page not found');
  });

  it('follows the language chosen with ?lang=', async () => {
    const res = await request(t.app).get('/no-such-page?lang=de');
    expect(res.status).toBe(404);
    expect(heading(res.text)).toBe('Seite nicht gefunden');
    expect(res.text).toContain('Zur Startseite');
  });

  it("uses the signed-in customer's own language", async () => {
    const role = await createRole(t.deps, 'All', allAt('modify'), { isDefault: true });
    const c = await createCustomer(t.deps, { roleId: role, language: 'uk' });
    const { agent } = await signInPortal(t.app, c.login!, c.password);
    const res = await agent.get('/no-such-page').set('Accept-Language', 'en');
    expect(res.status).toBe(404);
    expect(heading(res.text)).toBe('Сторінку не знайдено');
  });

  it('refuses a post without the CSRF token in the visitor’s language', async () => {
    const res = await request(t.app)
      .post('/login')
      .set('Accept-Language', 'es')
      .type('form')
      .send({ login: 'x', password: 'y' });
    expect(res.status).toBe(403);
    expect(heading(res.text)).toBe('Acceso denegado');
    expect(lead(res.text)).toBe('No tiene permiso para realizar esta acción.');
  });

  it('says an expired "log in as" link has expired, heading and message in the visitor’s language', async () => {
    const res = await request(t.app).get('/impersonate/not-a-real-ticket-id-at-all').set('Accept-Language', 'pt-BR');
    expect(res.status).toBe(410);
    expect(heading(res.text)).toBe('Link expirado');
    expect(lead(res.text)).toBe(t.deps.i18n.getFixedT('pt-BR')('portal.impersonation.ticketExpired'));
    expect(lead(res.text)).not.toContain('expired');
  });

  it('says the service is unavailable in the visitor’s language when the database does not answer', async () => {
    await t.deps.db.destroy();
    // A MySQL server that refuses connections: the pool gives up quickly.
    (t.deps as { db: unknown }).db = createDb({
      databaseUrl: 'mysql://root@127.0.0.1:1/nowhere',
      dataDir: t.config.dataDir,
    });
    t.deps.services = (await import('../../src/deps.ts')).buildServices(t.deps);
    const agent = request.agent(createApp(t.deps));
    const page = await agent.get('/login').set('Accept-Language', 'de');
    const res = await agent
      .post('/login')
      .set('Accept-Language', 'de')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: 'someone', password: 'whatever password' });
    expect(res.status).toBe(503);
    expect(heading(res.text)).toBe('Dienst nicht verfügbar');
    expect(lead(res.text)).toBe(
      'Der Dienst ist vorübergehend nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.',
    );
    expect(res.text).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+/);
  });
});

describe('the error page for administrators', () => {
  it('stays English whatever the browser asks for', async () => {
    const anonymous = await request(t.app).get('/admin/no-such-page').set('Accept-Language', 'fr');
    expect(anonymous.status).toBe(404);
    expect(anonymous.text).toContain('<html lang="en">');
    expect(heading(anonymous.text)).toBe('Page not found');

    const admin = await createAdmin(t.deps);
    const { agent } = await signInAdmin(t.app, admin.login, admin.password);
    const res = await agent.get('/admin/customers/999999').set('Accept-Language', 'fr');
    expect(res.status).toBe(404);
    expect(heading(res.text)).toBe('Page not found');
    expect(res.text).toContain('Go to the start page');
    // Its start page is the administration's, not the customer portal's.
    expect(res.text).toContain('<a href="/admin">Go to the start page</a>');
    expect((await request(t.app).get('/no-such-page')).text).toContain('<a href="/">');
  });
});
