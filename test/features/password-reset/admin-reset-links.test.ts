import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdmin, createTestApp, csrfFrom, signInAdmin, type TestApp } from '../../helpers/app.ts';
import { createCustomer, createIndividual } from '../../helpers/fixtures.ts';
import { outboxMails, resetTokenIn } from '../../helpers/mail.ts';

let t: TestApp;
let agent: Awaited<ReturnType<typeof signInAdmin>>['agent'];
let csrf: string;
beforeEach(async () => {
  t = await createTestApp();
  const admin = await createAdmin(t.deps);
  ({ agent, csrf } = await signInAdmin(t.app, admin.login, admin.password));
});
afterEach(async () => {
  await t.close();
});

const summary = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';

describe('POST /admin/customers/:id/self-care/reset-link', () => {
  it('e-mails the customer a 24-hour link in its language, never a password, and audits it', async () => {
    const c = await createCustomer(t.deps, { login: 'linked.co', email: 'boss@linked.example', language: 'pt-BR' });
    const panel = await agent.get(`/admin/customers/${c.id}/self-care`);
    expect(panel.text).toContain('Send a password-reset link');
    expect(panel.text).toContain('boss@linked.example');
    const res = await agent.post(`/admin/customers/${c.id}/self-care/reset-link`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/customers/${c.id}/self-care`);
    expect((await agent.get(String(res.headers.location))).text).toContain(
      'A password-reset link was sent to boss@linked.example',
    );

    const [mail] = outboxMails(t.config.dataDir);
    expect(mail!.to).toBe('boss@linked.example');
    expect(mail!.html).toContain('<html lang="pt-BR">');
    expect(mail!.text).toContain('Seu administrador enviou este link');
    const [link] = await t.deps.db('password_reset_links');
    expect(link.purpose).toBe('admin');
    expect(new Date(link.expires_at).getTime() - new Date(link.created_at).getTime()).toBe(24 * 3_600_000);
    const [event] = await t.deps.db('audit_events').where({ action: 'customer.password_reset_link.send' });
    expect(event).toMatchObject({ actor_type: 'admin', entity_id: c.id, customer_id: c.id });
    expect(JSON.parse(String(event.changes)).email.new).toBe('boss@linked.example');

    const page = await request(t.app).get(`/reset-password/${resetTokenIn(mail!)!}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="pt-BR">');
  });

  it('voids a link the customer asked for earlier', async () => {
    const c = await createCustomer(t.deps, { login: 'earlier.co', email: 'earlier@example.com' });
    const visitor = request.agent(t.app);
    const page = await visitor.get('/forgot-password');
    await visitor
      .post('/forgot-password')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), login: 'earlier.co' });
    await t.deps.background.idle();
    const first = resetTokenIn(outboxMails(t.config.dataDir)[0]!)!;
    await agent.post(`/admin/customers/${c.id}/self-care/reset-link`).type('form').send({ _csrf: csrf });
    expect((await request(t.app).get(`/reset-password/${first}`)).status).toBe(410);
    const second = resetTokenIn(outboxMails(t.config.dataDir)[1]!)!;
    expect((await request(t.app).get(`/reset-password/${second}`)).status).toBe(200);
  });

  it('explains that an e-mail address is needed, and sends nothing', async () => {
    const c = await createCustomer(t.deps, { login: 'mute.co', email: '' });
    const panel = await agent.get(`/admin/customers/${c.id}/self-care`);
    expect(panel.text).toContain('The customer has no e-mail address');
    const res = await agent.post(`/admin/customers/${c.id}/self-care/reset-link`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(422);
    expect(summary(res.text)).toContain('href="#reset-link"');
    expect(summary(res.text)).toContain('no e-mail address');
    expect(outboxMails(t.config.dataDir)).toHaveLength(0);
  });

  it('refuses a post without the CSRF token', async () => {
    const c = await createCustomer(t.deps, { login: 'token.co', email: 'token@example.com' });
    const res = await agent.post(`/admin/customers/${c.id}/self-care/reset-link`).type('form').send({});
    expect(res.status).toBe(403);
    expect(outboxMails(t.config.dataDir)).toHaveLength(0);
  });
});

describe('POST /admin/customers/:id/individuals/:individualId/reset-link', () => {
  it('e-mails the individual a 24-hour link in its own language and audits it', async () => {
    const c = await createCustomer(t.deps, { login: 'staffed.co', language: 'en' });
    const i = await createIndividual(t.deps, c.id, { login: 'staff.one', email: 'staff@example.com', language: 'uk' });
    const page = await agent.get(`/admin/customers/${c.id}/individuals/${i.id}`);
    expect(page.text).toContain('Send a password-reset link');
    const res = await agent
      .post(`/admin/customers/${c.id}/individuals/${i.id}/reset-link`)
      .type('form')
      .send({ _csrf: csrf });
    expect(res.status).toBe(303);
    const [mail] = outboxMails(t.config.dataDir);
    expect(mail!.to).toBe('staff@example.com');
    expect(mail!.html).toContain('<html lang="uk">');
    expect(mail!.text).toContain('staff.one');
    const [event] = await t.deps.db('audit_events').where({ action: 'individual.password_reset_link.send' });
    expect(event).toMatchObject({ actor_type: 'admin', entity_type: 'individual', entity_id: i.id });
  });

  it('explains that an e-mail address is needed, and keeps ids scoped to the customer', async () => {
    const c = await createCustomer(t.deps, { login: 'quiet.co' });
    const i = await createIndividual(t.deps, c.id, { login: 'quiet.one' });
    const res = await agent
      .post(`/admin/customers/${c.id}/individuals/${i.id}/reset-link`)
      .type('form')
      .send({ _csrf: csrf });
    expect(res.status).toBe(422);
    expect(summary(res.text)).toContain('no e-mail address');
    const other = await createCustomer(t.deps, { login: 'other.co' });
    const cross = await agent
      .post(`/admin/customers/${other.id}/individuals/${i.id}/reset-link`)
      .type('form')
      .send({ _csrf: csrf });
    expect(cross.status).toBe(404);
    expect(outboxMails(t.config.dataDir)).toHaveLength(0);
  });
});
