import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import express, { type RequestHandler, type Router } from 'express';
import { APP_ROOT } from './app-root.ts';

const require = createRequire(import.meta.url);
const htmxDir = path.join(path.dirname(require.resolve('htmx.org/package.json')), 'dist');
const publicDir = path.join(APP_ROOT, 'public');

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

interface Asset {
  type: string;
  etag: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

/** Every asset a page names: our public/ files and htmx, each under its own URL path. */
function assetFiles(): Array<{ urlPath: string; file: string }> {
  const files: Array<{ urlPath: string; file: string }> = [
    { urlPath: '/static/vendor/htmx/htmx.min.js', file: path.join(htmxDir, 'htmx.min.js') },
  ];
  for (const entry of readdirSync(publicDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !TYPES[path.extname(entry.name)]) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.push({ urlPath: `/static/${path.relative(publicDir, file).split(path.sep).join('/')}`, file });
  }
  return files;
}

/** `/static/css/app.css` with a digest of its content: `/static/css/app.3f2a9c1b7d.css`. */
function fingerprinted(urlPath: string, digest: string): string {
  const ext = path.extname(urlPath);
  return `${urlPath.slice(0, -ext.length)}.${digest}${ext}`;
}

/**
 * In production, assets are read, fingerprinted and compressed (brotli, gzip) once at start:
 * pages name them by content (`asset('/static/css/app.css')`), browsers keep them a year without
 * asking again, and no request compresses anything. Elsewhere the plain paths are served as they
 * are on disk, so an edited file shows on the next reload.
 */
class AssetTable {
  private readonly urls = new Map<string, string>();
  private readonly byUrl = new Map<string, Asset>();

  constructor() {
    for (const { urlPath, file } of assetFiles()) {
      const identity = readFileSync(file);
      const digest = createHash('sha256').update(identity).digest('hex').slice(0, 12);
      const url = fingerprinted(urlPath, digest);
      this.urls.set(urlPath, url);
      this.byUrl.set(url, {
        type: TYPES[path.extname(file)] ?? 'application/octet-stream',
        etag: `"${digest}"`,
        identity,
        gzip: gzipSync(identity, { level: 9 }),
        br: brotliCompressSync(identity),
      });
    }
  }

  url(urlPath: string): string {
    return this.urls.get(urlPath) ?? urlPath;
  }

  serve: RequestHandler = (req, res, next) => {
    const asset = this.byUrl.get(req.originalUrl.split('?')[0] ?? '');
    if (!asset || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    const accepted = req.acceptsEncodings('br', 'gzip', 'identity');
    const encoding = accepted === 'br' || accepted === 'gzip' ? accepted : 'identity';
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('ETag', asset.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
    if (req.headers['if-none-match'] === asset.etag) return void res.status(304).end();
    const body = asset[encoding];
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

let table: AssetTable | null = null;

/** The URL a page names an asset by: fingerprinted in production, the plain path elsewhere. */
export function assetUrl(urlPath: string): string {
  return table ? table.url(urlPath) : urlPath;
}

/** Our own assets and htmx, served from our origin (never a CDN). */
export function staticAssets(opts: { production: boolean }): Router {
  const router = express.Router();
  table = opts.production ? new AssetTable() : null;
  if (table) router.use('/static', table.serve);
  // the plain paths stay (bookmarks, tools); an hour in production, always asked again elsewhere
  const maxAge = opts.production ? '1h' : 0;
  router.use('/static/vendor/htmx', express.static(htmxDir, { maxAge, index: false }));
  router.use('/static', express.static(publicDir, { maxAge, index: false }));
  return router;
}
