import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { statusOf } from '../../http/errors.ts';
import { renderPage } from '../../http/render.ts';

/** The portal's own refusal and not-found pages: the viewer's language, navigation and layout. */
function renderPortalError(req: Request, res: Response, status: 403 | 404): Promise<void> {
  const title = res.locals.t?.(status === 403 ? 'portal.errors.forbiddenTitle' : 'portal.errors.notFoundTitle');
  return renderPage(req, res, { view: 'portal/error', layout: 'portal', status, locals: { title, status } });
}

export const renderForbidden = (req: Request, res: Response): Promise<void> => renderPortalError(req, res, 403);

/** An unknown portal address for a signed-in viewer; anyone else gets the app's bare 404 page. */
export const portalNotFound: RequestHandler = (req, res, next) => {
  if (!res.locals.viewer) return next();
  renderPortalError(req, res, 404).catch(next);
};

/** A record a portal route did not find (another customer's id included) answers the portal's 404. */
export const portalNotFoundError: ErrorRequestHandler = (err, req, res, next) => {
  if (statusOf(err) !== 404 || !res.locals.viewer) return next(err);
  renderPortalError(req, res, 404).catch(next);
};
