import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { setTemplateCache } from '../../src/http/render.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  setTemplateCache(false);
});

/** The asset URLs a page names in its head. */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1] ?? '');
}

describe('static assets in production', () => {
  it('are named by content, kept a year, compressed once, and never from another origin', async () => {
    t = await createTestApp({ NODE_ENV: 'production', TRUST_PROXY: 'loopback' });
    const page = await request(t.app).get('/admin/login').set('X-Forwarded-Proto', 'https');
    expect(page.status).toBe(200);
    // a page is no-store: no cache would send an ETag back, so it gets none; assets do
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers.etag).toBeUndefined();
    const assets = assetsOf(page.text);
    expect(assets).toHaveLength(4);
    for (const url of assets) expect(url).toMatch(/\.[0-9a-f]{12}\.(css|js)$/);
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);

    const htmx = assets.find((url) => url.includes('htmx')) ?? '';
    const plain = await request(t.app).get('/static/vendor/htmx/htmx.min.js');
    // supertest decodes the body; Content-Length is what travelled
    for (const encoding of ['br', 'gzip'] as const) {
      const res = await request(t.app).get(htmx).set('Accept-Encoding', encoding);
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type']).toMatch(/javascript/);
      expect(res.headers.vary).toBe('Accept-Encoding');
      expect(Number(res.headers['content-length'])).toBeLessThan(plain.text.length / 2);
      expect(res.text).toBe(plain.text);
    }
    const etag = String((await request(t.app).get(htmx)).headers.etag);
    const again = await request(t.app).get(htmx).set('If-None-Match', etag);
    expect(again.status).toBe(304);
    // the plain path still answers (bookmarks, tools), with the short cache
    expect(plain.status).toBe(200);
    expect(plain.headers['cache-control']).toBe('public, max-age=3600');
    expect((await request(t.app).get('/static/css/app.000000000000.css')).status).toBe(404);
  });

  it('keep their plain paths outside production, so an edited file shows on the next reload', async () => {
    t = await createTestApp();
    const page = await request(t.app).get('/admin/login');
    expect(assetsOf(page.text)).toEqual([
      '/static/css/app.css',
      '/static/css/print.css',
      '/static/vendor/htmx/htmx.min.js',
      '/static/js/app.js',
    ]);
  });
});
