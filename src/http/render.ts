import path from 'node:path';
import ejs from 'ejs';
import type { Request, Response } from 'express';
import { APP_ROOT } from './app-root.ts';
import { assetUrl } from './static.ts';

/** Read from the project root, not copied into dist/: the same templates for source and build. */
export const VIEWS_DIR = path.join(APP_ROOT, 'views');

export type Layout = 'admin' | 'portal' | 'bare';

export interface RenderOptions {
  /** page template under views/, without extension */
  view: string;
  /** partial rendered alone for htmx requests; defaults to the whole page body */
  fragment?: string;
  layout?: Layout;
  status?: number;
  locals?: Record<string, unknown>;
}

let cacheTemplates = false;
export function setTemplateCache(enabled: boolean): void {
  cacheTemplates = enabled;
}

/** The markup `once` kept, by key; cleared when full (a key names all its markup depends on). */
const fragments = new Map<string, string>();
const FRAGMENTS_MAX = 2000;

/**
 * `once(key, render)` in a template: the markup of `render()` the first time a key is seen, the
 * same string after. The key names everything the markup depends on (content, not identity), so
 * nothing is ever invalidated: a change makes another key. Only with the template cache (in
 * development templates change while the process runs).
 */
function once(key: string, render: () => string): string {
  if (!cacheTemplates) return render();
  let html = fragments.get(key);
  if (html === undefined) {
    html = render();
    if (fragments.size >= FRAGMENTS_MAX) fragments.clear();
    fragments.set(key, html);
  }
  return html;
}

/** `locals` as `renderPage` makes them: the page's own values and the helpers every template has. */
function renderFile(view: string, locals: Record<string, unknown>): Promise<string> {
  return ejs.renderFile(path.join(VIEWS_DIR, `${view}.ejs`), locals, {
    root: VIEWS_DIR,
    views: [VIEWS_DIR],
    cache: cacheTemplates,
    async: false,
  });
}

/** An htmx request that wants a fragment (not a history restore, which needs the whole page). */
export function wantsFragment(req: Request): boolean {
  return req.get('HX-Request') === 'true' && req.get('HX-History-Restore-Request') !== 'true';
}

/**
 * Every URL renders a whole page; the same handler answers an htmx request with the fragment
 * only. Always `Vary: HX-Request` so caches never mix the two.
 */
export async function renderPage(req: Request, res: Response, opts: RenderOptions): Promise<void> {
  res.vary('HX-Request');
  // One object for the page and its layout (EJS copies it again for each include). Every template
  // can name an asset by its plain path, `asset('/static/css/app.css')`, and keep markup that
  // depends only on a key, `once(key, render)`.
  const locals: Record<string, unknown> = { asset: assetUrl, once, ...res.locals, ...opts.locals };
  let html: string;
  if (opts.fragment && wantsFragment(req)) {
    html = await renderFile(opts.fragment, locals);
  } else {
    const body = await renderFile(opts.view, locals);
    html =
      wantsFragment(req) && !opts.fragment
        ? body
        : await renderFile(`layouts/${opts.layout ?? 'admin'}`, Object.assign(locals, { body }));
  }
  res
    .status(opts.status ?? 200)
    .type('html')
    .send(html);
}

/** 303 after a successful state change; htmx follows it and swaps the target. */
export function seeOther(res: Response, location: string): void {
  res.redirect(303, location);
}
